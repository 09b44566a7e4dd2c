"""What the OpenAI and ElevenLabs routes share: the route wrapper, voices, speech jobs and
their responses (whole or streamed)."""
from __future__ import annotations

import functools
import json
import logging
import re
import threading
from typing import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from api import encode
from api.auth import check_size, user_of
from api.errors import APIError, from_exception
from audiokit import Audio
from engines.tts.text import MAX_CHARS
from studio.core import Studio

log = logging.getLogger(__name__)
TTS_ENGINES = ("kokoro", "piper")
CUSTOM_PREFIX = "custom:"  # a saved voice (studio/voices.py), spoken through Kokoro
_BARE_CUSTOM = re.compile(r"^[0-9a-f]{32}$")  # the same id without its prefix, as ElevenLabs-style ids come


JSON_MAX_BYTES = 2**20  # a JSON request: 10,000 characters of text, or a dictionary's rules, fit many times


def route(get_studio: Callable[[], Studio], fn: Callable[..., Awaitable[Response]], max_bytes: int | None = None):
    """An endpoint: the studio, the caller's user id (API key checked), errors as JSON."""

    @functools.wraps(fn)
    async def endpoint(request: Request) -> Response:
        try:
            studio = get_studio()
            check_size(request, *(() if max_bytes is None else (max_bytes,)))
            user = await run_in_threadpool(user_of, request, studio)
            return await fn(request, studio, user)
        except Exception as error:  # noqa: BLE001 — every failure becomes a JSON answer
            return from_exception(error)

    return endpoint


async def json_body(request: Request, limit: int = JSON_MAX_BYTES, example: str = "") -> dict:
    """The request's JSON object, read no further than ``limit`` bytes (a body sent without a
    length is not held whole before its size is known: 413 once it passes). 422 for anything
    but a JSON object (``example`` shows one)."""
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise APIError(413, "too_large", f"The request is larger than the limit of {limit:,} bytes.")
    try:
        body = json.loads(bytes(data))
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past the parser's depth
        body = None
    if not isinstance(body, dict):
        raise APIError(422, "invalid_json", "The request body must be a JSON object" + (f", e.g. {example}." if example else "."))
    return body


async def read_upload(upload, limit: int, what: str) -> bytes:
    """An uploaded file's bytes, read no further than ``limit``: a body sent without a length
    (chunked) is not held in memory whole before its size is known. 413 when it is larger."""
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise APIError(413, "too_large", f"The {what} is larger than the limit of {limit:,} bytes. Send a smaller file.")
    return data


def text_field(body: dict, name: str) -> str:
    text = body.get(name)
    if not isinstance(text, str):
        raise APIError(422, "invalid_request", f"`{name}` must be a string, got {type(text).__name__}.")
    if not text.strip():
        raise APIError(400, "invalid_request", f"`{name}` is empty. Send the text to speak.")
    if len(text) > MAX_CHARS:
        raise APIError(413, "too_large", f"`{name}` is {len(text):,} characters; the limit is {MAX_CHARS:,}. "
                                         "Split it into several requests.")
    return text


def voice_catalog(studio: Studio) -> dict[str, tuple[str, object]]:
    """voice id → (engine id, Voice) for every text-to-speech engine that can run here."""
    out = {}
    for info in studio.engines("tts"):
        if info.available and info.id in TTS_ENGINES:
            for voice in studio.engine_voices(info.id):
                out.setdefault(voice.id, (info.id, voice))
    return out


def saved_voices(studio: Studio, user: str) -> dict[str, dict]:
    """voice id ("custom:<32 hex>") → listing, for every saved voice ``user`` may use."""
    return {v["id"]: v for v in studio.voices_of(user)}


def saved_voice(studio: Studio, user: str, voice_id) -> dict | None:
    """The saved voice ``voice_id`` names ("custom:<hex>" or the bare 32 hex) if ``user`` may use
    it; None when it is not a saved voice's id, or not one of theirs (the same answer)."""
    if not isinstance(voice_id, str):
        return None
    if _BARE_CUSTOM.match(voice_id):
        voice_id = CUSTOM_PREFIX + voice_id
    if not voice_id.startswith(CUSTOM_PREFIX):
        return None
    return saved_voices(studio, user).get(voice_id)


def resolve_voice(studio: Studio, user: str, voice_id: str, engine: str | None = None) -> tuple[str, str]:
    """(engine, voice) for a stock voice id or one of ``user``'s saved voices; 404 voice_not_found
    for anything else, another user's saved voice included."""
    catalog = voice_catalog(studio)
    if isinstance(voice_id, str) and voice_id not in catalog:
        saved = saved_voice(studio, user, voice_id)
        if saved is not None:
            catalog = {saved["id"]: ("kokoro", saved)}
            voice_id = saved["id"]
    if not isinstance(voice_id, str) or voice_id not in catalog:
        raise APIError(404, "voice_not_found", f"Unknown voice {str(voice_id)[:40]!r}. GET /v1/voices lists them.")
    found_engine, _ = catalog[voice_id]
    if engine and engine != found_engine:
        raise APIError(400, "invalid_request", f"Voice {voice_id!r} belongs to the {found_engine} model, not {engine}.")
    return found_engine, voice_id


def _first(iterator):
    return next(iterator, None)


def checked_field(body: dict) -> bool:
    """The studio's own ``checked`` field of a speech request: hear the take back with Whisper
    (priced as on the page); the report is the history item's ``settings.check``."""
    checked = body.get("checked", False)
    if not isinstance(checked, bool):
        raise APIError(422, "invalid_request", f"`checked` must be true or false, got {checked!r}.")
    return checked


async def speech_response(studio: Studio, user: str, text: str, voice: str, engine: str, speed: float | None,
                          fmt: encode.Format, stream: bool, headers: dict | None = None, checked: bool = False) -> Response:
    """Queue the job, then answer with the audio: streamed from the first chunk when the format
    allows it and ``stream`` is set, otherwise once the take is complete."""
    job_id, _ = await run_in_threadpool(lambda: studio.submit_tts(user, text, voice, engine, speed, True, checked=checked))
    headers = {"x-job-id": job_id, "history-item-id": job_id, "request-id": job_id, **(headers or {})}
    chunks = studio.follow(user, job_id)
    if not (stream and fmt.streams):
        pieces = await run_in_threadpool(list, chunks)
        audio = Audio.join(pieces)
        return Response(await run_in_threadpool(encode.encode, audio, fmt), media_type=fmt.media_type, headers=headers)
    first = await run_in_threadpool(_first, chunks)  # errors before any byte are still JSON errors
    return StreamingResponse(_stream(studio, user, job_id, chunks, first, fmt), media_type=fmt.media_type, headers=headers)


async def _stream(studio: Studio, user: str, job_id: str, chunks, first, fmt: encode.Format):
    encoder = encode.StreamEncoder(fmt)
    finished = False
    try:
        chunk = first
        while chunk is not None:
            data = encoder.chunk(chunk)
            if data:
                yield data
            chunk = await run_in_threadpool(_first, chunks)
        tail = encoder.end()
        if tail:
            yield tail
        finished = True
    except Exception:  # the job failed mid-stream: the client sees the stream end early
        log.exception("stream of job %s ended early", job_id)
        finished = True
    finally:
        if not finished:  # the client went away: stop the job, charge only what was rendered
            # The task is being cancelled, so nothing can be awaited here: hand it to a thread.
            threading.Thread(target=_cancel_quietly, args=(studio, user, job_id), daemon=True).start()


def _cancel_quietly(studio: Studio, user: str, job_id: str) -> None:
    try:
        kept = studio.cancel_rendered(user, job_id)
        log.info("client left the stream of job %s: cancelled, %d credits kept for what was rendered", job_id, kept)
    except Exception:  # noqa: BLE001
        log.exception("could not cancel job %s after its client left", job_id)
