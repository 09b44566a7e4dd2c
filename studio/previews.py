"""Short voice previews, rendered once per voice by the engine and cached on disk (free of charge)."""
from __future__ import annotations

import re
import threading
from pathlib import Path

import numpy as np

from engines.base import Audio, TTSRequest
from studio import audio as audio_io

_lock = threading.Lock()


def preview_text(voice) -> str:
    return f"Hi, I'm {voice.name}. This is how I sound when I read your text aloud."


def render(engine, voice_id: str) -> Audio:
    voice = next((v for v in engine.voices() if v.id == voice_id), None)
    if voice is None:
        from studio.errors import InvalidInput

        raise InvalidInput("voice", f"Unknown voice {voice_id!r} for {engine.name}.")
    parts = [a.samples for a in engine.synthesize(TTSRequest(preview_text(voice), voice_id))]
    return Audio(np.concatenate(parts), engine.sample_rate)


def preview_wav(engine, voice_id: str, cache_dir: Path) -> bytes:
    """WAV bytes of the voice's preview; rendered on first request, then read from ``cache_dir``."""
    if not re.fullmatch(r"[a-z0-9_]{1,40}", voice_id or ""):
        from studio.errors import InvalidInput

        raise InvalidInput("voice", f"Unknown voice {voice_id!r}.")
    path = Path(cache_dir) / f"{engine.name}_{voice_id}.wav"
    with _lock:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(audio_io.to_wav(render(engine, voice_id)))
            tmp.replace(path)
    return path.read_bytes()
