"""The text-to-speech request, its checks, and chunked synthesis shared by the TTS engines.

A take is rendered chunk by chunk (:func:`engines.tts.text.split_chunks`): each chunk's
spoken form goes to the voice, its edges are tidied without touching speech, and it is
brought to the studio's one loudness with a gain fixed per voice, so every chunk of a take
(yielded as soon as it is ready, for early playback) shares one gain:

- **loudness**: the gain that brings a reference passage spoken by the voice to −16 LUFS
  integrated (``audiokit.dsp.loudness``, ITU-R BS.1770), measured once per voice and cached
  (Kokoro ships the table); each chunk then goes through the one peak limiter
  (``audiokit.dsp.limit``) under −1.5 dBFS sample peak, lowered further where the 4×
  oversampled true peak would pass −1 dBFS. An engine whose level swings from sentence to
  sentence (``steady_level = False``: Piper) has each chunk brought to −16 LUFS instead;
- **edges**: only true silence is trimmed (more than 60 dB under the chunk's peak), keeping
  :data:`EDGE_KEEP` of it, so the voice's own decay of its last word stays; the fade that
  prevents clicks lies inside that silence;
- **pauses** after each chunk follow what ended it (paragraph, sentence, clause, phrase),
  scaled by the request's ``pause`` and divided by its speed.
"""
from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass, replace
from typing import Iterator

import numpy as np

from audiokit import Audio, Cancel, Progress, dsp
from audiokit.errors import InvalidInput
from engines.contract import Engine, Voice, stop_if
from engines.tts.text import FIRST_CHUNK_CHARS, clean_text, split_chunks

log = logging.getLogger(__name__)

SPEED_MIN, SPEED_MAX = 0.7, 1.3
PAUSE_MIN, PAUSE_MAX = 0.5, 2.0
LEXICON_MAX_ENTRIES = 5000

TARGET_LUFS = -16.0
# Sample-peak ceiling of the limiter: 0.5 dB under the −1 dBFS true-peak goal, the margin that
# inter-sample peaks of speech at 22–24 kHz need.
PEAK_CEILING = 10 ** (-1.5 / 20)
SILENCE_DB = -60.0  # under the chunk's peak: true silence, safe to trim
EDGE_KEEP = 0.06  # seconds of that silence kept at each edge of a chunk
# A long low tail (breath, noise) 45 dB under the peak is cut to this much: so no take trails
# more than 0.2 s, while the decay of the last word (louder than that) is always kept.
QUIET_DB, QUIET_KEEP = -45.0, 0.18
TRUE_PEAK_DB = -1.0
EDGE_FADE = 0.005  # the click-free fade, inside the kept silence
YIELD_SECONDS = 8.0  # after the first chunk, audio is handed on in pieces of at least this much

# A passage with every kind of sound (vowels, fricatives, plosives, a question): what a voice's
# loudness is measured on, once.
REFERENCE_TEXT = ("The quick brown fox jumps over the lazy dog, and she sells seashells by the seashore. "
                  "Would you like a cup of tea while we wait for the morning train?")


@dataclass(frozen=True)
class TTSRequest:
    text: str
    voice: str
    speed: float | None = None  # None: the model's default (1.0); 0.7–1.3
    pause: float | None = None  # None: 1.0; multiplies the pauses between sentences and clauses, 0.5–2.0
    # Pronunciations, applied before normalisation: (word or phrase, respelling or "/phonemes/").
    lexicon: tuple[tuple[str, str], ...] = ()


def _number_in(field: str, value, low: float, high: float, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not low <= value <= high:
        raise InvalidInput(field, f"{what} must be between {low} and {high}, got {value!r}.")
    return float(value)


def check_lexicon(lexicon) -> tuple[tuple[str, str], ...]:
    """The lexicon as a tuple of (word, respelling) string pairs, or InvalidInput naming the entry."""
    if lexicon is None:
        return ()
    if isinstance(lexicon, dict):
        lexicon = tuple(lexicon.items())
    try:
        entries = tuple(lexicon)
    except TypeError:
        raise InvalidInput("lexicon", f"The pronunciation lexicon must be (word, pronunciation) pairs, "
                                      f"got {type(lexicon).__name__}.") from None
    if len(entries) > LEXICON_MAX_ENTRIES:
        raise InvalidInput("lexicon", f"The pronunciation lexicon has {len(entries):,} entries; "
                                      f"the limit is {LEXICON_MAX_ENTRIES:,}. Remove some.")
    out = []
    for entry in entries:
        if not (isinstance(entry, (tuple, list)) and len(entry) == 2 and all(isinstance(x, str) for x in entry)):
            raise InvalidInput("lexicon", f"Each pronunciation must be a (word, pronunciation) pair of texts, "
                                          f"got {str(entry)[:60]!r}.")
        word, said = entry[0].strip(), entry[1].strip()
        if not word or not said or said == "//":
            raise InvalidInput("lexicon", f"The pronunciation of {entry[0][:40]!r} is empty. "
                                          "Give a respelling, or phonemes between slashes.")
        out.append((word, said))
    return tuple(out)


def check_request(request: TTSRequest, voices: list[Voice]) -> TTSRequest:
    """Validate a request before any heavy work; return it with clean text, a speed and a pause."""
    text = clean_text(request.text).text
    ids = {v.id for v in voices}
    if request.voice not in ids:
        raise InvalidInput(
            "voice",
            f"Unknown voice {str(request.voice)[:40]!r}. Pick one of: {', '.join(sorted(ids))}.",
        )
    speed = _number_in("speed", 1.0 if request.speed is None else request.speed, SPEED_MIN, SPEED_MAX, "Speed")
    pause = _number_in("pause", 1.0 if request.pause is None else request.pause, PAUSE_MIN, PAUSE_MAX,
                       "Pause length")
    return replace(request, text=text, speed=speed, pause=pause, lexicon=check_lexicon(request.lexicon))


class ChunkedTTS(Engine):
    """Base for engines that render one chunk of text at a time: they list their voices in
    :meth:`voices` and implement ``_render(text, voice, speed) -> samples``; this class checks
    the request, splits the text, renders each chunk's spoken form, tidies its edges, brings
    it to the one loudness and appends its pause, so plain concatenation of the chunks is the
    finished take."""

    kind = "tts"
    # True: one gain per voice for every take (the voice's level is steady from sentence to
    # sentence). False: each chunk is brought to the target on its own (a voice whose level
    # swings between sentences, as Piper's does by 3 LU and more).
    steady_level = True
    # The first chunk is cut at its first clause (or phrase) when longer than this, so the first
    # audio is ready sooner; an engine fast enough not to need it sets MAX_CHUNK_CHARS.
    first_chunk_chars = FIRST_CHUNK_CHARS

    def __init__(self) -> None:
        super().__init__()
        self._gains: dict[str, float] = {}
        self._gains_lock = threading.Lock()

    def voices(self) -> list[Voice]:
        raise NotImplementedError

    def _render(self, text: str, voice: str, speed: float) -> np.ndarray:
        raise NotImplementedError

    def check(self, request: TTSRequest) -> TTSRequest:
        return check_request(request, self.voices())

    # -- one loudness ------------------------------------------------------------------------------
    def reference_gain_db(self, voice: str) -> float | None:
        """The gain (dB) for ``voice`` when the engine knows it without rendering (a table measured
        once with :meth:`measure_gain_db`); None to measure it now."""
        return None

    def reference(self, voice: str) -> np.ndarray:
        """:data:`REFERENCE_TEXT` spoken by ``voice`` at speed 1, chunk by chunk, before any gain."""
        return np.concatenate([self._edges(self._render(c.render_text, voice, 1.0)) for c in split_chunks(REFERENCE_TEXT)])

    def measure_gain_db(self, voice: str, reference: np.ndarray | None = None) -> float:
        """The gain (dB) that, followed by the limiter, brings :meth:`reference` (rendered now
        unless given) to :data:`TARGET_LUFS`."""
        return self._gain_db_for(self.reference(voice) if reference is None else reference)

    def _gain_db_for(self, reference: np.ndarray) -> float:
        """The gain (dB) that, followed by the limiter, brings ``reference`` to :data:`TARGET_LUFS`."""
        gain_db = 0.0
        for _ in range(8):  # the limiter takes some loudness off the peaks: make it up, and check again
            level = dsp.loudness(self._level(reference, np.float32(10 ** (gain_db / 20))), self.sample_rate)
            if not math.isfinite(level):
                return 0.0
            if abs(TARGET_LUFS - level) < 0.05:
                break
            gain_db += TARGET_LUFS - level
        return gain_db

    def gain(self, voice: str) -> float:
        """The linear gain that brings ``voice`` to :data:`TARGET_LUFS`, fixed per voice."""
        with self._gains_lock:
            if voice in self._gains:
                return self._gains[voice]
        gain_db = self.reference_gain_db(voice)
        if gain_db is None:
            gain_db = self.measure_gain_db(voice)
            log.info("%s voice %s: gain %.2f dB to %.0f LUFS", self.id, voice, gain_db, TARGET_LUFS)
        with self._gains_lock:
            self._gains[voice] = float(10 ** (gain_db / 20))
        return self._gains[voice]

    # -- edges ---------------------------------------------------------------------------------------
    def _edges(self, samples: np.ndarray) -> np.ndarray:
        """Trim true silence only (under :data:`SILENCE_DB` of the peak), keeping
        :data:`EDGE_KEEP` of it, and fade within that silence: the last word's decay stays."""
        samples = np.asarray(samples, dtype=np.float32)
        trimmed = dsp.trim_silence(samples, self.sample_rate, threshold_db=SILENCE_DB, keep=EDGE_KEEP)
        trimmed = dsp.trim_silence(trimmed, self.sample_rate, threshold_db=QUIET_DB, keep=QUIET_KEEP)
        return dsp.fade_edges(trimmed, self.sample_rate, seconds=EDGE_FADE)

    def _level(self, samples: np.ndarray, gain: np.float32) -> np.ndarray:
        """``samples`` times the voice's gain, through the one limiter, with the true peak (4×
        oversampled) under :data:`TRUE_PEAK_DB`: where inter-sample peaks (crackle makes them)
        still overshoot, the limiter's ceiling is lowered by the overshoot and it runs again."""
        ceiling = PEAK_CEILING
        for _ in range(3):
            out = dsp.limit(samples * gain, self.sample_rate, ceiling)
            if not len(out):
                return out
            peak = float(np.max(np.abs(dsp.resample(out, self.sample_rate, 4 * self.sample_rate))))
            over = 20 * np.log10(max(peak, 1e-12)) - TRUE_PEAK_DB
            if over <= 0:
                break
            ceiling *= 10 ** (-(over + 0.1) / 20)
        return out

    # -- a take --------------------------------------------------------------------------------------
    def run(self, request: TTSRequest, progress: Progress | None = None, cancel: Cancel | None = None) -> Iterator[Audio]:
        speed = 1.0 if request.speed is None else request.speed
        pause = 1.0 if request.pause is None else request.pause
        chunks = split_chunks(request.text, first_max_chars=self.first_chunk_chars, lexicon=request.lexicon)
        gain = np.float32(self.gain(request.voice)) if self.steady_level else None
        ready: list[np.ndarray] = []
        held = 0
        for i, chunk in enumerate(chunks):
            stop_if(cancel)
            if progress:
                progress(i / len(chunks), f"Speaking part {i + 1} of {len(chunks)}")
            samples = self._edges(self._render(chunk.render_text, request.voice, speed))
            chunk_gain = gain if gain is not None else np.float32(10 ** (self._gain_db_for(samples) / 20))
            samples = self._level(samples, chunk_gain)
            ready += [samples, dsp.silence(chunk.pause_after * pause / speed, self.sample_rate)]
            held += len(samples)
            if i == 0 or held >= YIELD_SECONDS * self.sample_rate or i == len(chunks) - 1:
                yield Audio(np.concatenate(ready), self.sample_rate)
                ready, held = [], 0
        if progress:
            progress(1.0, "Done")
