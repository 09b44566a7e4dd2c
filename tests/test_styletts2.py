"""StyleTTS2 end to end on a tiny, randomly initialised model saved the way the hub stores it
(tests/styletts2_tiny.py), loaded through the engine's own loader from the hub cache layout
and from the STUDIO_STYLETTS2_DIR folder, and run through a real Studio. The full LibriTTS
model is used only where its weights are present (``full_weights``)."""
from __future__ import annotations

import time

import numpy as np
import pytest

from audiokit import Audio, codec
from audiokit.errors import Cancelled, InvalidInput
from engines import registry
from engines.contract import render
from engines.tts import styletts2
from engines.tts.common import SPEED_MAX, SPEED_MIN, TTSRequest
from engines.tts.text import split_chunks

if styletts2.missing_modules():
    pytest.skip(f"StyleTTS2's packages are not installed ({', '.join(styletts2.missing_modules())}): "
                f"pip install -r requirements-styletts2.txt && pip install --no-deps {styletts2.PACKAGE}",
                allow_module_level=True)

UNIT = 600  # samples per duration unit: the decoder's ×2 and ×300 upsampling at 24 kHz


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from tests import styletts2_tiny

    return styletts2_tiny.build(tmp_path_factory.mktemp("styletts2"))


@pytest.fixture(scope="module")
def hub_cache(tiny_model, tmp_path_factory):
    from tests import styletts2_tiny

    return styletts2_tiny.hub_cache(tmp_path_factory.mktemp("hub"), tiny_model)


@pytest.fixture(scope="module")
def reference() -> Audio:
    from tests import vc_helpers

    return vc_helpers.speech("vm-intro", 24_000)  # a real speaker: the zero-shot reference


@pytest.fixture(scope="module")
def engine(hub_cache, tmp_path_factory, reference):
    """Loaded from the hub cache layout (no local folder), stock voices styled from ``reference``."""
    return styletts2.StyleTTS2Engine(folder=tmp_path_factory.mktemp("no-folder"), cache_dir=hub_cache,
                                     references=lambda voice: reference).load()


@pytest.fixture
def studio_engine(tiny_model, monkeypatch):
    """The registry's engine, configured by the local-folder setting as a user would."""
    monkeypatch.setenv(styletts2.ENV_DIR, str(tiny_model))
    registry._engines.pop("styletts2", None)
    yield
    registry._engines.pop("styletts2", None)


def expected_samples(engine, text: str) -> int:
    """What the tiny model's decoder yields for one part: one unit per phoneme token, less the end pulse."""
    (chunk,) = split_chunks(text)
    return len(engine._phonemizer.tokens(chunk.render_text)) * UNIT - styletts2.END_PULSE_SAMPLES


# -- without loading ----------------------------------------------------------------------
def test_the_engine_says_what_it_is_and_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.delenv(styletts2.ENV_DIR, raising=False)
    engine = styletts2.StyleTTS2Engine(folder=tmp_path, cache_dir=tmp_path / "empty-cache")
    info = engine.info
    assert (info.id, info.kind, info.available) == ("styletts2", "tts", False) and info.licence.startswith("MIT")
    assert "python -m engines.tts.styletts2 download" in info.reason and styletts2.ENV_DIR in info.reason
    assert not engine.loaded
    listed = {i.id: i for i in registry.info("tts")}["styletts2"]  # the page lists it with its fix
    assert listed.available is (styletts2.probe() is None) and (listed.available or listed.reason)
    assert len(engine.voices()) == 28 and engine.voices()[0].engine == "styletts2"


def test_files_are_found_in_a_folder_or_the_hub_cache(tiny_model, hub_cache, tmp_path):
    assert styletts2.resolve(styletts2.CHECKPOINT, tiny_model, tmp_path) == tiny_model / styletts2.CHECKPOINT
    flat = tmp_path / "flat"  # the two files side by side also do
    flat.mkdir()
    (flat / "config.yml").write_bytes((tiny_model / styletts2.CONFIG).read_bytes())
    assert styletts2.resolve(styletts2.CONFIG, flat, tmp_path) == flat / "config.yml"
    assert styletts2.resolve(styletts2.CHECKPOINT, flat, tmp_path) is None
    cached = styletts2.resolve(styletts2.CHECKPOINT, tmp_path / "none", hub_cache)
    assert cached is not None and "snapshots" in cached.parts
    assert styletts2.probe(tmp_path / "none", hub_cache) is None
    assert "epochs_2nd_00020.pth" in styletts2.probe(flat, tmp_path)


@pytest.mark.parametrize("changes, field, message", [
    ({"alpha": 1.5}, "alpha", "Alpha (timbre from the text) must be between 0 and 1, got 1.5."),
    ({"beta": -0.1}, "beta", "Beta (prosody from the text) must be between 0 and 1, got -0.1."),
    ({"diffusion_steps": 1}, "diffusion_steps", "Diffusion steps must be a whole number 2–50, got 1."),
    ({"diffusion_steps": 5.0}, "diffusion_steps", "Diffusion steps must be a whole number 2–50, got 5.0."),
    ({"embedding_scale": float("nan")}, "embedding_scale", "Embedding scale must be between 0 and 10, got nan."),
    ({"voice": "nobody"}, "voice", "Unknown voice 'nobody'"),
    ({"speed": 3.0}, "speed", f"Speed must be between {SPEED_MIN} and {SPEED_MAX}, got 3.0."),
    ({"reference": Audio(np.zeros(4_000, np.float32), 8_000)}, "reference", "is 0.5 s long; StyleTTS2 needs at least 1 s"),
])
def test_settings_are_checked_before_any_work(changes, field, message):
    engine = styletts2.StyleTTS2Engine()  # check() needs no model
    request = styletts2.StyleTTS2Request(**{"text": "Hello.", "voice": "af_heart", **changes})
    with pytest.raises(InvalidInput) as error:
        engine.check(request)
    assert error.value.field == field and message in str(error.value)


def test_defaults_are_upstreams():
    checked = styletts2.StyleTTS2Engine().check(TTSRequest("Hello.", "am_adam"))
    assert (checked.alpha, checked.beta, checked.diffusion_steps, checked.embedding_scale, checked.speed) == (0.3, 0.7, 5, 1.0, 1.0)
    zero_shot = styletts2.StyleTTS2Engine().check(styletts2.StyleTTS2Request(
        "Hello.", "sample:Me", reference=Audio(np.ones(24_000, np.float32), 24_000)))
    assert zero_shot.voice == "sample:Me"  # with a reference the voice is only its label


# -- the tiny model ----------------------------------------------------------------------------
def test_speaks_zero_shot_from_a_reference_clip(engine, reference):
    text = "Hello there, how are you?"
    calls = []
    request = styletts2.StyleTTS2Request(text, "my voice", reference=reference, alpha=0.1, beta=0.9,
                                         diffusion_steps=3, embedding_scale=2.0)
    out = render(engine, request, progress=lambda f, m: calls.append((f, m)))
    assert out.sample_rate == 24_000
    (chunk,) = split_chunks(text)
    pause = int(round(chunk.pause_after * 24_000))
    voiced = expected_samples(engine, text)
    assert 0.8 * voiced + pause <= len(out.samples) <= voiced + pause  # one unit per token; silence trimmed
    assert np.isfinite(out.samples).all() and np.std(out.samples) > 1e-4
    assert [m for _, m in calls] == ["Reading the reference voice", "Speaking part 1 of 1", "Done"]
    assert calls[-1][0] == 1.0
    assert engine.device == "cpu" and engine.load_seconds > 0


def test_a_long_text_is_spoken_part_by_part_and_cancel_stops_between_parts(engine):
    text = "The first sentence is short. " + "The second one goes on for a while, past the first part's limit."
    assert len(split_chunks(text)) == 2
    parts = []
    with pytest.raises(Cancelled):
        for piece in engine.run(engine.check(TTSRequest(text, "af_heart")), cancel=lambda: len(parts) >= 1):
            parts.append(piece)
    assert len(parts) == 1  # the second part was never synthesised


def test_a_checkpoint_that_does_not_fit_its_config_is_refused(tiny_model, tmp_path):
    import yaml

    from audiokit.errors import EngineUnavailable

    folder = tmp_path / "Models" / "LibriTTS"
    folder.mkdir(parents=True)
    config = yaml.safe_load((tiny_model / styletts2.CONFIG).read_text())
    config["model_params"]["style_dim"] = 16
    (folder / "config.yml").write_text(yaml.safe_dump(config))
    (folder / "epochs_2nd_00020.pth").symlink_to(tiny_model / styletts2.CHECKPOINT)
    with pytest.raises(EngineUnavailable, match="does not fit config.yml"):
        styletts2.StyleTTS2Engine(folder=tmp_path, cache_dir=tmp_path / "c").load()


# -- through the Studio ------------------------------------------------------------------------
def test_a_stock_voice_job_runs_end_to_end_in_the_studio(studio_engine, studio):
    """The stock voice's style comes from its Kokoro reference clip; the job is charged and stored."""
    text = "Good morning."
    job_id, notices = studio.submit_tts("alice", text, "bf_emma", engine="styletts2")
    job = studio.wait("alice", job_id, timeout=120)
    assert job["status"] == "completed", job["message"]
    assert job["engine"] == "styletts2" and job["progress"] == 1.0 and notices == ()
    audio = codec.read_wav(studio.audio("alice", job_id))
    assert audio.sample_rate == 24_000
    voiced = expected_samples(registry.get("styletts2"), text)
    assert 0.5 * voiced <= len(audio.samples) <= voiced + int(0.5 * 24_000)
    assert studio.balance("alice") == 10_000 - studio.price("tts", characters=len(text))
    assert studio.history("alice")[1] == 1


def test_zero_shot_from_a_voice_sample_with_its_own_settings_through_the_studio(studio_engine, studio, reference):
    """A user's voice sample is the reference clip; StyleTTS2's own settings travel with the
    request and are recorded; another user's sample, an unknown setting, or a setting the engine
    does not have are refused before any charge."""
    from studio.errors import NotFound

    sample = studio.add_sample("alice", codec.to_wav(reference), "me.wav", "Me")
    job_id, _ = studio.submit_tts("alice", "Good morning.", f"sample:{sample['id']}", engine="styletts2",
                                  alpha=0.1, beta=0.9, diffusion_steps=3, embedding_scale=2.0)
    job = studio.wait("alice", job_id, timeout=120)
    assert job["status"] == "completed", job["message"]
    assert job["params"]["voice"] == f"sample:{sample['id']}"
    assert (job["params"]["alpha"], job["params"]["beta"], job["params"]["diffusion_steps"],
            job["params"]["embedding_scale"]) == (0.1, 0.9, 3, 2.0)
    assert codec.read_wav(studio.audio("alice", job_id)).duration > 0
    spent = studio.balance("alice")
    with pytest.raises(NotFound):
        studio.submit_tts("bob", "Not mine.", f"sample:{sample['id']}", engine="styletts2")
    with pytest.raises(InvalidInput, match="Diffusion steps must be a whole number"):
        studio.submit_tts("alice", "Too many.", "bf_emma", engine="styletts2", diffusion_steps=500)
    with pytest.raises(InvalidInput, match="no setting 'warmth'"):
        studio.submit_tts("alice", "Unknown.", "bf_emma", engine="styletts2", warmth=3)
    with pytest.raises(InvalidInput, match="no setting 'alpha'"):
        studio.submit_tts("alice", "Kokoro has none.", "af_heart", engine="kokoro", alpha=0.5)
    with pytest.raises(InvalidInput, match="cannot speak in your own voices"):
        studio.submit_tts("alice", "Piper neither.", f"sample:{sample['id']}", engine="piper")
    assert studio.balance("alice") == spent and studio.balance("bob") == 10_000


def test_the_page_offers_its_settings_and_the_users_recordings_when_it_is_available(studio_engine, app_env, reference):
    """With the weights present StyleTTS2 is in the model picker with its own sliders; a voice
    sample recorded on the Voice Changer page is a voice; the settings reach the job."""
    from tests.conftest import open_app
    from ui import session

    studio = session.studio()
    sample = studio.add_sample("local", codec.to_wav(reference), "me.wav", "Me")
    at = open_app(timeout=180)
    at.radio(key="tts_engine").set_value("styletts2").run()
    assert not at.exception, at.exception
    voice = at.selectbox(key="tts_voice_styletts2")
    assert voice.options[0] == "Me · my recording" and "Emma — female, British" in voice.options
    voice.select(f"sample:{sample['id']}")
    at.slider(key="tts_styletts2_alpha").set_value(0.2)
    at.slider(key="tts_styletts2_diffusion_steps").set_value(4)
    at.text_area(key="tts_text").input("Good morning.")
    at.button(key="tts_generate").click().run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    job = studio.wait("local", at.session_state["tts_job"], timeout=180)
    assert job["status"] == "completed", job["message"]
    assert job["params"]["voice"] == f"sample:{sample['id']}"
    assert (job["params"]["alpha"], job["params"]["diffusion_steps"], job["params"]["beta"]) == (0.2, 4, 0.7)


def test_cancelling_a_running_job_stops_it_and_refunds(studio_engine, studio):
    engine = registry.load("styletts2")
    engine._references = lambda voice: Audio(np.sin(np.arange(48_000) / 9).astype(np.float32) * 0.3, 24_000)
    with engine._lock:  # hold the model: the job starts and waits for it
        job_id, _ = studio.submit_tts("alice", "Never finished. It was cancelled first.", "am_adam", engine="styletts2")
        deadline = time.monotonic() + 30
        while studio.job("alice", job_id)["status"] != "running" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert studio.cancel("alice", job_id)
    job = studio.wait("alice", job_id, timeout=60)
    assert job["status"] == "cancelled" and job["outputs"] == []
    assert studio.balance("alice") == 10_000
    from studio.errors import NotFound

    with pytest.raises(NotFound, match="has no result audio"):
        studio.audio("alice", job_id)  # nothing was stored


# -- the real model, where its weights are ---------------------------------------------------------
@pytest.mark.full_weights
def test_the_libritts_model_says_the_words(whisper, reference):
    reason = styletts2.probe()
    if reason:
        pytest.skip(f"StyleTTS2 LibriTTS weights absent: {reason}")
    from tests.test_tts_engines import transcribe, words

    engine = styletts2.StyleTTS2Engine(references=lambda voice: reference)
    sentence = "Please call me back before six tonight."
    for request in (TTSRequest(sentence, "af_heart"), styletts2.StyleTTS2Request(sentence, "clip", reference=reference)):
        audio = render(engine, request)
        assert audio.sample_rate == 24_000 and 1.0 < audio.duration < 6.0
        assert words(transcribe(whisper, audio)) == words(sentence)
