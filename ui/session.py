"""What every page shares: the one Studio per process, engines loaded once, the signed-in user."""
from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from studio import config
from studio.core import Studio

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
    """The one Studio of this process; a bad configuration stops the app with its message."""
    try:
        return _studio()
    except (ValueError, OSError) as error:
        st.error(f"The studio's configuration is invalid: {error}", icon=":material/settings:")
        st.stop()


studio.clear = _studio.clear


def user() -> str:
    """The signed-in user's id; app.py's login gate sets it before any page runs."""
    name = st.session_state.get("studio_user")
    if not name:
        # A page opened without the router (a deep link to a fresh server makes Streamlit run
        # pages/ files directly): go through app.py, which signs in and routes.
        st.switch_page(str(Path(__file__).resolve().parent.parent / "app.py"))
    return name
