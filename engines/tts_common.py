"""Request checks and chunked synthesis shared by the text-to-speech engines."""
from __future__ import annotations

from typing import Callable, Iterator

import numpy as np

from engines.base import Audio, Cancelled, Progress, TTSRequest, Voice
from studio.audio import fade_edges, silence, trim_silence
from studio.errors import InvalidInput
from studio.text import clean_text, spoken_form, split_chunks

SPEED_MIN, SPEED_MAX = 0.5, 2.0


def check_request(request: TTSRequest, voices: list[Voice]) -> tuple[str, float]:
    """Validate a request before any heavy work; return (clean text, speed)."""
    text = clean_text(request.text).text
    ids = {v.id for v in voices}
    if request.voice not in ids:
        raise InvalidInput(
            "voice",
            f"Unknown voice {request.voice!r}. Pick one of: {', '.join(sorted(ids))}.",
        )
    speed = 1.0 if request.speed is None else request.speed
    if not isinstance(speed, (int, float)) or not np.isfinite(speed) or not SPEED_MIN <= speed <= SPEED_MAX:
        raise InvalidInput("speed", f"Speed must be between {SPEED_MIN} and {SPEED_MAX}, got {speed!r}.")
    return text, float(speed)


def synthesize_chunks(
    text: str,
    speed: float,
    sample_rate: int,
    render: Callable[[str], np.ndarray],
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[Audio]:
    """Render ``text`` chunk by chunk; each yielded piece has faded edges and its pause appended,
    so plain concatenation of the pieces is the finished clip."""
    chunks = split_chunks(text)
    for i, chunk in enumerate(chunks):
        if should_stop and should_stop():
            raise Cancelled()
        if progress:
            progress(i / len(chunks), f"Speaking part {i + 1} of {len(chunks)}")
        samples = trim_silence(render(spoken_form(chunk.text)), sample_rate)
        piece = np.concatenate([fade_edges(samples, sample_rate), silence(chunk.pause_after / speed, sample_rate)])
        yield Audio(piece, sample_rate)
    if progress:
        progress(1.0, "Done")


class ChunkedTTS:
    """Base for engines that render one chunk of text at a time: they set ``_voices`` and
    ``sample_rate`` and implement ``_render(text, voice, speed) -> samples``; this class checks
    the request, splits the text and joins the chunks (the :class:`TTSEngine` interface)."""

    name: str
    sample_rate: int
    _voices: list[Voice]

    def voices(self) -> list[Voice]:
        return list(self._voices)

    def _render(self, text: str, voice: str, speed: float) -> np.ndarray:
        raise NotImplementedError

    def synthesize(
        self,
        request: TTSRequest,
        progress: Progress | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> Iterator[Audio]:
        text, speed = check_request(request, self._voices)
        return synthesize_chunks(
            text, speed, self.sample_rate, lambda chunk: self._render(chunk, request.voice, speed), progress, should_stop
        )
