"""The engine registry: every engine described without loading, each loaded once, and why not when it cannot run."""
import subprocess
import sys
from pathlib import Path

import pytest

from audiokit.errors import EngineUnavailable
from engines import registry
from engines.contract import KINDS, Engine, EngineInfo

ROOT = Path(__file__).resolve().parent.parent


def test_info_lists_every_engine_without_loading_any(monkeypatch):
    monkeypatch.setattr(registry, "_engines", {})  # a fresh process's registry
    infos = registry.info()
    assert [i.id for i in infos] == list(registry.ENGINES) and len(infos) == 9
    assert {i.id for i in infos} == {"kokoro", "piper", "styletts2", "world_vc", "revoice", "seed_vc", "sfx_library",
                                     "audioldm", "kokoro_clone"}
    for info in infos:
        assert isinstance(info, EngineInfo)
        assert info.kind in KINDS and info.title and info.licence, info
        assert info.available or info.reason, f"{info.id} is unavailable without saying why"
    kinds = {i.id: i.kind for i in infos}
    assert kinds["kokoro"] == kinds["piper"] == kinds["styletts2"] == "tts"
    assert kinds["world_vc"] == kinds["revoice"] == kinds["seed_vc"] == "vc"
    assert kinds["sfx_library"] == kinds["audioldm"] == "sfx"
    assert [i.id for i in registry.info("sfx")] == ["sfx_library", "audioldm"]
    assert not any(engine.loaded for engine in registry._engines.values())


def test_describing_the_engines_imports_no_model_runtime():
    """Constructing every engine and probing it is cheap: torch and diffusers stay unimported."""
    code = ("import sys; from engines import registry; registry.info(); "
            "print(sorted(m for m in ('torch', 'diffusers', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_unknown_engine_names_the_known_ones():
    with pytest.raises(EngineUnavailable, match="Unknown engine 'nope'") as error:
        registry.get("nope")
    assert all(engine_id in str(error.value) for engine_id in registry.ENGINES)
    with pytest.raises(EngineUnavailable, match="known: kokoro, piper"):
        registry.load("nope")


def test_get_is_cheap_and_returns_the_same_engine(monkeypatch):
    monkeypatch.setattr(registry, "_engines", {})
    first = registry.get("sfx_library")
    assert isinstance(first, Engine) and not first.loaded and first.catalog is None  # nothing heavy yet
    assert registry.get("sfx_library") is first
    assert (first.id, first.kind, first.sample_rate) == ("sfx_library", "sfx", 44_100)


def test_missing_weights_make_an_engine_unavailable_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(tmp_path))
    monkeypatch.setattr(registry, "_engines", {})  # not the loaded kokoro other tests share
    info = next(i for i in registry.info("tts") if i.id == "kokoro")
    assert not info.available and "make assets" in info.reason
    with pytest.raises(EngineUnavailable, match="make assets"):
        registry.load("kokoro")
    with pytest.raises(EngineUnavailable, match="make assets"):
        registry.get("kokoro").load()
    assert not registry.get("kokoro").loaded


def test_audioldm_without_weights_is_unavailable_with_the_fix(monkeypatch):
    monkeypatch.setenv("STUDIO_AUDIOLDM_MODEL", "nobody/no-such-audioldm")
    monkeypatch.setattr(registry, "_engines", {})
    engine = registry.get("audioldm")
    info = engine.info
    assert not info.available and ("download" in info.reason or "pip install" in info.reason)
    with pytest.raises(EngineUnavailable) as error:
        engine.load()
    assert info.reason in str(error.value) and engine.title in str(error.value)
    assert not engine.loaded


def test_load_returns_the_loaded_engine_once_per_process():
    kokoro = registry.load("kokoro")
    assert kokoro.loaded and kokoro.id == "kokoro" and kokoro.kind == "tts"
    assert next(i for i in registry.info("tts") if i.id == "kokoro").available
    assert registry.load("kokoro") is kokoro is registry.get("kokoro")  # loaded once per process
    assert kokoro.load() is kokoro
