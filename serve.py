"""The studio as one process: the Streamlit pages (app.py) and the HTTP API (api/) on one
port, sharing one Studio. ``make run`` starts it with ``streamlit run serve.py``."""
import streamlit as st

import api
from ui import session

app = st.App("app.py", routes=api.routes(session.shared_studio), middleware=api.middleware())
