"""The studio's router and gate: sign-in, the sidebar (user, credits, engines), the pages."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import session

PAGES_DIR = Path(__file__).parent / "pages"
PAGES = [
    ("1_Text_to_Speech.py", "Text to Speech", ":material/record_voice_over:"),
    ("2_Voice_Changer.py", "Voice Changer", ":material/graphic_eq:"),
    ("3_Sound_Effects.py", "Sound Effects", ":material/surround_sound:"),
    ("4_History.py", "History", ":material/history:"),
]


def sign_in(settings) -> str | None:
    """Single-user mode needs no login; team mode signs in with streamlit-authenticator."""
    if settings.auth == "single":
        return session.SINGLE_USER
    import streamlit_authenticator as stauth

    if not settings.users_file.exists():
        st.error(f"Team mode is on but the users file {settings.users_file} does not exist. "
                 "Create it with `python -m studio.cli add-user NAME`.")
        st.stop()
    authenticator = stauth.Authenticate(str(settings.users_file), cookie_name="studio_auth",
                                        cookie_expiry_days=7)
    st.session_state["studio_authenticator"] = authenticator
    if not st.session_state.get("authentication_status"):
        st.title("Audio Studio")
        try:
            authenticator.login(location="main")
        except Exception as error:  # the widget raises on malformed input; say so, do not crash
            st.error(str(error))
        if st.session_state.get("authentication_status"):
            st.rerun()  # signed in just now: draw the studio without the login form
        if st.session_state.get("authentication_status") is False:
            st.error("Username or password is incorrect.")
        if settings.allow_registration and not st.session_state.get("authentication_status"):
            with st.expander("Create an account"):
                try:
                    authenticator.register_user(location="main", captcha=False)
                except Exception as error:
                    st.error(str(error))
    return st.session_state.get("username") if st.session_state.get("authentication_status") else None


def sidebar(studio, user: str) -> None:
    with st.sidebar:
        st.markdown(f"**{user}**")
        st.metric("Credits", f"{studio.balance(user):,}")
        authenticator = st.session_state.get("studio_authenticator")
        if authenticator is not None:
            authenticator.logout(location="sidebar")
        with st.expander("Engines on this machine"):
            for info in studio.engines():
                mark = "✅" if info.available else "⛔"
                st.caption(f"{mark} {info.title}" + ("" if info.available else f" — {info.reason}"))


def run() -> None:
    st.set_page_config(page_title="Audio Studio", page_icon=":material/graphic_eq:", layout="wide")
    studio = session.studio()
    user = sign_in(studio.settings)
    if not user:
        st.stop()
    st.session_state["studio_user"] = user
    pages = [st.Page(str(PAGES_DIR / f), title=t, icon=i) for f, t, i in PAGES if (PAGES_DIR / f).exists()]
    page = st.navigation(pages)
    sidebar(studio, user)  # after st.navigation, so the page list stays at the top of the sidebar
    page.run()


run()
