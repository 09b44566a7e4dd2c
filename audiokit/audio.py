"""The audio buffer that travels between engines, the studio and the pages."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

Progress = Callable[[float, str], None]
"""``progress(fraction_done, message)``; fraction in [0, 1]."""

Cancel = Callable[[], bool]
"""``cancel()`` is true once the caller wants the work stopped; engines check it between chunks."""


@dataclass(frozen=True)
class Audio:
    samples: np.ndarray  # float32 in [-1, 1], shape (n,) mono or (n, 2) stereo
    sample_rate: int  # the rate always travels with the samples

    def __post_init__(self) -> None:
        samples = np.asarray(self.samples, dtype=np.float32)
        if samples.ndim not in (1, 2) or (samples.ndim == 2 and samples.shape[1] not in (1, 2)):
            raise ValueError(f"Audio must be mono (n,) or stereo (n, 2), got shape {samples.shape}")
        if samples.ndim == 2 and samples.shape[1] == 1:
            samples = samples[:, 0]
        if not isinstance(self.sample_rate, (int, np.integer)) or self.sample_rate <= 0:
            raise ValueError(f"sample_rate must be a positive whole number, got {self.sample_rate!r}")
        object.__setattr__(self, "samples", samples)
        object.__setattr__(self, "sample_rate", int(self.sample_rate))

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    @property
    def channels(self) -> int:
        return 1 if self.samples.ndim == 1 else self.samples.shape[1]

    @staticmethod
    def join(pieces: "list[Audio]") -> "Audio":
        """Chunks of one take, end to end (they must share a rate)."""
        if not pieces:
            raise ValueError("nothing to join")
        rate = pieces[0].sample_rate
        if any(p.sample_rate != rate for p in pieces):
            raise ValueError("cannot join chunks of different sample rates")
        return Audio(np.concatenate([p.samples for p in pieces]), rate)

    def mono(self) -> "Audio":
        return self if self.channels == 1 else Audio(self.samples.mean(axis=1), self.sample_rate)
