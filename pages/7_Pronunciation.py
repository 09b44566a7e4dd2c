"""Pronunciation: words and phrases said your way in every text-to-speech take."""
import streamlit as st

from studio.errors import StudioError
from studio.lexicon import MAX_ENTRIES, PRONUNCIATION_MAX, WORD_MAX
from ui import session, widgets

SHOWN = 50  # entries listed at once; the filter finds the others

studio, user = session.studio(), session.user()
team = studio.team_mode
st.title("Pronunciation")
st.caption("Words and phrases the voices should say another way: names, brands, jargon. They are matched "
           "regardless of case, on whole words, and applied to every text-to-speech take."
           + (" The team dictionary applies to everyone; your own entries win over it." if team else ""))

# -- add ------------------------------------------------------------------------------------------
if st.session_state.pop("lex_added", False):  # cleared before the form is drawn, after a success
    st.session_state["lex_word"] = st.session_state["lex_said"] = ""
with st.form("lex_add"):
    a, b = st.columns(2)
    word = a.text_input("Word or phrase", max_chars=WORD_MAX, placeholder="Nguyen", key="lex_word")
    said = b.text_input("Say it as", max_chars=PRONUNCIATION_MAX, placeholder="win   or   /wˈɪn/", key="lex_said",
                        help="A respelling (win), or IPA phonemes between slashes (/wˈɪn/; the stress mark ˈ goes "
                             "before the stressed vowel). CMU ARPAbet between slashes (/W IH1 N/) is turned into IPA.")
    to_team = st.checkbox("Add to the team dictionary (everyone's speech)", key="lex_team") if team else False
    if st.form_submit_button("Add", icon=":material/add:", type="primary"):
        try:
            entry = studio.add_pronunciation(user, word, said, team=to_team)
        except StudioError as error:
            widgets.show_error(error)
        else:
            before = entry["replaced"]
            was = f" (was {before})" if before and before != entry["pronunciation"] else ""
            session.notify(f"{entry['word']} → {entry['pronunciation']}{was}")
            st.session_state["lex_added"] = True
            st.rerun()

# -- try it -------------------------------------------------------------------------------------
st.subheader("Try it")
sample = st.text_input("A sentence", key="lex_try", placeholder="Dr. Nguyen paid $3.50 on Jan. 5.",
                       help="Free: shows what the voice is given, with your dictionary applied.")
if sample.strip():
    try:
        st.code(studio.spoken_preview(user, sample), language=None, wrap_lines=True)
    except StudioError as error:
        widgets.show_error(error)
    st.caption("Phonemes show as [word](/phonemes/).")

# -- import and export --------------------------------------------------------------------------
with st.expander("Import or export (PLS lexicon, as ElevenLabs uses, or CSV)"):
    upload = st.file_uploader("A .pls / .xml lexicon or a .csv file (header word,pronunciation)",
                              type=["pls", "xml", "csv"], key="lex_upload")
    into_team = st.checkbox("Import into the team dictionary", key="lex_import_team") if team else False
    if st.button("Import", icon=":material/upload:", disabled=upload is None, key="lex_import"):
        try:
            report = studio.import_lexicon(user, upload.getvalue(), upload.name, team=into_team)
        except StudioError as error:
            widgets.show_error(error)
        else:
            st.success(f"Imported: {report.summary}", icon=":material/check:")
            if report.skipped:
                with st.container(border=True):
                    st.markdown("**Skipped**")
                    for reason in report.skipped[:100]:
                        st.text(reason)
                    if len(report.skipped) > 100:
                        st.caption(f"…and {len(report.skipped) - 100} more.")
    scopes = {"effective": "What your speech gets", "own": "Your own entries", "team": "The team's entries"}
    scope = st.radio("Export", list(scopes), format_func=scopes.get, horizontal=True,
                     key="lex_export_scope") if team else "effective"
    c, d = st.columns(2)
    try:
        c.download_button("PLS lexicon", studio.export_lexicon(user, "pls", scope), "pronunciation.pls",
                          "application/pls+xml", key="lex_export_pls", on_click="ignore", icon=":material/download:")
        d.download_button("CSV", studio.export_lexicon(user, "csv", scope), "pronunciation.csv", "text/csv",
                          key="lex_export_csv", on_click="ignore", icon=":material/download:")
    except StudioError as error:
        widgets.show_error(error)

# -- the entries --------------------------------------------------------------------------------
try:
    entries = studio.lexicon_entries(user)
except StudioError as error:
    widgets.show_error(error)
    entries = []
own = sum(not e["team"] for e in entries)
st.subheader(f"Entries ({len(entries):,})")
if team:
    st.caption(f"Yours: {own:,} · the team's: {len(entries) - own:,} · at most {MAX_ENTRIES:,} in each.")
if not entries:
    st.info("No entries yet: add one above, or import a PLS or CSV file.", icon=":material/info:")
else:
    needle = st.text_input("Filter", key="lex_filter", placeholder="Find a word").strip().lower()
    found = [e for e in entries if needle in e["word"].lower() or needle in e["pronunciation"].lower()]
    for entry in found[:SHOWN]:
        a, b, c = st.columns([3, 4, 1], vertical_alignment="center")
        a.text(entry["word"])  # text, not markdown: entries may come from anyone's file
        note = "phonemes" if entry["kind"] == "phonemes" else "respelling"
        if entry["team"]:
            note += f" · team · edited by {entry['updated_by']}"
            if entry["overridden"]:
                note += " · your own entry wins"
        b.text(entry["pronunciation"])
        b.caption(note)
        scope_key = "team" if entry["team"] else "own"
        if c.button("Delete", key=f"lex_del_{scope_key}_{entry['word']}", icon=":material/delete:"):
            widgets.act(studio.delete_pronunciation, user, entry["word"], team=entry["team"])
    if len(found) > SHOWN:
        st.caption(f"Showing {SHOWN} of {len(found):,}; filter to find the others.")
    elif not found:
        st.caption("Nothing matches the filter.")
