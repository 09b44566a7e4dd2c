"""Clips rendered once per voice and cached on disk: the free voice previews, and the stock
voices' reference clips the voice changer compares against."""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from audiokit import Audio, codec
from engines.contract import render as render_take
from engines.tts.common import TTSRequest
from studio.errors import InvalidInput

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def preview_text(voice) -> str:
    return f"Hi, I'm {voice.name}. This is how I sound when I read your text aloud."


def render(engine, voice_id: str, text: str) -> Audio:
    return render_take(engine, TTSRequest(text, voice_id))


def cached_wav(engine, voice_id: str, text: str, path: Path) -> bytes:
    """WAV bytes of ``text`` spoken by ``voice_id``: rendered on first request (one render per
    path, however many callers), then read from ``path``."""
    path = Path(path)
    with _locks_guard:
        lock = _locks.setdefault(str(path), threading.Lock())
    with lock:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(codec.to_wav(render(engine, voice_id, text)))
            os.replace(tmp, path)
    return path.read_bytes()


def preview_wav(engine, voice_id: str, cache_dir: Path) -> bytes:
    """WAV bytes of the voice's short preview, cached in ``cache_dir``."""
    voice = next((v for v in engine.voices() if v.id == voice_id), None) \
        if re.fullmatch(r"[a-z0-9_]{1,40}", voice_id or "") else None
    if voice is None:
        raise InvalidInput("voice", f"Unknown voice {str(voice_id)[:40]!r} for {engine.id}.")
    return cached_wav(engine, voice_id, preview_text(voice), Path(cache_dir) / f"{engine.id}_{voice_id}.wav")
