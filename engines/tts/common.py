"""The text-to-speech request, its checks, and chunked synthesis shared by the TTS engines.

A take is rendered chunk by chunk (:func:`engines.tts.text.split_chunks`): each chunk's
spoken form goes to the voice, its edges are tidied without touching speech, and it is
brought to the studio's one loudness (each chunk is yielded as soon as it is ready, for early
playback):

- **loudness**: each chunk starts from the voice's gain, the one that brings a reference passage
  spoken by the voice to −16 LUFS integrated (``audiokit.dsp.loudness``, ITU-R BS.1770),
  measured once per voice and cached (Kokoro ships the table); an engine whose level swings
  from sentence to sentence (``steady_level = False``: Piper) starts each chunk from the gain
  that brings the chunk alone there instead. :class:`TakeLevel` then corrects the chunk
  towards −16 LUFS, within the engine's ``level_range_lu`` and by steps of at most
  :data:`LEVEL_STEP_LU` from chunk to chunk, so every take lands on the target whatever the
  voice and the text. Every chunk goes through the one peak limiter (``audiokit.dsp.limit``)
  with its ceiling on the 4× oversampled true peak, :data:`TRUE_PEAK_CEILING` (−1.2 dBTP);
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
from typing import Callable, Iterator

import numpy as np

from audiokit import Audio, Cancel, Progress, dsp
from audiokit.errors import InvalidInput
from engines.contract import Engine, Voice, stop_if
from engines.tts.text import FIRST_CHUNK_CHARS, Chunk, clean_text, sentence_groups, split_chunks

log = logging.getLogger(__name__)

SPEED_MIN, SPEED_MAX = 0.7, 1.3
PAUSE_MIN, PAUSE_MAX = 0.5, 2.0
LEXICON_MAX_ENTRIES = 5000

TARGET_LUFS = -16.0
SILENCE_DB = -60.0  # under the chunk's peak: true silence, safe to trim
EDGE_KEEP = 0.06  # seconds of that silence kept at each edge of a chunk
# A long low tail (breath, noise) 45 dB under the peak is cut to this much: so no take trails
# more than 0.2 s, while the decay of the last word (louder than that) is always kept.
QUIET_DB, QUIET_KEEP = -45.0, 0.18
TRUE_PEAK_DB = -1.0
# The ceiling of the studio's limiter, on the 4× oversampled (true) peak: 0.2 dB under the
# −1 dBTP goal, the margin for what the limiter's own gain changes add between samples.
TRUE_PEAK_CEILING = 10 ** ((TRUE_PEAK_DB - 0.2) / 20)
# At most this much gain (dB) over what a chunk would need without the limiter, to make up the
# loudness the limiter takes off its peaks (see ChunkedTTS._gain_db_for). Kokoro needs under 3 dB
# for 9 sentences in 10, Piper, whose plosives stand far above its vowels, 4 dB at the median
# and up to 13; without a bound the search would lift a chunk's quiet tail with the gain.
LIMITER_MAKEUP_DB = 12.0
EDGE_FADE = 0.005  # the click-free fade, inside the kept silence
# How a take is kept at the target chunk by chunk (TakeLevel): its loudness so far is measured
# over its last LEVEL_WINDOW seconds; a chunk aims at most LEVEL_NUDGE_LU off the target to
# make up what the take so far misses; the correction moves by at most LEVEL_STEP_LU from one
# chunk to the next.
LEVEL_WINDOW = 60.0
LEVEL_NUDGE_LU = 0.5
LEVEL_STEP_LU = 1.5

# Called with each chunk of a take as soon as it is rendered and levelled (before its pause):
# (its index, the chunk, its audio). A checked render hears each chunk back through it.
ChunkHook = Callable[[int, Chunk, Audio], None]

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
    # How far (dB) a take may be corrected from its base gain towards the target, measured on the
    # take itself (:class:`TakeLevel`); 0: not at all, every chunk at the voice's gain.
    level_range_lu = 0.0
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

    def _render_sentence(self, texts: list[str], voice: str, speed: float) -> Iterator[np.ndarray]:
        """The pieces ``texts`` of one sentence (the chunks that continue it, in order), one array
        each, each rendered only when asked for. Here each is rendered on its own; an engine that
        can predict a whole sentence's prosody once (Kokoro) overrides this, so a piece that ends
        mid-sentence keeps the sentence's intonation instead of falling as at a full stop."""
        for text in texts:
            yield self._render(text, voice, speed)

    def _render_chunks(self, chunks: list[Chunk], voice: str, speed: float) -> Iterator[np.ndarray]:
        """Each chunk's samples, in order, rendered sentence by sentence (:meth:`_render_sentence`)."""
        for sentence in sentence_groups(chunks):
            yield from self._render_sentence([c.render_text for c in sentence], voice, speed)

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

    def _gain_db_for(self, samples: np.ndarray, target: float = TARGET_LUFS) -> float:
        """The gain (dB) that, followed by the limiter, brings ``samples`` to ``target`` LUFS
        (within 0.05 LU), or as near as :data:`LIMITER_MAKEUP_DB` over the gain without the limiter
        gets: a chunk whose peaks stand far above its body is left a little quieter rather than
        crushed to the ceiling, with its quiet tail lifted to a sound."""
        plain = dsp.loudness(samples, self.sample_rate)
        if not math.isfinite(plain):
            return 0.0
        low = target - plain  # the limiter only ever takes loudness away: never less gain than this
        gain_db, last = low, None
        for _ in range(8):
            level = dsp.loudness(self._level(samples, np.float32(10 ** (gain_db / 20))), self.sample_rate)
            if abs(target - level) < 0.05 or (level < target and gain_db >= low + LIMITER_MAKEUP_DB):
                break
            # secant steps: where the limiter works hard, a dB of gain adds well under a dB of loudness
            slope = 1.0 if last is None or last[0] == gain_db else (level - last[1]) / (gain_db - last[0])
            last = (gain_db, level)
            step = (target - level) / min(1.0, max(0.1, slope))
            gain_db = min(max(gain_db + step, low), low + LIMITER_MAKEUP_DB)
        return gain_db

    def gain(self, voice: str) -> float:
        """The linear gain that brings ``voice`` to :data:`TARGET_LUFS`, fixed per voice: where
        every take of the voice starts (:class:`TakeLevel`)."""
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
        """``samples`` times ``gain``, through the one limiter with its ceiling on the true peak
        (4× oversampled, :data:`TRUE_PEAK_CEILING`): inter-sample peaks, which crackle makes,
        are held under it as well as the samples."""
        return dsp.limit(samples * gain, self.sample_rate, TRUE_PEAK_CEILING, true_peak=True)

    # -- a take --------------------------------------------------------------------------------------
    def run(self, request: TTSRequest, progress: Progress | None = None, cancel: Cancel | None = None,
            on_chunk: ChunkHook | None = None) -> Iterator[Audio]:
        """The take chunk by chunk, each with the pause after it, as soon as it is rendered: a live
        player starts on the first and never waits longer than one chunk's render (handing on
        pieces of 8 s or more, as this once did, left a 5.7 s silence after a first chunk of 2.2 s).
        ``on_chunk`` is told of every chunk without its pause, in order."""
        speed = 1.0 if request.speed is None else request.speed
        pause = 1.0 if request.pause is None else request.pause
        chunks = split_chunks(request.text, first_max_chars=self.first_chunk_chars, lexicon=request.lexicon)
        take = TakeLevel(self, 20 * math.log10(self.gain(request.voice)) if self.steady_level else None)
        rendered = self._render_chunks(chunks, request.voice, speed)
        for i, chunk in enumerate(chunks):
            stop_if(cancel)
            if progress:
                progress(i / len(chunks), f"Speaking part {i + 1} of {len(chunks)}")
            samples = take.level(self._edges(next(rendered)))  # rendered now, not before
            if on_chunk:
                on_chunk(i, chunk, Audio(samples, self.sample_rate))
            gap = dsp.silence(chunk.pause_after * pause / speed, self.sample_rate)
            take.pause(len(gap))
            yield Audio(np.concatenate([samples, gap]), self.sample_rate)
        if progress:
            progress(1.0, "Done")


class TakeLevel:
    """Brings one take to :data:`TARGET_LUFS` chunk by chunk, as it is rendered (so the first
    chunk can be played before the last is spoken).

    Each chunk is first levelled at its base gain: the voice's own (:meth:`ChunkedTTS.gain`,
    measured once on the reference passage), or, for an engine whose level swings between
    sentences (``steady_level = False``), the gain that brings the chunk alone to the target.
    The chunk's loudness is then corrected towards the target: the first chunk's to
    :data:`TARGET_LUFS`, each later one's to the target nudged by what the take so far (its
    last :data:`LEVEL_WINDOW` seconds, pauses included) misses it by, at most
    :data:`LEVEL_NUDGE_LU` (pauses between chunks lower a take's integrated loudness a little).
    The correction stays within the engine's ``level_range_lu`` of the base gain and moves by at
    most :data:`LEVEL_STEP_LU` from one chunk to the next, so a short or unusual chunk is neither
    flattened nor set apart from its neighbours. An engine whose ``level_range_lu`` is 0 gives
    every chunk its base gain alone."""

    def __init__(self, engine: ChunkedTTS, base_db: float | None):
        self.engine = engine
        self.base_db = base_db
        self.range_lu = float(engine.level_range_lu)
        self.window = int(LEVEL_WINDOW * engine.sample_rate)
        self.so_far: list[np.ndarray] = []  # the last LEVEL_WINDOW seconds of the take, pauses included
        self.correction_lu: float | None = None

    def level(self, samples: np.ndarray) -> np.ndarray:
        """``samples`` (one chunk, edges tidied) at the take's loudness, through the limiter."""
        engine, rate = self.engine, self.engine.sample_rate
        base_db = self.base_db if self.base_db is not None else engine._gain_db_for(samples)
        out = engine._level(samples, np.float32(10 ** (base_db / 20)))
        level = dsp.loudness(out, rate) if self.range_lu > 0 and len(out) else -math.inf
        if math.isfinite(level):
            aim = TARGET_LUFS
            take = dsp.loudness(np.concatenate(self.so_far), rate) if self.so_far else -math.inf
            if math.isfinite(take):
                aim += min(max(TARGET_LUFS - take, -LEVEL_NUDGE_LU), LEVEL_NUDGE_LU)
            want = aim - level
            if self.correction_lu is not None:
                want = min(max(want, self.correction_lu - LEVEL_STEP_LU), self.correction_lu + LEVEL_STEP_LU)
            self.correction_lu = want = min(max(want, -self.range_lu), self.range_lu)
            if abs(want) >= 0.05:
                gain_db = engine._gain_db_for(samples, level + want)
                out = engine._level(samples, np.float32(10 ** (gain_db / 20)))
        self._keep(out)
        return out

    def pause(self, samples: int) -> None:
        """The silence of ``samples`` that follows the last chunk."""
        if samples:
            self._keep(np.zeros(samples, np.float32))

    def _keep(self, samples: np.ndarray) -> None:
        if self.range_lu <= 0:
            return
        self.so_far.append(samples)
        while len(self.so_far) > 1 and sum(map(len, self.so_far[1:])) >= self.window:
            self.so_far.pop(0)
