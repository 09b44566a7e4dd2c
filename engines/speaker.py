"""Who is speaking: resemblyzer's GE2E speaker encoder, loaded once per process.

The voice cloner optimises against it and the clip checks use it to tell one speaker from
two. Every embedding is a unit vector (256 floats), so the similarity of two voices is their
dot product (cosine, about 0.5–0.7 for two different people, 0.8–0.95 for the same one).

**Channel matching.** An encoder hears the band a recording carries: a telephone recording
(8 kHz, nothing above 4 kHz) and a studio rendering of the same voice differ in it. When a
clip is band-limited, whatever is compared with it is band-limited the same way
(:func:`match_band`), so the comparison is about the voice, not the microphone.

Needs resemblyzer (its weights ship in the wheel) and torch's CPU wheel:
``pip install -r requirements-bench.txt`` (resemblyzer, torch CPU, setuptools<81 for webrtcvad).
"""
from __future__ import annotations

import contextlib
import functools
import os
import threading

import numpy as np

from audiokit import Audio, dsp
from engines.contract import missing_module

SAMPLE_RATE = 16_000  # what the encoder listens at
FIX = "Run `.venv/bin/pip install torch==2.13.0 resemblyzer==0.1.4 'setuptools<81'` (make test installs them)."
WINDOW_SECONDS = 1.6  # one partial embedding: 160 frames of 10 ms


def probe() -> str | None:
    """None when the speaker encoder can run here; otherwise what is missing and the fix. Cheap."""
    return (missing_module("torch", "torch", FIX) or missing_module("webrtcvad", "webrtcvad", FIX)
            or missing_module("resemblyzer", "resemblyzer", FIX))


def match_band(audio: Audio, source_rate: int | None) -> Audio:
    """``audio`` limited to the band a recording made at ``source_rate`` carries (resampled down
    to that rate and back); unchanged when that band reaches the encoder's own (8 kHz)."""
    if not source_rate or source_rate >= SAMPLE_RATE:
        return audio
    x = dsp.resample(audio.mono().samples, audio.sample_rate, int(source_rate))
    return Audio(dsp.resample(x, int(source_rate), audio.sample_rate), audio.sample_rate)


@contextlib.contextmanager
def _threads(n: int):
    """torch with ``n`` intra-op threads for one call. One thread is the default: on a busy
    2-core machine a two-thread LSTM pass measured 2–8 s against 0.55 s on one."""
    import torch

    before = torch.get_num_threads()
    if n > 0 and n != before:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if n > 0 and n != before:
            torch.set_num_threads(before)


class SpeakerEncoder:
    """resemblyzer's ``VoiceEncoder`` on the CPU; thread-safe (one forward pass at a time)."""

    def __init__(self) -> None:
        reason = probe()
        if reason:
            from audiokit.errors import EngineUnavailable

            raise EngineUnavailable(f"The speaker encoder is unavailable: {reason}")
        import warnings

        with warnings.catch_warnings():  # webrtcvad imports pkg_resources, which warns
            warnings.simplefilter("ignore")
            from resemblyzer import VoiceEncoder, preprocess_wav
        self._encoder = VoiceEncoder("cpu", verbose=False)
        self._preprocess = preprocess_wav
        self._lock = threading.Lock()
        self._threads = int(os.environ.get("STUDIO_SPEAKER_THREADS", "1"))

    def _wav(self, audio: Audio, source_rate: int | None, trim: bool) -> np.ndarray:
        audio = match_band(audio.mono(), source_rate)
        x = dsp.resample(audio.samples, audio.sample_rate, SAMPLE_RATE) if audio.sample_rate != SAMPLE_RATE \
            else audio.samples
        x = np.asarray(x, np.float32)
        if trim:  # resemblyzer's own preparation: -30 dBFS, long silences cut (webrtcvad)
            x = self._preprocess(x, source_sr=SAMPLE_RATE)
        return np.asarray(x, np.float32)

    def embed(self, audio: Audio, source_rate: int | None = None) -> np.ndarray:
        """The speaker embedding of ``audio`` (a unit vector); ``source_rate`` band-limits it first."""
        wav = self._wav(audio, source_rate, trim=True)
        if len(wav) < SAMPLE_RATE * 0.3:  # VAD cut nearly everything: embed what there is
            wav = self._wav(audio, source_rate, trim=False)
        with self._lock, _threads(self._threads):
            e = self._encoder.embed_utterance(wav)
        return (e / (np.linalg.norm(e) + 1e-9)).astype(np.float32)

    def windows(self, audio: Audio, rate: float = 1.0) -> np.ndarray:
        """One embedding per 1.6 s window of the speech in ``audio`` (silences cut), ``rate``
        windows a second: shape (n, 256), unit rows; n may be 0 for very short speech."""
        wav = self._wav(audio, None, trim=True)
        if len(wav) < SAMPLE_RATE * WINDOW_SECONDS:
            return np.zeros((0, 256), np.float32)
        with self._lock, _threads(self._threads):
            _, partials, _ = self._encoder.embed_utterance(wav, return_partials=True, rate=rate, min_coverage=0.9)
        partials = np.asarray(partials, np.float32)
        return partials / (np.linalg.norm(partials, axis=1, keepdims=True) + 1e-9)


_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _encoder() -> SpeakerEncoder:
    return SpeakerEncoder()


def encoder() -> SpeakerEncoder:
    """The process's one :class:`SpeakerEncoder`, built on first use; EngineUnavailable with the fix."""
    with _lock:
        return _encoder()


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two embeddings."""
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-9))
