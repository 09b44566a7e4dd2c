"""Sound Effects: describe a sound, pick length, variations and loop; preview the plan (free) with
how sure the match is; generate — or, for a loose match, generate the closest anyway; play the takes."""
import streamlit as st

from studio import sfx
from studio.errors import EngineUnavailable, NotFound, StudioError
from studio.sfx import NeedsConfirmation
from studio.sfx import DURATION_MAX, DURATION_MIN, MAX_PROMPT_CHARS, VARIATIONS_MAX, VARIATIONS_MIN
from ui import session, widgets

studio, user = session.studio(), session.user()
st.title("Sound Effects")

engines = {i.id: i for i in studio.engines("sfx")}
usable = [name for name, info in engines.items() if info.available]
if not usable:
    for info in engines.values():
        st.warning(f"{info.title} is unavailable: {info.reason}", icon=":material/warning:")
    st.stop()


def use_example() -> None:
    if st.session_state.get("sfx_example"):
        st.session_state["sfx_prompt"] = st.session_state["sfx_example"]


def show_plan(plan: dict) -> None:
    """Which sources and settings make the sound, how sure the match is, and why — so the
    prompt can be adjusted before anything is charged."""
    if plan.get("engine") == "audioldm":
        st.caption(f"AudioLDM ({plan['model']}) · {plan['steps']} steps · guidance {plan['guidance']:g} · "
                   f"seed {plan['seed']}" + (f" · avoiding “{plan['negative_prompt']}”" if plan.get("negative_prompt") else ""))
    if "confidence" in plan:
        st.markdown(f"**Match confidence {plan['confidence']:.0%}** · {plan['closest']}")
    for layer in plan.get("layers", []):
        settings = ", ".join(layer["settings"]) or "default settings"
        timing = "after the previous layer" if layer["after_previous"] else layer.get("fill_why", layer["kind"])
        sure = f" · confidence {layer['confidence']:.0%}" if "confidence" in layer else ""
        st.markdown(f"**{layer['title']}** ← “{layer['part']}” · similarity {layer['score']:.2f}{sure} · {timing} · {settings}")
        others = ", ".join(f"{title} ({score:.2f})" for title, score in layer["alternatives"])
        st.caption(f"Why: {layer['why']}." + (f" Next best: {others}." if others else ""))
    if plan.get("room"):
        room = plan["room"]
        st.caption(f"Room: {room['title']} (reverb {room['rt60']:.1f} s)" +
                   (f" from “{room['from']}”." if room.get("from") not in (None, "default") else "."))
    for notice in plan.get("notices", []):
        st.caption(f"ℹ️ {notice}")
    if plan.get("variations"):
        st.caption("Seeds: " + ", ".join(str(v["seed"]) for v in plan["variations"]) +
                   f" · {plan['duration']:g} s · loudness {plan.get('target_lufs', -18):g} LUFS" +
                   (" · stereo" if plan.get("channels") == 2 else "") + (" · seamless loop" if plan.get("loop") else ""))


def closest_offer(plan: dict) -> None:
    """A loose match: say what is closest and let the person decide (declining costs nothing)."""
    st.warning(f"Closest available: {plan['closest']} — {plan.get('confirmation', '')}", icon=":material/help:")


editor, recent = st.columns([3, 2], gap="large")
with editor:
    st.selectbox("Examples", [None, *sfx.EXAMPLES], key="sfx_example", on_change=use_example,
                 format_func=lambda e: "Pick an example prompt…" if e is None else e)
    prompt = st.text_area("Describe the sound", height=110, max_chars=MAX_PROMPT_CHARS, key="sfx_prompt",
                          placeholder="e.g. heavy rain on a tin roof with distant thunder")
    c1, c2, c3 = st.columns([3, 2, 1], vertical_alignment="bottom")
    duration = c1.slider("Duration (seconds)", DURATION_MIN, DURATION_MAX, 5.0, 0.5, key="sfx_duration")
    variations = c2.slider("Variations", VARIATIONS_MIN, VARIATIONS_MAX, 2, key="sfx_variations")
    loop = c3.checkbox("Loop", key="sfx_loop", help="Make each take a seamless loop")
    engine_name = st.radio("Engine", list(engines), key="sfx_engine", horizontal=True,
                           format_func=lambda n: engines[n].title + ("" if engines[n].available else " (unavailable)"))
    for info in engines.values():
        if not info.available:
            with st.expander(f"How to get {info.title.split(' — ')[0]}"):
                st.write(info.reason)
    with st.expander("Advanced"):
        seed = st.number_input("Seed (empty: random)", min_value=0, max_value=2**32 - 1, value=None, step=1, key="sfx_seed")
        steps = guidance = negative = None
        if engine_name == "audioldm":
            steps = st.slider("Steps", 10, 200, 100, 10, key="sfx_steps")
            guidance = st.slider("Guidance", 1.0, 10.0, 3.0, 0.5, key="sfx_guidance")
            negative = st.text_input("Negative prompt", max_chars=MAX_PROMPT_CHARS, key="sfx_negative",
                                     placeholder="e.g. low quality, noise")
    request = dict(prompt=prompt, duration=duration, variations=variations, loop=loop, engine=engine_name,
                   seed=None if seed is None else int(seed), negative_prompt=negative, steps=steps, guidance=guidance)
    cost = studio.sfx_price(duration, variations)
    st.caption(f"{variations} × {duration:g} s · up to {cost:,} credits (a single event is charged for its own length)")

    asked = repr(sorted(request.items()))  # a preview or an offer belongs to the request it was made for

    def submit(accept_closest: bool = False) -> None:
        try:
            job_id, notices, _ = studio.submit_sfx(user, accept_closest=accept_closest, **request)
            st.session_state["sfx_job"] = job_id
            st.session_state.pop("sfx_offer", None)
            st.session_state.pop("sfx_preview", None)
            for notice in notices:
                st.toast(notice, icon=":material/info:")
        except NeedsConfirmation as error:
            st.session_state["sfx_offer"] = (asked, error.plan)
        except EngineUnavailable as error:
            st.warning(str(error), icon=":material/warning:")
        except StudioError as error:
            widgets.show_error(error)

    available = engines[engine_name].available
    b1, b2 = st.columns(2)
    if b1.button("Preview plan (free)", icon=":material/visibility:", disabled=not available):
        try:
            plan, plan_cost = studio.plan_sfx(**request)
            st.session_state["sfx_preview"] = (asked, plan, plan_cost)
            st.session_state.pop("sfx_offer", None)
        except EngineUnavailable as error:
            st.warning(str(error), icon=":material/warning:")
        except StudioError as error:
            st.session_state.pop("sfx_preview", None)
            widgets.show_error(error)
    if b2.button("Generate sound effect", type="primary", icon=":material/surround_sound:", disabled=not available):
        submit()
    preview = st.session_state.get("sfx_preview")
    if preview and preview[0] == asked:
        _, plan, plan_cost = preview
        with st.expander(f"Plan: {plan.get('closest', plan['prompt'])} · costs {plan_cost:,} credits", expanded=True):
            show_plan(plan)
        if plan.get("needs_confirmation"):
            st.session_state["sfx_offer"] = (asked, plan)
    offer = st.session_state.get("sfx_offer")
    if offer and offer[0] == asked:
        closest_offer(offer[1])
        if st.button("Generate the closest anyway", icon=":material/check:", key="sfx_accept"):
            submit(accept_closest=True)
    if st.session_state.get("sfx_job"):
        try:
            job = studio.job(user, st.session_state["sfx_job"])
            with st.expander("Plan: what was used and why", expanded=True):
                show_plan(job["params"].get("plan", {}))
        except NotFound:
            st.session_state.pop("sfx_job", None)
    if st.session_state.get("sfx_job"):
        widgets.job_panel(st.session_state["sfx_job"], key="sfx_job")

with recent:
    st.subheader("Your effects")
    widgets.history_rows(service="sfx", per_page=5, key="sfx-recent")
