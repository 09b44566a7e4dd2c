"""Audio as it is rendered: each text-to-speech job that runs in this process publishes its
chunks here, so the HTTP API and the page's live player can play from the first sentence
while the rest renders.

The job table stays the source of truth. A reader that finds no live stream for a job (it
runs in another process, or ended long ago) waits for the stored result instead.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from audiokit import Audio

KEEP_SECONDS = 120.0  # how long a finished stream stays readable by late readers


@dataclass
class _Stream:
    sample_rate: int = 0
    chunks: list[np.ndarray] = field(default_factory=list)
    done: bool = False
    ended_at: float = 0.0
    cond: threading.Condition = field(default_factory=threading.Condition)


_streams: dict[str, _Stream] = {}
_guard = threading.Lock()


def open_stream(job_id: str) -> None:
    with _guard:
        _prune()
        _streams.setdefault(job_id, _Stream())


def publish(job_id: str, audio: Audio) -> None:
    stream = _streams.get(job_id)
    if stream is None:
        return
    with stream.cond:
        stream.sample_rate = audio.sample_rate
        stream.chunks.append(audio.samples)
        stream.cond.notify_all()


def close(job_id: str) -> None:
    stream = _streams.get(job_id)
    if stream is None:
        return
    with stream.cond:
        stream.done, stream.ended_at = True, time.monotonic()
        stream.cond.notify_all()


def is_live(job_id: str) -> bool:
    return job_id in _streams


def follow(job_id: str, timeout: float = 600.0) -> Iterator[Audio]:
    """The job's chunks in order, as they are published; returns when the job's stream closes.
    Raises KeyError when this process has no stream for the job."""
    stream = _streams[job_id]
    index, deadline = 0, time.monotonic() + timeout
    while True:
        with stream.cond:
            while index >= len(stream.chunks) and not stream.done:
                if not stream.cond.wait(timeout=min(1.0, max(0.0, deadline - time.monotonic()))):
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"no audio from job {job_id[:8]} for {timeout:.0f} s")
            pending = stream.chunks[index:]
            finished = stream.done
        for samples in pending:
            index += 1
            yield Audio(samples, stream.sample_rate)
        if finished and index >= len(stream.chunks):
            return


def _prune() -> None:
    cutoff = time.monotonic() - KEEP_SECONDS
    for job_id in [j for j, s in _streams.items() if s.done and s.ended_at < cutoff]:
        del _streams[job_id]
