"""The one interface every model backend implements.

An engine is loaded explicitly (heavy work happens in ``load()``, never at import time),
takes a request dataclass whose ``None`` fields mean "the model's default", checks it before
any heavy work, and yields :class:`Audio` chunks so a caller can show progress and play the
first chunk early.  Engines never import streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator, Protocol, runtime_checkable

import numpy as np

Progress = Callable[[float, str], None]
"""``progress(fraction_done, message)``; fraction in [0, 1]."""


class EngineUnavailable(RuntimeError):
    """The engine cannot run on this machine (weights or a dependency missing); the message says how to get it."""


class Cancelled(Exception):
    """The job was cancelled while the engine was working."""


@dataclass(frozen=True)
class Audio:
    samples: np.ndarray  # mono float32 in [-1, 1]
    sample_rate: int  # the rate always travels with the samples

    def __post_init__(self) -> None:
        samples = np.asarray(self.samples, dtype=np.float32)
        if samples.ndim != 1:
            raise ValueError(f"Audio must be mono (1-D), got shape {samples.shape}")
        if self.sample_rate <= 0:
            raise ValueError(f"sample_rate must be positive, got {self.sample_rate}")
        object.__setattr__(self, "samples", samples)

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


@dataclass(frozen=True)
class Voice:
    id: str  # what the engine is called with, e.g. "af_heart"
    name: str  # what a person reads, e.g. "Heart"
    gender: str  # "female" / "male"
    accent: str  # "American" / "British"
    engine: str  # engine name
    description: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} — {self.gender}, {self.accent}"


@dataclass(frozen=True)
class TTSRequest:
    text: str
    voice: str
    speed: float | None = None  # None: the model's default (1.0)


@dataclass(frozen=True)
class EngineInfo:
    """What the registry tells the UI about an engine, usable or not."""

    name: str
    title: str
    kind: str  # "tts", "vc", "sfx"
    available: bool
    reason: str = ""  # why it is unavailable and how to get it
    device: str = "cpu"
    details: dict = field(default_factory=dict)


@runtime_checkable
class TTSEngine(Protocol):
    name: str
    title: str
    sample_rate: int
    device: str

    def voices(self) -> list[Voice]: ...

    def synthesize(self, request: TTSRequest, progress: Progress | None = None) -> Iterator[Audio]: ...
