"""What every voice-changer engine takes: the source speech, a target voice, per-call settings.

A target is a stock voice (its reference clip rendered once by Kokoro), a user's own
sample, or a saved Kokoro voice (a style tensor); engines only ever see its reference audio
and, for a stock voice, the Kokoro voice id, or for a saved voice, its style. ``None`` in a
setting means the engine's default. :func:`check_request` validates every field before any
heavy work and names the field, the value and the fix.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from audiokit import Audio
from audiokit.errors import InvalidInput

PITCH_SHIFT_MAX = 12.0  # semitones either way
STEPS_MIN, STEPS_MAX, STEPS_DEFAULT = 4, 50, 25
LENGTH_MIN, LENGTH_MAX = 0.5, 2.0
CFG_DEFAULT = 0.7
MAX_SOURCE_SECONDS = 300.0


@dataclass(frozen=True)
class VoiceTarget:
    id: str  # "kokoro:af_heart", "sample:<32 hex>" or "custom:<32 hex>"
    name: str  # what a person reads
    reference: Audio | None  # a clip of the target voice (mono float32); None until resolved
    kokoro_voice: str | None = None  # the stock voice id, when the target is one
    # A saved voice: its Kokoro style tensor (510 × 1 × 256), spoken through
    # engines.clone.render.StyleVoice with its accent and its gain to the studio's loudness.
    style: np.ndarray | None = field(default=None, repr=False, compare=False)
    british: bool = False
    gain_db: float | None = None


@dataclass(frozen=True)
class VCRequest:
    source: Audio
    target: VoiceTarget
    pitch_shift: float = 0.0  # semitones added after any pitch mapping
    strength: float | None = None  # WORLD: 0–1 amount of timbre change, default 1
    keep_pitch: bool = False  # WORLD / Seed-VC: keep the speaker's own pitch (no mapping to the target)
    diffusion_steps: int | None = None  # Seed-VC: 4–50, default 25
    length_adjust: float | None = None  # Seed-VC: 0.5–2.0 (<1 faster), default 1.0
    cfg_rate: float | None = None  # Seed-VC: 0–1, default 0.7
    f0_condition: bool = False  # Seed-VC: follow the source's pitch contour (singing)


def _number(field: str, value, low: float, high: float, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not low <= value <= high:
        raise InvalidInput(field, f"{what} must be between {low:g} and {high:g}, got {value!r}.")
    return float(value)


def check_request(request: VCRequest, need_reference: bool = True) -> VCRequest:
    """Validate every field; return the request with defaults filled in.

    ``need_reference=False`` checks everything but the target's clip, which for a stock
    voice is rendered only when the job runs."""
    if not isinstance(request.source, Audio) or len(request.source.samples) == 0:
        raise InvalidInput("source", "The source recording is empty; upload or record some speech.")
    if request.source.duration > MAX_SOURCE_SECONDS + 0.05:
        raise InvalidInput("source", f"The source is {request.source.duration:.0f} s long; the limit is {MAX_SOURCE_SECONDS:.0f} s.")
    target = request.target
    if not isinstance(target, VoiceTarget):
        raise InvalidInput("target", f"Pick a target voice, got {target!r}.")
    if need_reference and (not isinstance(target.reference, Audio) or target.reference.duration < 1.0):
        raise InvalidInput("target", "The target voice has no usable reference clip (at least 1 s). Pick another voice or re-record the sample.")
    pitch = _number("pitch_shift", request.pitch_shift, -PITCH_SHIFT_MAX, PITCH_SHIFT_MAX, "Pitch shift (semitones)")
    strength = 1.0 if request.strength is None else _number("strength", request.strength, 0.0, 1.0, "Strength")
    steps = STEPS_DEFAULT if request.diffusion_steps is None else request.diffusion_steps
    if isinstance(steps, bool) or not isinstance(steps, int) or not STEPS_MIN <= steps <= STEPS_MAX:
        raise InvalidInput("diffusion_steps", f"Diffusion steps must be a whole number {STEPS_MIN}–{STEPS_MAX}, got {steps!r}.")
    length = 1.0 if request.length_adjust is None else _number(
        "length_adjust", request.length_adjust, LENGTH_MIN, LENGTH_MAX, "Length adjust")
    cfg = CFG_DEFAULT if request.cfg_rate is None else _number("cfg_rate", request.cfg_rate, 0.0, 1.0, "CFG rate")
    for field in ("keep_pitch", "f0_condition"):
        if not isinstance(getattr(request, field), bool):
            raise InvalidInput(field, f"{field} must be true or false, got {getattr(request, field)!r}.")
    return VCRequest(request.source, target, pitch, strength, request.keep_pitch, steps, length, cfg, request.f0_condition)
