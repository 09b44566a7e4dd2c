"""Speech in a voice given as a Kokoro style tensor (510 × 1 × 256) rather than a stock name.

:class:`StyleVoice` is a :class:`engines.tts.common.ChunkedTTS` whose one voice is the style,
speaking through a loaded :class:`engines.tts.kokoro.KokoroEngine`: the same text splitting,
edges, loudness (the gain is measured on the reference passage once per style) and pauses as
any stock voice. ``render_style`` is the one-call form. (Meant to move into KokoroEngine as a
public method; until then it uses the engine's phonemiser and its kokoro-onnx model.)
"""
from __future__ import annotations

import hashlib
from typing import Iterator

import numpy as np

from audiokit import Audio, Cancel, Progress
from audiokit.errors import InvalidInput
from engines.contract import Voice
from engines.tts.common import ChunkedTTS, TTSRequest

STYLE_SHAPE = (510, 1, 256)
VOICE_ID = "style"


def check_style(style) -> np.ndarray:
    """``style`` as a float32 array of Kokoro's voice shape, or InvalidInput saying what is wrong."""
    array = np.asarray(style, dtype=np.float32)
    if array.shape != STYLE_SHAPE:
        raise InvalidInput("style", f"A Kokoro voice is a {STYLE_SHAPE} array, got shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise InvalidInput("style", "The voice's style holds values that are not finite numbers; save it again.")
    return array


def style_digest(style: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(style, np.float32).tobytes()).hexdigest()[:16]


class StyleVoice(ChunkedTTS):
    """One custom Kokoro voice, spoken chunk by chunk like a stock one."""

    id = "kokoro"
    title = "Kokoro-82M — a custom voice"
    sample_rate = 24_000

    def __init__(self, kokoro, style, british: bool = False, gain_db: float | None = None):
        super().__init__()
        self._engine = kokoro.load()
        self._style = check_style(style)
        self._british = bool(british)
        self._gain_db = gain_db
        self._loaded = True

    def voices(self) -> list[Voice]:
        return [Voice(VOICE_ID, "Custom", "", "British" if self._british else "American", self.id)]

    def reference_gain_db(self, voice: str) -> float | None:
        return self._gain_db

    def _render(self, text: str, voice: str, speed: float) -> np.ndarray:
        return self._engine.render_style(text, self._style, speed, self._british)

    def _render_sentence(self, texts: list[str], voice: str, speed: float) -> Iterator[np.ndarray]:
        return self._engine.render_pieces(texts, self._style, speed, self._british)

    def speak(self, text: str, speed: float = 1.0, progress: Progress | None = None,
              cancel: Cancel | None = None) -> Iterator[Audio]:
        """The chunks of one take of ``text`` (checked like any TTS request)."""
        return self.run(self.check(TTSRequest(text, VOICE_ID, speed)), progress, cancel)


def render_style(kokoro, text: str, style, speed: float = 1.0, british: bool = False,
                 gain_db: float | None = None) -> Audio:
    """``text`` spoken by the voice ``style`` through the loaded Kokoro engine ``kokoro``, as one take."""
    return Audio.join(list(StyleVoice(kokoro, style, british, gain_db).speak(text, speed)))


def preview_style(kokoro, text: str, style, speed: float = 1.0, british: bool = False) -> tuple[Audio, float]:
    """(``text`` spoken by ``style`` at the studio's loudness, the voice's gain in dB). The gain is
    measured on this take itself, so a preview costs one render; keep it with the voice."""
    voice = StyleVoice(kokoro, style, british, gain_db=0.0)
    raw = Audio.join(list(voice.speak(text, speed)))
    gain_db = voice.measure_gain_db(VOICE_ID, raw.samples)
    return _apply_gain(raw, gain_db), gain_db


def _apply_gain(audio: Audio, gain_db: float) -> Audio:
    from audiokit import dsp
    from engines.tts.common import TRUE_PEAK_CEILING

    return Audio(dsp.limit(audio.samples * np.float32(10 ** (gain_db / 20)), audio.sample_rate, TRUE_PEAK_CEILING,
                           true_peak=True), audio.sample_rate)
