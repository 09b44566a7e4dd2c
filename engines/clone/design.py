"""The voice designer: two to four stock Kokoro voices blended with weights into one style.

A Kokoro voice is a style tensor (510 × 1 × 256: row *n* is the style for *n* phonemes); a
weighted mean of voices is a voice between them (timbre, pitch and pace move together). The
weights are normalised to sum to 1, so "2 and 1" means two thirds and one third.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from audiokit.errors import InvalidInput

MIN_VOICES, MAX_VOICES = 2, 4
SPEED_MIN, SPEED_MAX = 0.7, 1.3


@dataclass(frozen=True)
class Design:
    """A checked blend: stock voice ids, their normalised weights, and the speed."""

    voices: tuple[str, ...]
    weights: tuple[float, ...]
    speed: float = 1.0

    @property
    def british(self) -> bool:
        """Spoken with British phonemes when the British voices carry most of the weight."""
        return sum(w for v, w in zip(self.voices, self.weights) if v.startswith("b")) > 0.5

    def as_dict(self) -> dict:
        return {"voices": list(self.voices), "weights": [round(w, 4) for w in self.weights], "speed": self.speed}


def check_design(mix: dict[str, float] | list[tuple[str, float]], speed: float = 1.0,
                 known: list[str] | tuple[str, ...] | None = None) -> Design:
    """A :class:`Design` from {voice: weight} (or pairs), or InvalidInput naming what is wrong."""
    pairs = list(mix.items()) if isinstance(mix, dict) else list(mix)
    merged: dict[str, float] = {}
    for pair in pairs:
        try:
            voice, weight = pair
        except (TypeError, ValueError):
            raise InvalidInput("voices", f"Each voice needs a weight, got {str(pair)[:40]!r}.") from None
        if known is not None and voice not in known:
            raise InvalidInput("voices", f"Unknown voice {str(voice)[:40]!r}. Pick stock voices such as af_heart.")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight) or weight < 0:
            raise InvalidInput("weights", f"The weight of {voice} must be a number ≥ 0, got {weight!r}.")
        merged[str(voice)] = merged.get(str(voice), 0.0) + float(weight)
    merged = {v: w for v, w in merged.items() if w > 0}
    if not MIN_VOICES <= len(merged) <= MAX_VOICES:
        raise InvalidInput("voices", f"Blend {MIN_VOICES}–{MAX_VOICES} different voices with weights above 0; "
                                     f"got {len(merged)}.")
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not math.isfinite(speed) \
            or not SPEED_MIN <= speed <= SPEED_MAX:
        raise InvalidInput("speed", f"Speed must be between {SPEED_MIN} and {SPEED_MAX}, got {speed!r}.")
    total = sum(merged.values())
    return Design(tuple(merged), tuple(w / total for w in merged.values()), float(speed))


def blend(voices: dict[str, np.ndarray], design: Design) -> np.ndarray:
    """The style tensor of ``design`` from the stock style tensors ``voices`` (id → array)."""
    missing = [v for v in design.voices if v not in voices]
    if missing:
        raise InvalidInput("voices", f"Unknown voice {missing[0]!r}.")
    out = np.zeros_like(np.asarray(voices[design.voices[0]], np.float32))
    for voice, weight in zip(design.voices, design.weights):
        out += np.float32(weight) * np.asarray(voices[voice], np.float32)
    return out


def stock_styles(kokoro) -> dict[str, np.ndarray]:
    """Every stock voice's style tensor of a loaded Kokoro engine (id → 510 × 1 × 256 float32)."""
    packed = kokoro.load()._kokoro.voices
    return {v.id: np.asarray(packed[v.id], np.float32) for v in kokoro.voices()}


def design_voice(kokoro, mix, speed: float = 1.0) -> tuple[np.ndarray, Design]:
    """(style tensor, checked design) of a blend of the stock voices of ``kokoro``."""
    styles = stock_styles(kokoro)
    design = check_design(mix, speed, known=list(styles))
    return blend(styles, design), design
