"""The speech check of a text-to-speech job on the page: the text with the words Whisper heard
differently highlighted, and for each of those words one click to add a pronunciation."""
from __future__ import annotations

import html

import streamlit as st

from studio.errors import StudioError
from ui import session, widgets

MAX_FORMS = 20  # words offered a pronunciation form at once; the rest are listed
HINT = "A respelling (“WUSS-ter”) or phonemes between slashes (/ˈwʊstɚ/)."


def highlighted(text: str, mismatches: list[dict]) -> str:
    """``text`` as HTML with each mismatch's written words marked, what was heard in their tooltip."""
    out, at = [], 0
    spans = sorted((m for m in mismatches if m.get("start") is not None and m["end"] <= len(text)),
                   key=lambda m: m["start"])
    for m in spans:
        if m["start"] < at:  # overlaps the one before: already marked
            continue
        heard = m["heard"] or "nothing"
        out += [html.escape(text[at:m["start"]]),
                f'<mark title="expected “{html.escape(m["expected"])}”, heard “{html.escape(heard)}”" '
                f'style="background:#ffd6d6;color:inherit;border-radius:3px;padding:0 2px">'
                f'{html.escape(text[m["start"]:m["end"]])}</mark>']
        at = m["end"]
    out.append(html.escape(text[at:]))
    return '<div style="white-space:pre-wrap;line-height:1.7">' + "".join(out) + "</div>"


def words(mismatches: list[dict]) -> list[dict]:
    """One entry per mismatched written word (case aside), in order of appearance."""
    seen: dict[str, dict] = {}
    for m in mismatches:
        seen.setdefault(m["written"].lower(), m)
    return list(seen.values())


def show(job_id: str) -> None:
    """The report of a completed checked job; nothing for a job that was not checked or has not ended."""
    studio, user = session.studio(), session.user()
    try:
        job = studio.job(user, job_id)
        if job["service"] != "tts" or not job["params"].get("checked") or job["status"] != "completed":
            return
        report = studio.check_report(user, job_id)
    except StudioError:
        return  # the job panel above says what is wrong with the job
    if not report:
        return
    st.subheader("Speech check", anchor=False)
    mismatches = report.get("mismatches") or []
    if report.get("unchecked"):
        st.caption(f"{len(report['unchecked'])} of {report['chunks']} parts could not be checked.")
    if not mismatches:
        st.success("The speech recogniser heard every word as written.", icon=":material/check_circle:")
        return
    flagged = words(mismatches)
    st.warning(f"{len(flagged)} word{'s' * (len(flagged) != 1)} sounded different from the text. Add a "
               "pronunciation for a word, then generate again.", icon=":material/hearing:")
    st.html(highlighted(job["title"], mismatches))
    if report.get("truncated"):
        st.caption("Only the first mismatches are listed.")
    known = {word.lower(): said for word, said in studio.pronunciations(user)}
    for i, m in enumerate(flagged):
        _word_row(job_id, i, m, known.get(m["written"].lower()), form=i < MAX_FORMS)


def _word_row(job_id: str, i: int, m: dict, current: str | None, form: bool) -> None:
    left, right = st.columns([3, 2], vertical_alignment="center")
    line = f"**{m['written']}** · expected “{m['expected']}”, heard “{m['heard'] or 'nothing'}”"
    if current:
        line += f" · your dictionary says “{current}”"
    left.markdown(line)
    if not form:
        return
    with right.popover("Add pronunciation", icon=":material/record_voice_over:", key=f"tts-check-pop-{job_id}-{i}"):
        with st.form(f"tts-check-form-{job_id}-{i}", border=False):
            word = st.text_input("Word", value=m["written"], key=f"tts-check-word-{job_id}-{i}")
            said = st.text_input("Say it as", value=current or "", help=HINT, key=f"tts-check-say-{job_id}-{i}")
            if st.form_submit_button("Add", type="primary", key=f"tts-check-add-{job_id}-{i}"):
                try:
                    studio, user = session.studio(), session.user()
                    entry = studio.add_pronunciation(user, word, said)
                    verb = "Replaced" if entry.get("replaced") else "Added"
                    session.notify(f"{verb} the pronunciation of “{word.strip()}”. Generate again to hear it.")
                    st.rerun()
                except StudioError as error:
                    widgets.show_error(error)
