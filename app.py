"""The studio's router and gate: sign-in, the sidebar (user, credits, engines), the pages.

Team mode signs in through the Studio (checked against users.yaml, throttled per user and per
client) and keeps the sign-in in streamlit-authenticator's cookie, so it survives a reload.
Signing out ends every session of that user: cookies issued before are refused from then on.
"""
from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from studio.errors import NotFound, StudioError
from ui import session

PAGES_DIR = Path(__file__).parent / "pages"
PAGES = [
    ("1_Text_to_Speech.py", "Text to Speech", ":material/record_voice_over:"),
    ("2_Voice_Changer.py", "Voice Changer", ":material/graphic_eq:"),
    ("3_Sound_Effects.py", "Sound Effects", ":material/surround_sound:"),
    ("4_History.py", "History", ":material/history:"),
    ("6_Voices.py", "My Voices", ":material/person_add:"),
    ("7_Pronunciation.py", "Pronunciation", ":material/dictionary:"),
    ("5_Account.py", "Account", ":material/key:"),
]
SERVICES = ("tts", "vc", "sfx", "voices")  # each page keeps its job in st.session_state[f"{service}_job"]
COOKIE_SECONDS = 30  # the cookie is (re)sent to the browser for this long after signing in


def _authenticator(studio):
    """streamlit-authenticator, used for its signed cookie only (the studio checks passwords)."""
    import streamlit_authenticator as stauth

    cookie = studio.cookie_settings()
    auth = stauth.Authenticate({"usernames": {}}, cookie_name=cookie["name"], cookie_key=cookie["key"],
                               cookie_expiry_days=cookie["expiry_days"])
    return auth, float(cookie["expiry_days"])


def _signed_in(username: str, studio, from_cookie: bool = False) -> None:
    st.session_state.update({
        "authentication_status": True, "username": username, "name": studio.display_name(username) or username,
        "logout": None, "studio_signed_in_at": time.time(),
    })
    if not from_cookie:
        st.session_state["studio_set_cookie_until"] = time.time() + COOKIE_SECONDS


def _sign_out(studio, auth, user: str) -> None:
    try:
        studio.sign_out(user)  # the cookie stops working everywhere
        studio.end_sessions(user)  # and so do audio links given to this user
    except StudioError as error:
        session.notify(f"Signed out here, but not everywhere: {error}")
    auth.authentication_controller.logout()
    auth.cookie_controller.delete_cookie()
    for key in ("studio_user", "studio_signed_in_at", "studio_set_cookie_until", *(f"{s}_job" for s in SERVICES)):
        st.session_state.pop(key, None)


def sign_in(studio) -> str | None:
    """Single-user mode needs no login; team mode signs in with a form or the cookie."""
    if studio.settings.auth == "single":
        return session.SINGLE_USER
    try:
        auth, days = _authenticator(studio)
    except StudioError as error:  # users.yaml was broken after the studio started
        st.error(str(error), icon=":material/report:")
        st.stop()
    st.session_state["studio_authenticator"] = auth
    user = st.session_state.get("username") if st.session_state.get("authentication_status") else None
    if user and studio.session_valid(user, st.session_state.get("studio_signed_in_at", 0.0)):
        return user
    if user:  # signed out in another tab or window
        auth.authentication_controller.logout()
    try:
        token = auth.cookie_controller.get_cookie()
    except Exception:  # a cookie that is not one of ours (forged, truncated, old format)
        token = None
    if token and studio.session_valid(token["username"], float(token["exp_date"]) - days * 86_400):
        _signed_in(token["username"], studio, from_cookie=True)
        return token["username"]
    st.title("Audio Studio")
    with st.form("studio_sign_in"):
        st.subheader("Sign in")
        username = st.text_input("Username", max_chars=64, autocomplete="username")
        password = st.text_input("Password", type="password", max_chars=200, autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            user = studio.sign_in(username, password, session.client())
        except StudioError as error:
            st.error(str(error), icon=":material/lock:")
        else:
            _signed_in(user, studio)
            st.rerun()  # draw the studio without the form
    if studio.settings.allow_registration:
        register(studio)
    return None


def register(studio) -> None:
    settings = studio.settings
    with st.expander("Create an account"):
        with st.form("studio_register", clear_on_submit=False):
            a, b = st.columns(2)
            username = a.text_input("Username", max_chars=32, help="2–32 lower-case letters, digits, '.', '_' or '-'")
            name = b.text_input("Your name", max_chars=80)
            email = st.text_input("E-mail", max_chars=200, help=(
                f"Must be at {', '.join(settings.registration_email_domains)}"
                if settings.registration_email_domains else None))
            c, d = st.columns(2)
            password = c.text_input("Password", type="password", max_chars=72, help="At least 8 characters")
            repeat = d.text_input("Repeat the password", type="password", max_chars=72)
            invite = st.text_input("Invite code", max_chars=200) if settings.registration_invite_code else None
            submitted = st.form_submit_button("Create account")
        if submitted:
            try:
                created = studio.register(username, name, email, password, repeat, invite, session.client())
            except StudioError as error:
                st.error(str(error), icon=":material/person_add:")
            else:
                st.success(f"Account {created} created with {settings.registration_credits:,} credits. Sign in above.")


def restore_jobs(studio, user: str) -> None:
    """A reload or a second tab finds the user's running job of each service in the database,
    so its progress and Cancel are back (the pages read ``{service}_job``)."""
    for service in SERVICES:
        key = f"{service}_job"
        current = st.session_state.get(key)
        if current:
            try:
                if studio.job(user, current)["status"] in ("queued", "running"):
                    continue
            except NotFound:
                st.session_state.pop(key, None)
        running = studio.active_job(user, service)
        if running:
            st.session_state[key] = running


def sidebar(studio, user: str):
    """The sidebar; returns the slot the balance is drawn into once the page has run (so a
    generation the page just started or finished is already in it)."""
    with st.sidebar:
        st.markdown(f"**{st.session_state.get('name') or user}**")
        balance = st.empty()
        auth = st.session_state.get("studio_authenticator")
        if auth is not None:
            if time.time() < st.session_state.get("studio_set_cookie_until", 0):
                auth.cookie_controller.set_cookie()  # the browser keeps the sign-in across reloads
            if st.button("Sign out", key="studio_sign_out", icon=":material/logout:"):
                _sign_out(studio, auth, user)
                session.notify("Signed out.")
                st.rerun()
        with st.expander("Engines on this machine"):
            for info in studio.engines():
                mark = "✅" if info.available else "⛔"
                st.caption(f"{mark} {info.title}" + ("" if info.available else f" — {info.reason}"))
    return balance


def run() -> None:
    st.set_page_config(page_title="Audio Studio", page_icon=":material/graphic_eq:", layout="wide")
    studio = session.studio()
    user = sign_in(studio)
    session.show_notice()
    if not user:
        st.stop()
    st.session_state["studio_user"] = user
    restore_jobs(studio, user)
    pages = [st.Page(str(PAGES_DIR / f), title=t, icon=i) for f, t, i in PAGES if (PAGES_DIR / f).exists()]
    page = st.navigation(pages)
    balance = sidebar(studio, user)  # after st.navigation, so the page list stays at the top of the sidebar
    try:
        page.run()
    finally:
        try:
            balance.metric("Credits", f"{studio.balance(user):,}")
        except StudioError as error:
            balance.caption(f"Credits: unavailable ({error})")


run()
