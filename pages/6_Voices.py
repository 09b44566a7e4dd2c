"""Voices: clone a voice from a clip, design one from stock voices, and manage the saved ones."""
import hashlib

import streamlit as st

from audiokit import decode
from studio.errors import StudioError
from studio.voices import CONSENT, NAME_MAX
from ui import session, widgets

studio, user = session.studio(), session.user()
team = studio.team_mode
st.title("Voices")
st.caption("Your own Kokoro voices, usable wherever a stock voice is: text to speech, re-voice and the API.")

clone_tab, design_tab, saved_tab = st.tabs(["Clone from a clip", "Design", "Saved voices"])

# -- clone ------------------------------------------------------------------------------------------
with clone_tab:
    cloner = {i.id: i for i in studio.engines("clone")}.get("kokoro_clone")
    if cloner is None or not cloner.available:
        st.warning(f"Cloning is unavailable here: {cloner.reason if cloner else 'no cloning engine'}",
                   icon=":material/warning:")
    else:
        st.markdown("Upload or record **10–60 s of one person speaking** — reading a paragraph aloud in a quiet "
                    "room works best. Longer clips (up to 5 minutes) are trimmed to their best minute.")
        how = st.radio("Clip", ["Upload a file", "Record"], horizontal=True, key="voices_how")
        if how == "Upload a file":
            upload = st.file_uploader("The voice to clone", type=list(decode.FORMATS), key="voices_upload")
        else:
            upload = st.audio_input("Record the voice to clone", key="voices_record")
        name = st.text_input("Name of the voice", max_chars=NAME_MAX, key="voices_clone_name",
                             placeholder="My voice")
        prices = studio.clone_prices()
        budget = st.radio("Search time", list(prices), index=1, horizontal=True, key="voices_budget",
                          format_func=lambda b: f"{b.capitalize()} · about {prices[b][0] / 60:.1f} min · "
                                                f"{prices[b][1]:,} credits",
                          help="Longer searches try more variations of the voice and usually sound closer.")
        shared = st.toggle("Share with the team", key="voices_clone_shared") if team else False
        consent = st.checkbox(CONSENT, key="voices_consent")
        if st.button("Clone the voice", type="primary", icon=":material/content_copy:",
                     disabled=upload is None or not consent):
            try:
                data = upload.getvalue()
                with st.spinner("Checking the clip…"):
                    job_id = studio.submit_clone(user, data, getattr(upload, "name", None) or "recording.wav",
                                                 name, budget, consent=consent, shared=shared)
                st.session_state["voices_job"] = job_id
            except StudioError as error:
                widgets.show_error(error)
        if st.session_state.get("voices_job"):
            widgets.job_panel(st.session_state["voices_job"], key="voices_job")

# -- design -------------------------------------------------------------------------------------------
with design_tab:
    stock = {v.id: v for v in studio.engine_voices("kokoro")}
    picked = st.multiselect("Blend 2–4 stock voices", list(stock), default=["af_heart", "am_michael"],
                            max_selections=4, format_func=lambda v: stock[v].label, key="voices_design_pick")
    weights = {}
    if picked:
        columns = st.columns(len(picked))
        for column, voice in zip(columns, picked):
            weights[voice] = column.slider(stock[voice].name, 0, 100, 50, 5, key=f"voices_w_{voice}")
    speed = st.slider("Speed", 0.7, 1.3, 1.0, 0.05, key="voices_design_speed")
    mix = {v: float(w) for v, w in weights.items() if w > 0}
    digest = hashlib.sha256(repr((sorted(mix.items()), speed)).encode()).hexdigest()
    a, b = st.columns([1, 2], vertical_alignment="bottom")
    if a.button("Preview", icon=":material/play_arrow:", help="Hear the blend (free)", key="voices_design_preview"):
        try:
            with st.spinner("Rendering…"):
                st.session_state["voices_design_audio"] = (digest, studio.preview_design(mix, speed))
        except StudioError as error:
            widgets.show_error(error)
    held = st.session_state.get("voices_design_audio")
    if held and held[0] == digest:
        widgets.clip(held[1])
    with st.form("voices_design_save", clear_on_submit=True):
        design_name = st.text_input("Name of the voice", max_chars=NAME_MAX, placeholder="Warm narrator")
        design_shared = st.toggle("Share with the team") if team else False
        if st.form_submit_button("Save the voice", icon=":material/save:"):
            try:
                with st.spinner("Saving…"):
                    saved = studio.create_designed_voice(user, design_name, mix, speed, shared=design_shared)
                st.success(f"Saved “{saved['name']}”. Pick it in Text to Speech.", icon=":material/check:")
            except StudioError as error:
                widgets.show_error(error)

# -- saved --------------------------------------------------------------------------------------------
with saved_tab:
    try:
        saved_voices = studio.voices_of(user)
    except StudioError as error:
        widgets.show_error(error)
        saved_voices = []
    if not saved_voices:
        st.info("No voices yet: clone one from a clip or design one from the stock voices.", icon=":material/info:")
    for voice in saved_voices:
        with st.container(border=True):
            kind = "cloned" if voice["kind"] == "clone" else "designed"
            owner = "" if voice["mine"] else f" · shared by {voice['owner']}"
            st.markdown(f"**{voice['name']}** · {kind} · {voice['accent']}{owner}")
            if voice["kind"] == "clone" and voice["consent_at"]:
                st.caption(f"Right to clone confirmed {voice['consent_at'][:16].replace('T', ' ')} UTC")
            try:
                widgets.clip(studio.voice_preview(user, voice["id"]))
            except StudioError as error:
                widgets.show_error(error)
            if voice["mine"]:
                c1, c2 = st.columns(2)
                if team:
                    now_shared = c1.toggle("Shared with the team", value=voice["shared"], key=f"share-{voice['id']}")
                    if now_shared != voice["shared"]:
                        widgets.act(studio.share_voice, user, voice["id"], now_shared)
                if c2.button("Delete", key=f"delete-{voice['id']}", icon=":material/delete:"):
                    widgets.act(studio.delete_voice, user, voice["id"])
