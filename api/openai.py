"""OpenAI-compatible speech: ``POST /v1/audio/speech`` and ``GET /v1/models``.

Models: ``kokoro`` and ``piper``, and OpenAI's names (``tts-1``, ``tts-1-hd``,
``gpt-4o-mini-tts``) for Kokoro. Voices: any studio voice id (``af_heart``…, ``joe``), the
caller's saved voices (``custom:<id>``, or ``{"id": "custom:<id>"}``; spoken by Kokoro) and
OpenAI's voice names, each mapped to the Kokoro voice of that name or character.
"""
from __future__ import annotations

import math

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api import encode
from api.common import TTS_ENGINES, checked_field, json_body, resolve_voice, route, speech_response, text_field
from api.errors import APIError

MODEL_ALIASES = {"tts-1": "kokoro", "tts-1-hd": "kokoro", "gpt-4o-mini-tts": "kokoro"}
VOICE_ALIASES = {"alloy": "af_alloy", "echo": "am_echo", "fable": "bm_fable", "onyx": "am_onyx", "nova": "af_nova",
                 "shimmer": "af_bella", "ash": "am_adam", "coral": "af_heart", "sage": "af_sarah",
                 "ballad": "bm_george", "verse": "am_michael"}


async def speech(request: Request, studio, user: str):
    body = await json_body(request)
    text = text_field(body, "input")
    model = body.get("model") or "kokoro"
    if not isinstance(model, str):
        raise APIError(422, "invalid_request", "`model` must be a string.")
    engine = MODEL_ALIASES.get(model, model)
    if engine not in TTS_ENGINES:
        raise APIError(404, "model_not_found", f"Unknown model {model[:40]!r}; GET /v1/models lists them.")
    voice = body.get("voice")
    if isinstance(voice, dict):  # {"id": "..."}: a custom voice by id
        voice = voice.get("id")
    if voice is not None and not isinstance(voice, str):
        raise APIError(400, "invalid_request", f"`voice` must be a voice id string (or {{\"id\": ...}}), "
                                               f"got {type(voice).__name__}, e.g. \"alloy\" or \"af_heart\".")
    if not voice:
        raise APIError(400, "invalid_request", "`voice` is required, e.g. \"alloy\" or \"af_heart\".")
    voice = VOICE_ALIASES.get(voice, voice) if engine == "kokoro" else voice
    engine, voice = await run_in_threadpool(resolve_voice, studio, user, voice, engine)
    speed = body.get("speed")
    if speed is not None and (isinstance(speed, bool) or not isinstance(speed, (int, float)) or not math.isfinite(speed)):
        raise APIError(422, "invalid_request", f"`speed` must be a number, got {speed!r}.")
    fmt = encode.openai_format(body.get("response_format"))
    stream = body.get("stream_format") != "sse"  # audio is always sent as it renders where the format allows
    return await speech_response(studio, user, text, voice, engine, None if speed is None else float(speed), fmt, stream,
                                 checked=checked_field(body))


async def models(request: Request, studio, user: str):
    available = {i.id for i in studio.engines("tts") if i.available}
    data = [{"id": e, "object": "model", "created": 0, "owned_by": "studio"} for e in TTS_ENGINES if e in available]
    data += [{"id": alias, "object": "model", "created": 0, "owned_by": "studio", "alias_of": e}
             for alias, e in MODEL_ALIASES.items() if e in available]
    return JSONResponse({"object": "list", "data": data})


def routes(get_studio) -> list[Route]:
    return [Route("/v1/audio/speech", route(get_studio, speech), methods=["POST"]),
            Route("/v1/models", route(get_studio, models), methods=["GET"])]
