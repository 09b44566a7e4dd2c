"""The text-to-speech request, its checks, and chunked synthesis shared by the TTS engines."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator

import numpy as np

from audiokit import Audio, Cancel, Progress
from audiokit.dsp import fade_edges, silence, trim_silence
from audiokit.errors import InvalidInput
from engines.contract import Engine, Voice, stop_if
from engines.tts.text import clean_text, spoken_form, split_chunks

SPEED_MIN, SPEED_MAX = 0.5, 2.0


@dataclass(frozen=True)
class TTSRequest:
    text: str
    voice: str
    speed: float | None = None  # None: the model's default (1.0)


def check_request(request: TTSRequest, voices: list[Voice]) -> TTSRequest:
    """Validate a request before any heavy work; return it with clean text and a speed."""
    text = clean_text(request.text).text
    ids = {v.id for v in voices}
    if request.voice not in ids:
        raise InvalidInput(
            "voice",
            f"Unknown voice {str(request.voice)[:40]!r}. Pick one of: {', '.join(sorted(ids))}.",
        )
    speed = 1.0 if request.speed is None else request.speed
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not np.isfinite(speed) \
            or not SPEED_MIN <= speed <= SPEED_MAX:
        raise InvalidInput("speed", f"Speed must be between {SPEED_MIN} and {SPEED_MAX}, got {speed!r}.")
    return replace(request, text=text, speed=float(speed))


class ChunkedTTS(Engine):
    """Base for engines that render one chunk of text at a time: they list their voices in
    :meth:`voices` and implement ``_render(text, voice, speed) -> samples``; this class checks
    the request, splits the text and yields each chunk with faded edges and its pause, so
    plain concatenation of the chunks is the finished clip."""

    kind = "tts"

    def voices(self) -> list[Voice]:
        raise NotImplementedError

    def _render(self, text: str, voice: str, speed: float) -> np.ndarray:
        raise NotImplementedError

    def check(self, request: TTSRequest) -> TTSRequest:
        return check_request(request, self.voices())

    def run(self, request: TTSRequest, progress: Progress | None = None, cancel: Cancel | None = None) -> Iterator[Audio]:
        chunks = split_chunks(request.text)
        speed = 1.0 if request.speed is None else request.speed
        for i, chunk in enumerate(chunks):
            stop_if(cancel)
            if progress:
                progress(i / len(chunks), f"Speaking part {i + 1} of {len(chunks)}")
            samples = trim_silence(self._render(spoken_form(chunk.text), request.voice, speed), self.sample_rate)
            piece = np.concatenate([fade_edges(samples, self.sample_rate),
                                    silence(chunk.pause_after / speed, self.sample_rate)])
            yield Audio(piece, self.sample_rate)
        if progress:
            progress(1.0, "Done")
