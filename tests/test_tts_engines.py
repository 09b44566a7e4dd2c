"""The bundled voices, for real: Kokoro-82M and Piper, heard back by Whisper tiny.en."""
import re

import jiwer
import numpy as np
import pytest
from num2words import num2words

from audiokit import Audio
from audiokit.errors import InvalidInput
from engines import contract
from engines.tts.common import TTSRequest
from engines.tts.kokoro import VOICES

SENTENCES = [
    "Dr. Smith arrived at 9 o'clock with 3 large boxes.",
    "The meeting on Jan. 5th was moved to room 12.",
    "Please call me back before 6 tonight.",
]


def words(text: str) -> str:
    text = text.lower().replace("dr.", "doctor").replace("jan.", "january").replace("5th", "fifth")
    text = re.sub(r"\d+", lambda m: " " + num2words(int(m.group())) + " ", text)
    text = re.sub(r"[^a-z' ]+", " ", text.replace("-", " "))
    return " ".join(text.replace("o'clock", "oclock").split())


def transcribe(whisper, audio: Audio) -> str:
    import soxr

    samples = soxr.resample(audio.samples, audio.sample_rate, 16000)
    segments, _ = whisper.transcribe(samples, language="en", beam_size=1)
    return " ".join(s.text for s in segments)


def render(engine, text, voice, speed=None) -> Audio:
    return contract.render(engine, TTSRequest(text, voice, speed))


@pytest.mark.parametrize("voice", ["af_heart", "am_michael", "bf_emma", "bm_george"])
def test_kokoro_voices_say_the_words(kokoro, whisper, voice):
    hyps, refs = [], []
    for sentence in SENTENCES:
        audio = render(kokoro, sentence, voice)
        assert audio.sample_rate == 24000
        assert 1.5 < audio.duration < 8
        assert np.max(np.abs(audio.samples)) > 0.05
        hyps.append(words(transcribe(whisper, audio)))
        refs.append(words(sentence))
    assert jiwer.wer(refs, hyps) <= 0.1, list(zip(refs, hyps))


def test_piper_says_the_words(piper, whisper):
    refs = [words(s) for s in SENTENCES]
    hyps = [words(transcribe(whisper, render(piper, s, "joe"))) for s in SENTENCES]
    assert jiwer.wer(refs, hyps) <= 0.1, list(zip(refs, hyps))


def test_speed_changes_duration(kokoro):
    text = "Speed changes how long this sentence takes to say."
    normal, fast = render(kokoro, text, "af_bella", 1.0), render(kokoro, text, "af_bella", 1.8)
    assert fast.duration < 0.75 * normal.duration


def test_chunks_are_joined_without_clicks(kokoro):
    parts = list(kokoro.run(kokoro.check(TTSRequest("First part is short. " + "Then a longer sentence follows it here. " * 4, "af_heart"))))
    assert len(parts) >= 2
    for part in parts:  # each piece starts and ends at (near) zero: faded edges, then silence
        assert abs(part.samples[0]) < 1e-3 and abs(part.samples[-1]) < 1e-3


def test_progress_is_reported_per_chunk(kokoro):
    seen = []
    text = "One sentence here. Another sentence there. " * 6
    list(kokoro.run(kokoro.check(TTSRequest(text, "af_heart")), progress=lambda f, m: seen.append(f)))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and len(seen) >= 3 and seen == sorted(seen)


def test_all_28_english_voices_are_listed_with_readable_labels(kokoro):
    voices = kokoro.voices()
    assert len(voices) == 28 == len(VOICES)
    assert {v.accent for v in voices} == {"American", "British"}
    assert {v.gender for v in voices} == {"female", "male"}
    assert next(v for v in voices if v.id == "bm_george").label == "George — male, British"


@pytest.mark.parametrize("request_, field, message", [
    (TTSRequest("", "af_heart"), "text", "empty"),
    (TTSRequest("hi", "xx_nobody"), "voice", "Unknown voice 'xx_nobody'"),
    (TTSRequest("hi", "af_heart", 0.1), "speed", "between 0.5 and 2.0, got 0.1"),
    (TTSRequest("hi", "af_heart", 2.5), "speed", "got 2.5"),
    (TTSRequest("hi", "af_heart", float("nan")), "speed", "got nan"),
])
def test_bad_requests_fail_before_any_work(kokoro, request_, field, message):
    with pytest.raises(InvalidInput, match=message) as info:
        kokoro.check(request_)
    assert info.value.field == field
