"""Text-to-speech as a job: check the request, price it, and run it chunk by chunk."""
from __future__ import annotations

import numpy as np

from engines.base import Audio, TTSRequest
from engines.tts_common import check_request
from studio import credits
from studio.jobs import JobContext, JobSpec
from studio.text import clean_text


def build_job(engine, text: str, voice: str, speed: float | None, prices: dict) -> tuple[JobSpec, tuple[str, ...]]:
    """Validate before anything is charged; return the job and notices about the text (e.g. emoji skipped)."""
    cleaned = clean_text(text)
    request = TTSRequest(cleaned.text, voice, speed)
    check_request(request, engine.voices())
    cost = credits.price(prices, "tts", characters=len(cleaned.text))

    def run(ctx: JobContext) -> list[Audio]:
        pieces: list[np.ndarray] = []
        for piece in engine.synthesize(request, progress=ctx.progress, should_stop=ctx.should_stop):
            pieces.append(piece.samples)
            ctx.partial(Audio(np.concatenate(pieces), piece.sample_rate))
        return [Audio(np.concatenate(pieces), engine.sample_rate)]

    spec = JobSpec(
        service="tts", engine=engine.name, title=cleaned.text[:2000],
        params={"voice": voice, "speed": speed or 1.0, "characters": len(cleaned.text)},
        cost=cost, run=run,
    )
    return spec, cleaned.notices
