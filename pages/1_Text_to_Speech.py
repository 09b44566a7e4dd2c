"""Text to Speech: type, pick a voice, generate; recent clips beside the editor."""
import streamlit as st

from studio.errors import StudioError
from studio.tts import MAX_CHARS
from ui import session, tts_check, widgets

studio, user = session.studio(), session.user()
st.title("Text to Speech")

engines = {i.id: i for i in studio.engines("tts")}
usable = [name for name, info in engines.items() if info.available]
for info in engines.values():
    if not info.available:
        st.warning(f"{info.title} is unavailable: {info.reason}", icon=":material/warning:")
if not usable:
    st.stop()

editor, recent = st.columns([3, 2], gap="large")
with editor:
    text = st.text_area("Text", height=260, max_chars=MAX_CHARS, key="tts_text",
                        placeholder="Type or paste up to 10,000 characters. Long texts are read sentence by sentence.")
    spoken = st.expander("Preview spoken form", key="tts_spoken_open", on_change="rerun",
                         icon=":material/text_to_speech:")
    with spoken:
        if spoken.open:  # only worked out while open
            try:
                st.caption("How the voice will read the text, with your pronunciation dictionary (free).")
                if (text or "").strip():
                    st.code(studio.spoken_preview(user, text), language=None, wrap_lines=True)
            except StudioError as error:
                widgets.show_error(error)
    engine_name = st.radio("Model", usable, format_func=lambda n: engines[n].title, horizontal=True, key="tts_engine")
    engine = session.engine(engine_name)
    labels = {v.id: v.label for v in engine.voices()}
    zero_shot = getattr(engine, "zero_shot", False)  # speaks in the voice of any clip (StyleTTS2)
    if engine_name == "kokoro" or zero_shot:  # saved voices (My Voices) come first
        saved = studio.voices_of(user)
        labels = {v["id"]: f"{v['name']} · {'my voice' if v['mine'] else 'shared by ' + v['owner']}" for v in saved} | labels
    if zero_shot:  # and the voice samples recorded on the Voice Changer page, as reference clips
        labels = {f"sample:{s['id']}": f"{s['name']} · my recording" for s in studio.samples(user)} | labels
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    voice_id = c1.selectbox("Voice", list(labels), format_func=labels.get, key=f"tts_voice_{engine_name}")
    if c2.button("Preview", icon=":material/play_arrow:", help="A short sample of this voice (free)"):
        try:
            with st.spinner("Rendering a sample…"):
                sample = (studio.voice_preview(user, voice_id) if voice_id.startswith("custom:")
                          else studio.sample_wav(user, voice_id.removeprefix("sample:"))
                          if voice_id.startswith("sample:") else studio.preview(engine_name, voice_id))
                st.session_state["tts_preview"] = (voice_id, sample)
        except StudioError as error:
            widgets.show_error(error)
    if st.session_state.get("tts_preview", (None,))[0] == voice_id:
        widgets.clip(st.session_state["tts_preview"][1])
    remembered = studio.preferences(user)  # the last request's settings are this one's defaults
    s1, s2 = st.columns(2)
    speed = s1.slider("Speed", 0.7, 1.3, remembered["tts_speed"], 0.05, key="tts_speed")
    pause = s2.slider("Pause between sentences", 0.5, 2.0, remembered["tts_pause"], 0.05, key="tts_pause",
                      help="Scales the pauses after sentences, clauses and paragraphs.")
    own = {}  # the engine's own settings (StyleTTS2: alpha, beta, diffusion steps, embedding scale)
    if engine.settings:
        with st.expander(f"{engine_name} settings", icon=":material/tune:"):
            for setting in engine.settings:
                kind = int if setting.whole else float
                own[setting.name] = st.slider(setting.label, kind(setting.low), kind(setting.high), kind(setting.default),
                                              kind(setting.step), help=setting.help, key=f"tts_{engine_name}_{setting.name}")
    checked = st.checkbox("Check the render with speech recognition", value=remembered["tts_checked"],
                          key="tts_checked",
                          help="Each part is transcribed by Whisper and compared with the text; words heard "
                               "differently are highlighted, each with a button to add a pronunciation. "
                               "It costs extra, by the character.")
    chars = len(text or "")
    cost = studio.tts_price(chars, checked=checked)
    check_cost = studio.tts_price(chars, checked=True) - studio.tts_price(chars)
    st.caption(f"{chars:,} / {MAX_CHARS:,} characters · costs {cost:,} credits"
               + (f", {check_cost:,} of them for the check" if checked and check_cost
                  else f" · checking adds {check_cost:,}" if check_cost else ""))
    if st.button("Generate speech", type="primary", icon=":material/graphic_eq:", key="tts_generate"):
        try:
            job_id, notices = studio.submit_tts(user, text, voice_id, engine_name, speed, live=True, pause=pause,
                                                checked=checked, **own)
            studio.remember(user, tts_speed=speed, tts_pause=pause, tts_checked=checked)
            st.session_state["tts_job"] = st.session_state["tts_live"] = job_id
            for notice in notices:
                st.toast(notice, icon=":material/info:")
        except StudioError as error:
            widgets.show_error(error)
    if st.session_state.get("tts_job"):
        live = st.session_state.get("tts_live") == st.session_state["tts_job"]
        if live:  # drawn outside the polling panel, so redraws never restart it
            widgets.live_player(st.session_state["tts_job"])
        widgets.job_panel(st.session_state["tts_job"], key="tts_job", early_playback=not live)
        tts_check.show(st.session_state["tts_job"])

with recent:
    st.subheader("Recent")
    widgets.history_rows(service="tts", per_page=5, key="tts-recent")
