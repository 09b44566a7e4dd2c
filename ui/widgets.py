"""Streamlit pieces shared by the pages: job progress, players, history rows, error display.

What the page shows is read from the database on every draw (the job row, the balance), so a
reload, a second tab or another process sees the same truth. Every piece of audio that goes
to the browser — players and downloads — goes through a signed link to the studio's own
route (:func:`audio_link`, :func:`clip`), never a public Streamlit media file.
"""
from __future__ import annotations

import hashlib
import html
import logging
import time
from datetime import datetime

import streamlit as st

from studio import alignment
from studio.errors import NotFound, StudioError
from studio.links import BROWSER_COOKIE
from ui import session

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
SERVICE_LABELS = {"tts": "Text to Speech", "vc": "Voice Changer", "sfx": "Sound Effects", "voices": "Voice Cloning"}
ACTIVE = ("queued", "running")


def show_error(error: Exception) -> None:
    """A studio error's own message; anything else as a short, honest failure (logged in full)."""
    if isinstance(error, StudioError):
        st.error(str(error), icon=":material/error:")
    else:
        log.exception("unexpected error")
        st.error(f"Something went wrong ({type(error).__name__}). It was logged; please try again.",
                 icon=":material/error:")


def act(call, *args, **kwargs) -> None:
    """A button's Studio call: on success the page reruns to show the new state; a studio error
    is shown where the button is, and nothing else changes."""
    try:
        call(*args, **kwargs)
    except StudioError as error:
        show_error(error)
        return
    st.rerun()


# -- audio to the browser ------------------------------------------------------------------------
# Audio never goes through Streamlit's media files (public URLs that anyone holding them can
# fetch, for minutes after sign-out). Players and downloads point at the studio's own route
# (api/media.py) with a signed, short-lived link that names the owner, works only in the
# browser it was shown in (its BROWSER_COOKIE) and dies at sign-out.
REUSE_SECONDS = 600  # a link is reused this long (it lives at least 15 minutes), so redraws keep the same player


def _browser() -> str | None:
    """This browser's cookie that its audio links are bound to (api/media.BrowserCookie sets it)."""
    value = st.context.cookies.get(BROWSER_COOKIE)
    return value if isinstance(value, str) else None  # AppTest has no browser, only a stand-in object


def _stable(key: tuple, make) -> str:
    """The link made for ``key`` within the last REUSE_SECONDS, or a new one: a player whose
    link changed would be replaced, and stop or restart, in the middle of playing. ``make`` gets
    this browser's cookie, which the link is bound to."""
    links = st.session_state.setdefault("studio_audio_links", {})
    found = links.get(key)
    if found is None or time.time() - found[1] > REUSE_SECONDS:
        found = links[key] = (make(_browser()), time.time())
    return found[0]


def audio_link(job: dict, which: str = "result", index: int = 0, fmt: str = "wav", download: bool = False) -> str:
    """The signed-in user's link to a job's audio (owner-checked when it is made and when it is used)."""
    user = session.user()
    link = _stable(("job", user, job["id"], which, index, fmt),
                   lambda browser: session.studio().audio_link(user, job["id"], fmt, index, which, browser=browser))
    return link + ("?download=1" if download else "")


def _audio_tag(link: str, test_id: str = "") -> None:
    extra = f' data-testid="{html.escape(test_id)}"' if test_id else ""
    st.html(f'<audio controls preload="metadata" src="{html.escape(link)}" style="width:100%"{extra}></audio>')


def clip(data: bytes) -> None:
    """Play audio that is not a job's (a voice preview, one of the user's voice samples)."""
    user = session.user()
    _audio_tag(_stable(("clip", user, hashlib.sha256(data).hexdigest()),
                       lambda browser: session.studio().clip_link(user, data, browser=browser)))


def player(job: dict, which: str = "result", index: int = 0) -> None:
    try:
        _audio_tag(audio_link(job, which, index))
    except StudioError as error:
        show_error(error)


def live_player(job_id: str) -> None:
    """One continuous player for a text-to-speech job while it renders: it plays the chunks as
    they are made, from the first sentence, without restarting (a WAV stream, api/media.py)."""
    try:
        user = session.user()
        link = _stable(("live", user, job_id),
                       lambda browser: session.studio().live_link(user, job_id, browser=browser))
    except StudioError as error:
        show_error(error)
        return
    st.html(f'<audio controls autoplay preload="auto" src="{html.escape(link)}" style="width:100%" '
            'data-testid="live-player"></audio>')


def downloads(job: dict, index: int = 0, key: str = "") -> None:
    stem = f"{job['service']}-{job['id'][:8]}" + (f"-{index + 1}" if index else "")
    try:
        anchors = "".join(
            f'<a role="button" href="{html.escape(audio_link(job, index=index, fmt=fmt, download=True))}" '
            f'download="{stem}.{fmt}" style="margin-right:1.5em">{fmt.upper()}</a>' for fmt in ("wav", "mp3"))
    except StudioError as error:
        show_error(error)
        return
    st.html(f'<div>⬇ {anchors}</div>')


def subtitles(job: dict, key: str) -> None:
    """SRT and WebVTT downloads of a text-to-speech take. Timing the words runs Whisper, so it
    is done when the person asks, once, and kept in the session for that clip."""
    made = st.session_state.setdefault("studio_subtitles", {})
    if job["id"] not in made:
        if not st.button("Make subtitles", key=f"subs-{key}-{job['id']}", icon=":material/subtitles:"):
            return
        try:
            with st.spinner("Timing the words…"):
                words = session.studio().word_times(session.user(), job["id"])
        except Exception as error:  # noqa: BLE001 — shown as a studio error or a short, logged failure
            show_error(error)
            return
        made[job["id"]] = {"srt": alignment.srt(words), "vtt": alignment.webvtt(words)}
    stem = f"{job['service']}-{job['id'][:8]}"
    a, b = st.columns(2)
    for column, fmt, mime in ((a, "srt", "application/x-subrip"), (b, "vtt", "text/vtt")):
        column.download_button(f"Subtitles ({fmt.upper()})", made[job["id"]][fmt].encode(), f"{stem}.{fmt}", mime,
                               key=f"subs-{fmt}-{key}-{job['id']}", on_click="ignore", icon=":material/download:")


def takes(job: dict, key: str, compare_source: bool = False) -> None:
    """Every result of a finished job, one take per row (four variations stay readable in a
    narrow column); for a voice conversion, the original beside it for A/B."""
    outputs = job["outputs"] or [job["result_key"]]
    if compare_source and job.get("source_key") and len(outputs) == 1:
        a, b = st.columns(2)
        with a:
            st.caption("A · original")
            player(job, which="source")
        with b:
            st.caption("B · converted")
            player(job)
        downloads(job, key=key)
        return
    for i in range(len(outputs)):
        if len(outputs) > 1:
            st.caption(f"Take {i + 1} of {len(outputs)}")
        player(job, index=i)
        downloads(job, index=i, key=key)


# -- what a job was made with --------------------------------------------------------------------
def describe(job: dict) -> str:
    """Voice, engine and settings of a clip, in one line."""
    p = job.get("params") or {}
    parts: list[str] = []
    if job["service"] == "tts":
        parts.append(f"voice {p.get('voice', '?')}")
        if isinstance(p.get("speed"), (int, float)) and p["speed"] != 1:
            parts.append(f"speed {p['speed']:g}")
    elif job["service"] == "vc":
        parts.append(f"to {p.get('target_name') or p.get('target', '?')}")
        parts.append(f"mode {p.get('mode', '?')}")
        if p.get("strength") is not None:
            parts.append(f"strength {p['strength']:g}")
        if p.get("pitch_shift"):
            parts.append(f"pitch {p['pitch_shift']:+g} st")
        if p.get("keep_pitch"):
            parts.append("own pitch")
        if p.get("diffusion_steps"):
            parts.append(f"{p['diffusion_steps']} steps")
    elif job["service"] == "sfx":
        if p.get("duration") is not None:
            parts.append(f"{p['duration']:g} s")
        if (p.get("variations") or 1) > 1:
            parts.append(f"{p['variations']} variations")
        if p.get("loop"):
            parts.append("loop")
        if p.get("seed") is not None:
            parts.append(f"seed {p['seed']}")
    elif job["service"] == "voices":
        parts.append(f"voice {p.get('voice_name') or p.get('voice', '?')}")
        if p.get("budget"):
            parts.append(f"{p['budget']} search")
        if isinstance(p.get("clip_seconds"), (int, float)):
            parts.append(f"clip {p['clip_seconds']:g} s")
    parts.append(f"engine {job['engine']}")
    return " · ".join(parts)


# -- a running job -----------------------------------------------------------------------------
def job_panel(job_id: str, key: str, early_playback: bool = True) -> None:
    """Progress, early playback, cancel and the result of one job; polls while it runs.

    A reload or a second tab shows the same job, because everything is read from its row
    (app.py finds the user's running job in the database when the session has none)."""
    studio, user = session.studio(), session.user()
    try:
        row = studio.job(user, job_id)
    except NotFound:
        st.session_state.pop(key, None)
        return
    started_active = row["status"] in ACTIVE

    def body() -> None:
        try:
            job = studio.job(user, job_id)
        except NotFound:
            st.session_state.pop(key, None)
            st.rerun(scope="app")
        if job["status"] in ACTIVE:
            st.progress(job["progress"] or 0.0, text=job["message"] or job["status"].capitalize())
            if early_playback and job["preview_key"]:
                st.caption("The first part is ready — listen while the rest is generated.")
                player(job, which="preview")
            if st.button("Cancel", key=f"cancel-{job_id}", icon=":material/stop_circle:"):
                try:
                    studio.cancel(user, job_id)
                except StudioError as error:
                    show_error(error)
                st.rerun(scope="app")
            return
        if started_active:  # it just ended: draw the whole page again (balance, recent list)
            st.rerun(scope="app")
        if job["status"] == "completed":
            takes(job, key="panel")
        elif job["status"] == "failed":
            st.error(job["error"] or "Generation failed.", icon=":material/error:")
        elif job["status"] == "cancelled":
            st.info("Cancelled. Your credits were refunded.", icon=":material/info:")

    st.fragment(body, run_every=POLL_SECONDS if started_active else None)()


def when(iso: str | None) -> str:
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone().strftime("%d %b %H:%M")


# -- history -----------------------------------------------------------------------------------
def history_rows(service: str | None = None, per_page: int = 5, key: str = "recent", query: str | None = None,
                 page: int = 1, voice: str | None = None) -> int:
    """The user's jobs, newest first, each with what made it, player, downloads and a delete that
    asks first. While one of them runs, the list polls, so no card stays "queued" after its job
    ended. Returns the total count."""
    studio, user = session.studio(), session.user()
    filters = dict(service=service, query=query, page=page, per_page=per_page, voice=voice)
    try:
        rows, total = studio.history(user, **filters)
    except StudioError as error:
        show_error(error)
        return 0
    running = {job["id"] for job in rows if job["status"] in ACTIVE}

    def body() -> None:
        try:
            current, _ = studio.history(user, **filters) if running else (rows, total)
        except StudioError as error:
            show_error(error)
            return
        if running and not running & {job["id"] for job in current if job["status"] in ACTIVE}:
            st.rerun(scope="app")  # everything that ran has ended: fresh balance and panels
        if not current:
            st.caption("Nothing here yet.")
        for job in current:
            _card(job, key)

    st.fragment(body, run_every=POLL_SECONDS * 2 if running else None)()
    return total


def _card(job: dict, key: str) -> None:
    studio, user = session.studio(), session.user()
    with st.container(border=True):
        title = job["title"] if len(job["title"]) <= 140 else job["title"][:140] + "…"
        st.markdown(f"**{SERVICE_LABELS.get(job['service'], job['service'])}** · {when(job['created_at'])} · "
                    f"{job['cost']} credits · {job['status']}")
        st.text(title)
        st.caption(describe(job))
        if job["status"] == "completed":
            takes(job, key=key, compare_source=job["service"] == "vc")
            if job["service"] == "tts":
                subtitles(job, key)
        elif job["status"] == "failed":
            st.caption(f"Failed: {job['error']}")
        elif job["status"] in ACTIVE:
            st.progress(job["progress"] or 0.0, text=job["message"] or job["status"].capitalize())
        if job["status"] in ACTIVE:
            return
        confirm = f"confirm-del-{key}-{job['id']}"
        if not st.session_state.get(confirm):
            st.button("Delete", key=f"del-{key}-{job['id']}", icon=":material/delete:",
                      on_click=st.session_state.__setitem__, args=(confirm, True))
            return
        st.warning("Delete this clip and its audio for good?", icon=":material/delete:")
        a, b = st.columns(2)
        b.button("Keep it", key=f"del-no-{key}-{job['id']}", on_click=st.session_state.pop, args=(confirm, None))
        if a.button("Yes, delete", key=f"del-yes-{key}-{job['id']}", type="primary"):
            st.session_state.pop(confirm, None)
            try:
                gone = studio.delete(user, job["id"])
                session.notify("Deleted." if gone else "Deleted. The audio store is not answering; its files "
                               "will be removed when it is back.")
            except StudioError as error:
                show_error(error)
                return
            st.rerun()
