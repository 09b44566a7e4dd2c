"""The engine registry: what is usable here, and why not when it is not."""
import pytest

from engines import registry
from engines.base import EngineUnavailable, TTSEngine


def test_bundled_tts_engines_are_available_and_implement_the_interface(kokoro, piper):
    infos = {i.name: i for i in registry.info("tts")}
    assert infos["kokoro"].available and infos["piper"].available
    assert isinstance(kokoro, TTSEngine) and isinstance(piper, TTSEngine)
    assert registry.load("kokoro") is kokoro  # loaded once per process


def test_missing_weights_make_an_engine_unavailable_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(tmp_path))
    monkeypatch.delitem(registry._loaded, "kokoro", raising=False)
    info = next(i for i in registry.info("tts") if i.name == "kokoro")
    assert not info.available and "make assets" in info.reason
    with pytest.raises(EngineUnavailable, match="make assets"):
        registry.load("kokoro")


def test_unknown_engine():
    with pytest.raises(EngineUnavailable, match="Unknown engine 'nope'"):
        registry.load("nope")
