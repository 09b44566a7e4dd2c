"""Which engines exist, which can run here, and each one loaded once per process.

One line per engine: its id and where its class lives. Constructing an engine is cheap
(nothing is loaded), so :func:`info` can tell the UI about every engine, usable or not, with
the fix for the ones that are not. :func:`load` loads on first use and caches.
"""
from __future__ import annotations

import importlib
import logging
import threading

from audiokit.errors import EngineUnavailable
from engines.contract import Engine, EngineInfo

log = logging.getLogger(__name__)

ENGINES: dict[str, str] = {
    "kokoro": "engines.tts.kokoro:KokoroEngine",
    "piper": "engines.tts.piper:PiperEngine",
    "styletts2": "engines.tts.styletts2:StyleTTS2Engine",
    "world_vc": "engines.vc.world:WorldVCEngine",
    "revoice": "engines.vc.revoice:RevoiceEngine",
    "seed_vc": "engines.vc.seed_vc:SeedVCEngine",
    "sfx_library": "engines.sfx.library:SFXLibraryEngine",
    "audioldm": "engines.sfx.audioldm:AudioLDMEngine",
    "kokoro_clone": "engines.clone.kokoro_clone:KokoroCloneEngine",
}

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def get(engine_id: str) -> Engine:
    """The engine ``engine_id``, constructed (cheap) but not necessarily loaded."""
    if engine_id not in ENGINES:
        raise EngineUnavailable(f"Unknown engine {str(engine_id)[:40]!r}; known: {', '.join(ENGINES)}.")
    with _lock:
        engine = _engines.get(engine_id)
        if engine is None:
            module, cls = ENGINES[engine_id].split(":")
            engine = _engines[engine_id] = getattr(importlib.import_module(module), cls)()
        return engine


def load(engine_id: str) -> Engine:
    """The engine ``engine_id``, loaded on first use; EngineUnavailable with the fix when it cannot run."""
    engine = get(engine_id)
    if not engine.loaded:
        engine.load()
        log.info("engine %s ready on %s", engine_id, engine.device)
    return engine


def info(kind: str | None = None) -> list[EngineInfo]:
    """Every engine of ``kind``, usable or not, with the reason and the fix when not."""
    return [get(engine_id).info for engine_id in ENGINES if kind is None or get(engine_id).kind == kind]
