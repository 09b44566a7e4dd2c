"""ElevenLabs-compatible routes: text-to-speech (whole, streamed, with timestamps), voices,
speech-to-speech, sound generation, history and the user's balance.

Voice ids are the studio's own (``af_heart``, ``bm_george``, ``joe``…) and the caller's saved
voices (``custom:<id>``, or the bare 32-hex id; listed as "cloned" or "generated", spoken by
Kokoro, usable as speech-to-speech targets too). ``model_id`` may name
a studio engine (``kokoro``, ``piper``); ElevenLabs' own model names get Kokoro. Credits are
reported as the subscription's characters: ``character_limit`` = spent + balance.
"""
from __future__ import annotations

import base64
import math
from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api import encode
from api.common import (TTS_ENGINES, checked_field, json_body, read_upload, resolve_voice, route, saved_voice,
                        saved_voices, speech_response, text_field, voice_catalog)
from api.dictionaries import check_locators
from api.errors import APIError
from audiokit import Audio, codec, decode
from studio import alignment

STS_MODES = {"world": "world", "revoice": "revoice", "seed": "seed", "seed_vc": "seed"}


def _engine_of(model_id) -> str | None:
    if model_id is None:
        return None
    if not isinstance(model_id, str):
        raise APIError(422, "invalid_request", "`model_id` must be a string.")
    return model_id if model_id in TTS_ENGINES else None


def _speed(body: dict) -> float | None:
    settings = body.get("voice_settings") or {}
    if not isinstance(settings, dict):
        raise APIError(422, "invalid_request", "`voice_settings` must be an object.")
    speed = settings.get("speed")
    if speed is None:
        return None
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not math.isfinite(speed):
        raise APIError(422, "invalid_request", f"`voice_settings.speed` must be a number, got {speed!r}.")
    return float(speed)


async def _tts(request: Request, studio, user: str, stream: bool):
    body = await json_body(request)
    text = text_field(body, "text")
    await run_in_threadpool(check_locators, studio, user, body)
    engine, voice = await run_in_threadpool(resolve_voice, studio, user, request.path_params["voice_id"],
                                            _engine_of(body.get("model_id")))
    fmt = encode.elevenlabs_format(request.query_params.get("output_format"))
    return await speech_response(studio, user, text, voice, engine, _speed(body), fmt, stream, checked=checked_field(body))


async def convert(request: Request, studio, user: str):
    return await _tts(request, studio, user, stream=False)


async def stream(request: Request, studio, user: str):
    return await _tts(request, studio, user, stream=True)


async def with_timestamps(request: Request, studio, user: str):
    body = await json_body(request)
    text = text_field(body, "text")
    await run_in_threadpool(check_locators, studio, user, body)
    engine, voice = await run_in_threadpool(resolve_voice, studio, user, request.path_params["voice_id"],
                                            _engine_of(body.get("model_id")))
    fmt = encode.elevenlabs_format(request.query_params.get("output_format"))
    speed, checked = _speed(body), checked_field(body)
    job_id, _ = await run_in_threadpool(lambda: studio.submit_tts(user, text, voice, engine, speed, checked=checked))
    row = await run_in_threadpool(studio.wait, user, job_id)
    if row["status"] != "completed":
        raise APIError(500 if row["status"] == "failed" else 409, row["status"], row["error"] or f"The job was {row['status']}.")
    audio = codec.read_wav(await run_in_threadpool(studio.audio, user, job_id))
    words = await run_in_threadpool(alignment.word_times, audio, text)
    chars, starts, ends = alignment.characters(text, words)
    shape = {"characters": chars, "character_start_times_seconds": starts, "character_end_times_seconds": ends}
    data = await run_in_threadpool(encode.encode, audio, fmt)
    return JSONResponse({"audio_base64": base64.b64encode(data).decode(), "alignment": shape,
                         "normalized_alignment": shape, "words": [{"word": w, "start": a, "end": b} for w, a, b in words]},
                        headers={"history-item-id": job_id})


def _voice_json(engine: str, voice) -> dict:
    return {"voice_id": voice.id, "name": voice.name, "category": "premade", "description": voice.description or voice.label,
            "labels": {"gender": voice.gender, "accent": voice.accent, "engine": engine},
            "preview_url": None, "available_for_tiers": [], "settings": None, "high_quality_base_model_ids": [engine]}


def _saved_voice_json(saved: dict) -> dict:
    """One of the caller's saved voices (studio/voices.py): "cloned" from a clip or "generated" by the designer."""
    cloned = saved["kind"] == "clone"
    description = "Cloned from a clip" if cloned else "Designed from stock voices"
    labels = {"accent": saved["accent"], "engine": "kokoro"}
    if not saved["mine"]:
        description += f", shared by {saved['owner']}"
        labels["shared_by"] = saved["owner"]
    return {"voice_id": saved["id"], "name": saved["name"], "category": "cloned" if cloned else "generated",
            "description": description, "labels": labels, "preview_url": None, "available_for_tiers": [],
            "settings": None, "high_quality_base_model_ids": ["kokoro"]}


async def voices(request: Request, studio, user: str):
    catalog = await run_in_threadpool(voice_catalog, studio)
    saved = await run_in_threadpool(saved_voices, studio, user)
    items = [_saved_voice_json(v) for v in saved.values()]
    items += [_voice_json(engine, voice) for engine, voice in catalog.values()]
    return JSONResponse({"voices": items, "has_more": False, "total_count": len(items), "next_page_token": None})


async def voice(request: Request, studio, user: str):
    voice_id = request.path_params["voice_id"]
    catalog = await run_in_threadpool(voice_catalog, studio)
    found = catalog.get(voice_id)
    if found is not None:
        return JSONResponse(_voice_json(*found))
    saved = await run_in_threadpool(saved_voice, studio, user, voice_id)
    if saved is None:
        raise APIError(404, "voice_not_found", f"Unknown voice {voice_id[:40]!r}.")
    return JSONResponse(_saved_voice_json(saved))


async def speech_to_speech(request: Request, studio, user: str):
    try:
        form = await request.form(max_files=1, max_fields=20, max_part_size=52 * 1024 * 1024)
    except Exception as error:  # noqa: BLE001 — a malformed form is the client's mistake
        raise APIError(422, "invalid_form", f"Send the clip as multipart form field `audio` ({type(error).__name__}).") from None
    upload = form.get("audio")
    if upload is None or isinstance(upload, str):
        raise APIError(400, "invalid_request", "Send the clip to convert as the multipart file field `audio`.")
    data = await read_upload(upload, decode.MAX_BYTES, "clip")
    model = form.get("model_id") or "world"
    mode = STS_MODES.get(model, "world")
    voice_id = request.path_params["voice_id"]
    catalog = await run_in_threadpool(voice_catalog, studio)
    if catalog.get(voice_id, ("",))[0] == "kokoro":
        target = f"kokoro:{voice_id}"
    else:
        saved = await run_in_threadpool(saved_voice, studio, user, voice_id)
        if saved is None:
            raise APIError(404, "voice_not_found", f"Unknown target voice {voice_id[:40]!r}; speech-to-speech targets "
                                                   "are the Kokoro voices and your saved voices (GET /v1/voices).")
        target = saved["id"]
    fmt = encode.elevenlabs_format(request.query_params.get("output_format"))
    job_id = await run_in_threadpool(studio.submit_vc, user, data, upload.filename, target, mode)
    return await _finished_audio(studio, user, job_id, fmt)


async def sound_generation(request: Request, studio, user: str):
    body = await json_body(request)
    text = text_field(body, "text")
    duration = body.get("duration_seconds")
    if duration is None:
        duration = 5.0
    if isinstance(duration, bool) or not isinstance(duration, (int, float)):
        raise APIError(422, "invalid_request", f"`duration_seconds` must be a number, got {duration!r}.")
    loop = bool(body.get("loop", False))
    accept_closest = bool(body.get("accept_closest", False))  # a loose match is refused (400, with the closest) unless set
    fmt = encode.elevenlabs_format(request.query_params.get("output_format"))
    job_id, _, _ = await run_in_threadpool(
        lambda: studio.submit_sfx(user, text, float(duration), 1, loop, accept_closest=accept_closest))
    return await _finished_audio(studio, user, job_id, fmt)


async def _finished_audio(studio, user: str, job_id: str, fmt: encode.Format) -> Response:
    row = await run_in_threadpool(studio.wait, user, job_id)
    if row["status"] != "completed":
        raise APIError(500 if row["status"] == "failed" else 409, row["status"], row["error"] or f"The job was {row['status']}.")
    audio = codec.read_wav(await run_in_threadpool(studio.audio, user, job_id), mono=False)
    data = await run_in_threadpool(encode.encode, Audio(audio.mono().samples, audio.sample_rate), fmt)
    return Response(data, media_type=fmt.media_type, headers={"history-item-id": job_id})


SOURCES = {"tts": "TTS", "vc": "STS", "sfx": "SFX", "voices": "VoiceGeneration"}


def _history_item(row: dict) -> dict:
    params = row.get("params") or {}
    created = int(datetime.fromisoformat(row["created_at"]).timestamp())
    chars = len(row["title"] or "") if row["service"] == "tts" else 0
    return {"history_item_id": row["id"], "request_id": row["id"], "voice_id": params.get("voice") or params.get("target"),
            "voice_name": params.get("target_name") or params.get("voice_name") or params.get("voice"),
            "model_id": row["engine"],
            "text": row["title"], "date_unix": created, "character_count_change_from": 0,
            "character_count_change_to": chars, "content_type": "audio/mpeg",
            "state": {"completed": "created", "failed": "failed", "cancelled": "deleted"}.get(row["status"], "processing"),
            "settings": params, "source": SOURCES.get(row["service"], row["service"]), "credits": row["cost"],
            "status": row["status"]}


async def history(request: Request, studio, user: str):
    q = request.query_params
    try:
        size = int(q.get("page_size", "100"))
    except ValueError:
        raise APIError(422, "invalid_request", "`page_size` must be a whole number 1–1000.") from None
    if not 1 <= size <= 1000:
        raise APIError(400, "invalid_request", f"`page_size` must be 1–1000, got {size}.")
    after, voice_id = q.get("start_after_history_item_id"), q.get("voice_id")

    def collect() -> tuple[list[dict], bool]:
        out, page, seen_cursor = [], 1, after is None
        while True:
            rows, total = studio.history(user, page=page, per_page=100)
            for row in rows:
                if not seen_cursor:
                    seen_cursor = row["id"] == after
                    continue
                item = _history_item(row)
                if voice_id and item["voice_id"] != voice_id:
                    continue
                if len(out) == size:
                    return out, True
                out.append(item)
            if page * 100 >= total:
                return out, False
            page += 1

    items, more = await run_in_threadpool(collect)
    return JSONResponse({"history": items, "has_more": more,
                         "last_history_item_id": items[-1]["history_item_id"] if items else None})


async def history_item(request: Request, studio, user: str):
    row = await run_in_threadpool(studio.job, user, request.path_params["item_id"])
    return JSONResponse(_history_item(row))


async def history_audio(request: Request, studio, user: str):
    data = await run_in_threadpool(studio.audio, user, request.path_params["item_id"], "mp3")
    return Response(data, media_type="audio/mpeg")


async def history_delete(request: Request, studio, user: str):
    await run_in_threadpool(studio.delete, user, request.path_params["item_id"])
    return JSONResponse({"status": "ok"})


async def me(request: Request, studio, user: str):
    balance, spent = await run_in_threadpool(lambda: (studio.balance(user), studio.spent(user)))
    subscription = {"tier": "studio", "character_count": spent, "character_limit": spent + balance,
                    "can_extend_character_limit": False, "allowed_to_extend_character_limit": False,
                    "next_character_count_reset_unix": None, "voice_limit": 0, "professional_voice_limit": 0,
                    "can_extend_voice_limit": False, "can_use_instant_voice_cloning": False,
                    "can_use_professional_voice_cloning": False, "currency": None, "status": "active",
                    "max_credit_limit_extension": 0, "voice_slots_used": 0, "professional_voice_slots_used": 0,
                    "professional_voice_slots_used_in_workspace": 0, "voice_add_edit_counter": 0,
                    "current_overage": {"amount": 0, "currency": "usd"}}
    return JSONResponse({"user_id": user, "first_name": user, "subscription": subscription, "credits": balance,
                         "is_new_user": False, "xi_api_key": None, "can_use_delayed_payment_methods": False,
                         "is_onboarding_completed": True, "is_onboarding_checklist_completed": True,
                         "created_at": 0, "seat_type": "workspace_member", "workspace_id": "studio"})


async def subscription(request: Request, studio, user: str):
    response = await me(request, studio, user)
    import json

    return JSONResponse(json.loads(response.body)["subscription"])


def routes(get_studio) -> list[Route]:
    r = lambda fn, **kw: route(get_studio, fn, **kw)  # noqa: E731
    return [
        Route("/v1/text-to-speech/{voice_id}", r(convert), methods=["POST"]),
        Route("/v1/text-to-speech/{voice_id}/stream", r(stream), methods=["POST"]),
        Route("/v1/text-to-speech/{voice_id}/with-timestamps", r(with_timestamps), methods=["POST"]),
        Route("/v1/voices", r(voices), methods=["GET"]),
        Route("/v2/voices", r(voices), methods=["GET"]),
        Route("/v1/voices/{voice_id}", r(voice), methods=["GET"]),
        Route("/v1/speech-to-speech/{voice_id}", r(speech_to_speech), methods=["POST"]),
        Route("/v1/speech-to-speech/{voice_id}/stream", r(speech_to_speech), methods=["POST"]),
        Route("/v1/sound-generation", r(sound_generation), methods=["POST"]),
        Route("/v1/history", r(history), methods=["GET"]),
        Route("/v1/history/{item_id}", r(history_item), methods=["GET"]),
        Route("/v1/history/{item_id}/audio", r(history_audio), methods=["GET"]),
        Route("/v1/history/{item_id}", r(history_delete), methods=["DELETE"]),
        Route("/v1/user", r(me), methods=["GET"]),
        Route("/v1/user/subscription", r(subscription), methods=["GET"]),
    ]
