"""The WORLD converter on real speech: words kept, pitch and timbre moved, settings checked."""
import numpy as np
import pytest

from audiokit import Audio
from audiokit.errors import Cancelled, InvalidInput
from engines import registry
from engines.contract import render
from engines.vc import world as world_vc
from engines.vc.common import VCRequest, VoiceTarget
from engines.vc.world import WorldVCEngine
from tests import vc_helpers as h


@pytest.fixture(scope="module")
def engine():
    return WorldVCEngine().load()


@pytest.fixture(scope="module")
def target():
    return VoiceTarget(f"kokoro:{h.TARGET_VOICE}", "Michael", h.reference(), h.TARGET_VOICE)


@pytest.fixture(scope="module")
def source():
    return h.speech("vm-intro")


@pytest.fixture(scope="module")
def converted(engine, source, target):
    return render(engine, VCRequest(source, target))


def test_converted_speech_keeps_length_and_words(converted, source, whisper):
    assert converted.sample_rate == world_vc.SAMPLE_RATE
    assert converted.duration == pytest.approx(source.duration, abs=0.02)
    assert np.sqrt(np.mean(converted.samples**2)) > 0.02  # not silent
    assert np.max(np.abs(converted.samples)) <= 0.98
    said = h.transcribe(whisper, source)
    heard = h.transcribe(whisper, converted)
    assert len(h.words(said)) >= 5, said
    assert h.wer(said, heard) <= 0.3, (said, heard)


def test_pitch_moves_to_the_target(converted, source, target):
    before, after, goal = h.median_f0(source), h.median_f0(converted), h.median_f0(target.reference)
    assert before > 150 and goal < 140  # a female speaker to a male voice
    assert abs(np.log(after / goal)) < np.log(1.2), (before, after, goal)


def test_keep_pitch_and_shift(engine, source, target):
    kept = render(engine, VCRequest(source, target, keep_pitch=True))
    octave_up = render(engine, VCRequest(source, target, keep_pitch=True, pitch_shift=12.0))
    base = h.median_f0(source)
    assert h.median_f0(kept) == pytest.approx(base, rel=0.1)
    assert h.median_f0(octave_up) == pytest.approx(2 * base, rel=0.1)


def test_strength_scales_the_formant_warp(engine, source, target):
    analysed = engine._analyse(engine._prepare(source), "source")[1]
    profile = engine.profile(target.reference, target.id)
    alpha = engine.estimate_alpha(analysed, profile)
    assert 0.7 <= alpha < 0.97  # a shorter vocal tract to a longer one: formants move down
    none = engine.spectral_map(analysed, profile, alpha**0.0, 0.0)
    assert none.alpha == 1.0 and np.allclose(none.gain, 0.0)


def test_blocks_are_cross_faded_without_a_seam(engine, source, target, monkeypatch):
    """2-second blocks (as a long upload gets 20-second ones) give the same loudness contour as one block."""
    whole = render(engine, VCRequest(source, target, keep_pitch=True))
    monkeypatch.setattr(world_vc, "BLOCK_FRAMES", 400)
    blocks = render(engine, VCRequest(source, target, keep_pitch=True))
    assert len(blocks.samples) == len(whole.samples)
    frame = 480
    env = lambda x: np.sqrt(np.mean(x[: len(x) // frame * frame].reshape(-1, frame) ** 2, axis=1))  # noqa: E731
    assert np.corrcoef(env(whole.samples), env(blocks.samples))[0, 1] > 0.97


@pytest.mark.parametrize("change, field, message", [
    ({"strength": 1.5}, "strength", "Strength must be between 0 and 1, got 1.5"),
    ({"pitch_shift": 24}, "pitch_shift", "Pitch shift (semitones) must be between -12 and 12, got 24"),
    ({"pitch_shift": float("nan")}, "pitch_shift", "got nan"),
    ({"keep_pitch": "yes"}, "keep_pitch", "keep_pitch must be true or false"),
])
def test_bad_settings_are_rejected_before_work(engine, source, target, change, field, message):
    with pytest.raises(InvalidInput) as error:
        engine.check(VCRequest(source, target, **change))
    assert error.value.field == field and message in str(error.value)


def test_a_target_without_voiced_speech_is_rejected(engine, source):
    noise = Audio((0.1 * np.random.default_rng(0).standard_normal(24_000 * 4)).astype(np.float32), 24_000)
    with pytest.raises(InvalidInput, match="Too little voiced speech in the target voice"):
        render(engine, VCRequest(source, VoiceTarget("sample:noise", "Noise", noise)))


def test_the_engine_says_what_it_is_without_loading():
    fresh = WorldVCEngine()
    assert not fresh.loaded and fresh._pw is None
    info = fresh.info
    assert (info.id, info.kind, info.available) == ("world_vc", "vc", True)
    assert info.licence == "MIT (pyworld); no model weights" and info.title.startswith("WORLD")
    assert registry.get("world_vc").id == "world_vc"


def test_cancel_stops_the_conversion(engine, source, target, monkeypatch):
    with pytest.raises(Cancelled):
        render(engine, VCRequest(source, target), cancel=lambda: True)
    # Between blocks, too: the fourth look at ``cancel`` says stop.
    monkeypatch.setattr(world_vc, "BLOCK_FRAMES", 100)
    asked = []
    with pytest.raises(Cancelled):
        render(engine, VCRequest(source, target), cancel=lambda: asked.append(1) or len(asked) >= 4)
    assert len(asked) == 4
