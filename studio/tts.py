"""Text-to-speech as a job: check the request, price it, and run it chunk by chunk."""
from __future__ import annotations

import numpy as np

from audiokit import Audio
from engines.tts.common import TTSRequest
from engines.tts.text import MAX_CHARS, clean_text
from studio import credits
from studio.jobs import JobContext, JobSpec

__all__ = ["MAX_CHARS", "build_job"]


def build_job(engine, text: str, voice: str, speed: float | None, prices: dict) -> tuple[JobSpec, tuple[str, ...]]:
    """Validate before anything is charged; return the job and notices about the text (e.g. emoji skipped)."""
    cleaned = clean_text(text)
    request = engine.check(TTSRequest(cleaned.text, voice, speed))
    cost = credits.price(prices, "tts", characters=len(cleaned.text))

    def run(ctx: JobContext) -> list[Audio]:
        pieces: list[np.ndarray] = []
        for piece in engine.load().run(request, progress=ctx.progress, cancel=ctx.should_stop):
            pieces.append(piece.samples)
            ctx.partial(Audio(np.concatenate(pieces), piece.sample_rate))
        return [Audio(np.concatenate(pieces), engine.sample_rate)]

    spec = JobSpec(
        service="tts", engine=engine.id, title=cleaned.text[:2000],
        params={"voice": voice, "speed": request.speed, "characters": len(cleaned.text)},
        cost=cost, run=run,
    )
    return spec, cleaned.notices
