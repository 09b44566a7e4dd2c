"""Everything the user generated: search, filter by kind and voice, play, download, delete."""
import math

import streamlit as st

from ui import session, widgets

studio, user = session.studio(), session.user()
st.title("History")
c1, c2, c3, c4 = st.columns([3, 2, 2, 1])
query = c1.text_input("Search text or prompt", max_chars=200, key="hist_query")
service = c2.selectbox("Kind", [None, *widgets.SERVICE_LABELS], key="hist_service",
                       format_func=lambda s: "All" if s is None else widgets.SERVICE_LABELS[s])
voices = dict(studio.history_voices(user, service))
names = dict(studio.stock_targets())  # "kokoro:af_heart" -> "Heart — female, American"
names.update(studio.saved_targets(user))  # "custom:<id>" -> "Narrator · my voice"


def _voice_label(v: str | None) -> str:
    return "All" if v is None else names.get(f"kokoro:{v}") or names.get(v) or voices.get(v, v)


voice = c3.selectbox("Voice", [None, *voices], key="hist_voice", format_func=_voice_label)
page = c4.number_input("Page", min_value=1, value=1, step=1, key="hist_page")
total = widgets.history_rows(service=service, query=query, page=int(page), per_page=10, key="hist", voice=voice)
st.caption(f"{total:,} item(s) · page {int(page)} of {max(1, math.ceil(total / 10))}")
