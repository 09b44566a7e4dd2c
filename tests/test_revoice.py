"""Re-voice on real speech: the words come back in a stock voice, placed where they were said."""
import numpy as np
import pytest

from audiokit import Audio
from audiokit.errors import InvalidInput
from engines import registry
from engines import whisper as asr
from engines.contract import render
from engines.vc.common import VCRequest, VoiceTarget
from engines.vc.revoice import SPEED_MAX, SPEED_MIN, Phrase, RevoiceEngine, phrases_from_words
from tests import vc_helpers as h


@pytest.fixture(scope="module")
def engine(kokoro):
    return RevoiceEngine(kokoro=kokoro).load()


@pytest.fixture(scope="module")
def source():
    return h.speech("vm-intro")


def stock(voice="am_michael"):
    return VoiceTarget(f"kokoro:{voice}", voice, None, voice)


def test_revoiced_speech_has_the_words_and_the_length(engine, source, whisper):
    out = render(engine, VCRequest(source, stock()))
    assert out.sample_rate == 24_000
    assert out.duration == pytest.approx(source.duration, rel=0.15)
    assert np.sqrt(np.mean(out.samples**2)) > 0.01
    said, heard = h.transcribe(whisper, source), h.transcribe(whisper, out)
    assert len(h.words(said)) >= 5
    assert h.wer(said, heard) <= 0.25, (said, heard)


def test_phrases_are_placed_at_their_original_times(engine):
    """Two phrases with a long pause between them: the pause survives re-voicing."""
    first, second = h.speech("vm-intro"), h.speech("vm-goodbye")
    gap = np.zeros(int(2.0 * 24_000), np.float32)
    joined = Audio(np.concatenate([first.samples, gap, second.samples]), 24_000)
    phrases = engine.transcribe(joined)
    assert len(phrases) >= 2
    out = render(engine, VCRequest(joined, stock("bf_emma")))
    pause_start, pause_end = first.duration + 0.5, first.duration + 1.5
    loud = np.abs(out.samples[int(pause_start * 24_000): int(pause_end * 24_000)])
    assert loud.max() < 0.02  # the silence is kept where it was
    after = out.samples[int((first.duration + 2.0) * 24_000):]
    assert np.sqrt(np.mean(after**2)) > 0.01  # the second phrase is spoken after it


def test_phrases_split_at_pauses():
    words = [(0.0, 0.3, " Hello"), (0.35, 0.7, " there."), (1.5, 1.9, " Second"), (1.95, 2.3, " part")]
    assert phrases_from_words(words) == [Phrase(0.0, 0.7, "Hello there."), Phrase(1.5, 2.3, "Second part")]
    assert phrases_from_words([]) == []


def test_speed_stays_in_bounds(engine):
    tight = Phrase(0.0, 0.4, "This sentence has far too many words for the time it was given.")
    samples, speed = engine.fit(tight, "af_heart")
    assert speed == SPEED_MAX and len(samples) > 0
    loose = Phrase(0.0, 9.0, "Hi.")
    assert engine.fit(loose, "af_heart")[1] == SPEED_MIN


@pytest.mark.parametrize("target, change, field", [
    (VoiceTarget("sample:" + "a" * 32, "Mine", None, None), {}, "target"),
    (stock(), {"pitch_shift": 3.0}, "pitch_shift"),
])
def test_revoice_rejects_what_it_cannot_do(engine, source, target, change, field):
    with pytest.raises(InvalidInput) as error:
        engine.check(VCRequest(source, target, **change))
    assert error.value.field == field


def test_no_words_means_nothing_to_revoice(engine):
    noise = Audio((0.05 * np.random.default_rng(1).standard_normal(24_000 * 3)).astype(np.float32), 24_000)
    with pytest.raises(InvalidInput, match="No words were recognised"):
        render(engine, VCRequest(noise, stock()))


def test_the_engine_says_what_it_is_without_loading(kokoro, whisper):
    fresh = RevoiceEngine()
    assert not fresh.loaded and fresh._whisper is None
    info = fresh.info
    assert (info.id, info.kind, info.available) == ("revoice", "vc", True)
    assert info.licence == "Apache-2.0 (Kokoro-82M) + MIT (Whisper tiny.en)"
    assert registry.get("revoice").id == "revoice"
    assert asr.probe() is None and asr.model() is whisper  # one Whisper per process


def test_cancel_stops_before_speaking(engine, source):
    from audiokit.errors import Cancelled

    with pytest.raises(Cancelled):
        render(engine, VCRequest(source, stock()), cancel=lambda: True)
