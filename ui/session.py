"""What every page shares: the one Studio per process, engines loaded once, the signed-in user."""
from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from studio import config
from studio.core import Studio
from studio.errors import StudioError

SINGLE_USER = "local"


@st.cache_resource(show_spinner="Loading model…")
def engine(name: str):
    """Each engine is loaded once per process and shared by all sessions (with a spinner the first time)."""
    return studio().engine(name)


@st.cache_resource
def _studio() -> Studio:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return Studio(config.load())


def studio() -> Studio:
    """The one Studio of this process; a bad configuration or a failed start-up check (data
    folder, database, users file, audio store) stops the app with its message and fix. Nothing
    is cached on failure, so the next page load tries again."""
    try:
        return _studio()
    except ValueError as error:
        st.error(f"The studio's configuration is invalid: {error}", icon=":material/settings:")
        st.stop()
    except StudioError as error:
        st.error(f"The studio cannot start: {error}", icon=":material/report:")
        st.stop()
    except OSError as error:
        logging.getLogger(__name__).exception("start-up failed")
        st.error(f"The studio cannot start: {error.strerror or type(error).__name__}. The details are in its log.",
                 icon=":material/report:")
        st.stop()


studio.clear = _studio.clear


def shared_studio() -> Studio:
    """The same Studio for the HTTP API (serve.py), which runs outside any page's script."""
    return _studio()


def client() -> str:
    """Where this session comes from, for throttling failed sign-ins per client."""
    try:
        address = st.context.ip_address
    except Exception:  # no browser behind this run
        return "unknown"
    return address if isinstance(address, str) and address else "unknown"


def notify(message: str) -> None:
    """A toast shown on the next draw (one given just before ``st.rerun`` would be lost)."""
    st.session_state["studio_notice"] = message


def show_notice() -> None:
    if "studio_notice" in st.session_state:
        st.toast(st.session_state.pop("studio_notice"), icon=":material/info:")


def user() -> str:
    """The signed-in user's id; app.py's login gate sets it before any page runs."""
    name = st.session_state.get("studio_user")
    if not name:
        # A page opened without the router (a deep link to a fresh server makes Streamlit run
        # pages/ files directly): go through app.py, which signs in and routes.
        st.switch_page(str(Path(__file__).resolve().parent.parent / "app.py"))
    return name
