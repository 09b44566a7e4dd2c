"""Streamlit pieces shared by the pages: job progress, players, history rows, error display."""
from __future__ import annotations

import logging
from datetime import datetime

import streamlit as st

from studio.errors import NotFound, StudioError
from ui import session

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
SERVICE_LABELS = {"tts": "Text to Speech", "vc": "Voice Changer", "sfx": "Sound Effects"}


def show_error(error: Exception) -> None:
    """A studio error's own message; anything else as a short, honest failure (logged in full)."""
    if isinstance(error, StudioError):
        st.error(str(error), icon=":material/error:")
    else:
        log.exception("unexpected error")
        st.error(f"Something went wrong ({type(error).__name__}). It was logged; please try again.",
                 icon=":material/error:")


def player(job: dict, which: str = "result", index: int = 0) -> None:
    """Play a job's audio: a presigned URL for S3 storage, the bytes for local storage."""
    studio, user = session.studio(), session.user()
    try:
        url = studio.playback_url(user, job["id"], index=index, which=which)
        st.audio(url if url else studio.audio(user, job["id"], index=index, which=which), format="audio/wav")
    except StudioError as error:
        show_error(error)


def downloads(job: dict, index: int = 0, key: str = "") -> None:
    studio, user = session.studio(), session.user()
    stem = f"{job['service']}-{job['id'][:8]}" + (f"-{index + 1}" if index else "")
    a, b = st.columns(2)
    a.download_button("WAV", data=lambda: studio.audio(user, job["id"], "wav", index), file_name=f"{stem}.wav",
                      mime="audio/wav", key=f"wav-{key}{job['id']}-{index}", icon=":material/download:")
    b.download_button("MP3", data=lambda: studio.audio(user, job["id"], "mp3", index), file_name=f"{stem}.mp3",
                      mime="audio/mpeg", key=f"mp3-{key}{job['id']}-{index}", icon=":material/download:")


def job_panel(job_id: str, key: str) -> None:
    """Progress, early playback, cancel and the result of one job; polls while it runs.

    A reload or a second tab shows the same job, because everything is read from its row."""
    studio, user = session.studio(), session.user()
    try:
        row = studio.job(user, job_id)
    except NotFound:
        st.session_state.pop(key, None)
        return
    active = row["status"] in ("queued", "running")

    def body() -> None:
        try:
            job = studio.job(user, job_id)
        except NotFound:
            st.session_state.pop(key, None)
            st.rerun(scope="app")
        if job["status"] in ("queued", "running"):
            st.progress(job["progress"] or 0.0, text=job["message"] or job["status"].capitalize())
            if job["preview_key"]:
                st.caption("The first part is ready — listen while the rest is generated.")
                player(job, which="preview")
            if st.button("Cancel", key=f"cancel-{job_id}", icon=":material/stop_circle:"):
                studio.cancel(user, job_id)
                st.rerun(scope="app")
            return
        if active:  # it just ended: refresh the whole page (balance, history)
            st.rerun(scope="app")
        if job["status"] == "completed":
            outputs = job["outputs"] or [job["result_key"]]
            cols = st.columns(len(outputs))
            for i, col in enumerate(cols):
                with col:
                    player(job, index=i)
                    downloads(job, index=i, key="panel")
        elif job["status"] == "failed":
            st.error(job["error"] or "Generation failed.", icon=":material/error:")
        elif job["status"] == "cancelled":
            st.info("Cancelled. Your credits were refunded.", icon=":material/info:")

    st.fragment(body, run_every=POLL_SECONDS if active else None)()


def when(iso: str | None) -> str:
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone().strftime("%d %b %H:%M")


def history_rows(service: str | None = None, per_page: int = 5, key: str = "recent", query: str | None = None,
                 page: int = 1) -> int:
    """The user's jobs, newest first, each with player, downloads and delete. Returns the total count."""
    studio, user = session.studio(), session.user()
    try:
        rows, total = studio.history(user, service=service, query=query, page=page, per_page=per_page)
    except StudioError as error:
        show_error(error)
        return 0
    if not rows:
        st.caption("Nothing here yet.")
    for job in rows:
        with st.container(border=True):
            title = job["title"] if len(job["title"]) <= 140 else job["title"][:140] + "…"
            st.markdown(f"**{SERVICE_LABELS.get(job['service'], job['service'])}** · {when(job['created_at'])} · "
                        f"{job['cost']} credits · {job['status']}")
            st.text(title)
            if job["status"] == "completed":
                player(job)
                downloads(job, key=key)
            elif job["status"] == "failed":
                st.caption(f"Failed: {job['error']}")
            if job["status"] not in ("queued", "running"):
                if st.button("Delete", key=f"del-{key}-{job['id']}", icon=":material/delete:"):
                    try:
                        studio.delete(user, job["id"])
                        st.toast("Deleted.")
                        st.rerun()
                    except StudioError as error:
                        show_error(error)
    return total
