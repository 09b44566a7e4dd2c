"""Everything the user generated: search, filter, play, download, delete."""
import math

import streamlit as st

from ui import widgets

st.title("History")
c1, c2, c3 = st.columns([3, 2, 1])
query = c1.text_input("Search text or prompt", max_chars=200, key="hist_query")
service = c2.selectbox("Service", [None, "tts", "vc", "sfx"], key="hist_service",
                       format_func=lambda s: "All" if s is None else widgets.SERVICE_LABELS[s])
page = c3.number_input("Page", min_value=1, value=1, step=1, key="hist_page")
total = widgets.history_rows(service=service, query=query, page=int(page), per_page=10, key="hist")
st.caption(f"{total:,} item(s) · page {int(page)} of {max(1, math.ceil(total / 10))}")
