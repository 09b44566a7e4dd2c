"""Mixing a scene: distance, room, fitting to a duration, seamless loops, loudness.

- ``place``: add a layer into the mix at a time, with a gain.
- ``at_distance``: farther sounds are quieter, duller (low-pass) and send more to the room.
- ``room_impulse`` / ``reverb``: a synthetic room response (early reflections and an
  exponentially decaying, darkening noise tail with the room's RT60).
- ``fit``: loop a short bed with crossfades or trim a long one with fades.
- ``make_loop``: fold the extra tail back over the start with an equal-power crossfade so
  the clip repeats without a seam.
- ``TARGET_LUFS``: the loudness every finished sound effect is brought to, with
  ``audiokit.dsp.normalize(x, rate, TARGET_LUFS)`` (the one loudness, limiter and fade
  implementation lives in :mod:`audiokit.dsp`).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy import signal

from audiokit import dsp

log = logging.getLogger(__name__)

TARGET_LUFS = -18.0


@dataclass(frozen=True)
class Room:
    rt60: float  # seconds for the tail to fall 60 dB; 0: dry
    tone: float = 0.5  # 0 dark … 1 bright


def place(mix: np.ndarray, layer: np.ndarray, start: int, gain: float = 1.0) -> None:
    """Add ``layer`` into ``mix`` from sample ``start``; what falls outside is dropped."""
    if start >= len(mix) or len(layer) == 0:
        return
    if start < 0:
        layer, start = layer[-start:], 0
    end = min(len(mix), start + len(layer))
    mix[start:end] += layer[: end - start] * np.float32(gain)


def lowpass(x: np.ndarray, rate: int, cutoff: float) -> np.ndarray:
    if cutoff >= rate / 2 * 0.95:
        return x
    sos = signal.butter(2, cutoff / (rate / 2), "lowpass", output="sos")
    return signal.sosfilt(sos, x).astype(np.float32)


def at_distance(x: np.ndarray, rate: int, distance: float) -> tuple[np.ndarray, float]:
    """(filtered layer, reverb send 0–1) for a source ``distance`` (0 close … 1 far) away."""
    distance = float(np.clip(distance, 0.0, 1.0))
    gain = 10 ** (-12.0 * distance / 20)  # with the duller tone and more room, -12 dB reads as far
    cutoff = 1200 + 17000 * (1 - distance) ** 2
    return lowpass(x, rate, cutoff) * np.float32(gain), 0.12 + 0.55 * distance


def room_impulse(room: Room, rate: int, rng: np.random.Generator) -> np.ndarray:
    """An impulse response for ``room``: sparse early reflections, then a diffuse tail."""
    length = max(0.05, room.rt60 * 1.1)
    n = int(length * rate)
    t = np.arange(n) / rate
    tail = rng.standard_normal(n) * 10 ** (-3 * t / max(room.rt60, 0.05))  # -60 dB at rt60
    # Higher frequencies die sooner (air and soft surfaces): split into two bands.
    split = 1500 + 5000 * room.tone
    sos = signal.butter(2, split / (rate / 2), "lowpass", output="sos")
    low = signal.sosfilt(sos, tail)
    high = (tail - low) * 10 ** (-3 * t / max(room.rt60 * (0.35 + 0.5 * room.tone), 0.03))
    ir = low + high
    onset = int(0.012 * rate)
    ir[:onset] = 0.0
    for _ in range(6):
        k = int(rng.uniform(0.004, 0.05) * rate)
        if k < n:
            ir[k] += rng.uniform(0.3, 0.7) * rng.choice([-1, 1]) * np.sqrt(np.sum(ir**2) / n) * 20
    return (ir / (np.sqrt(np.sum(ir**2)) + 1e-12)).astype(np.float32)


def reverb(x: np.ndarray, rate: int, room: Room, rng: np.random.Generator) -> np.ndarray:
    """The wet signal of ``x`` in ``room``, same length as ``x`` (a longer tail is cut)."""
    if room.rt60 <= 0 or not np.any(x):
        return np.zeros_like(x)
    wet = signal.fftconvolve(x, room_impulse(room, rate, rng))[: len(x)]
    return wet.astype(np.float32)


def fit(x: np.ndarray, rate: int, length: int, crossfade: float = 0.25) -> np.ndarray:
    """``x`` made exactly ``length`` samples: repeated with crossfades if short, cut if long."""
    if len(x) == 0:
        return np.zeros(length, np.float32)
    if len(x) >= length:
        return x[:length].astype(np.float32, copy=True)
    xf = min(dsp.seconds_to_samples(crossfade, rate), len(x) // 3)
    out = np.zeros(length + len(x), np.float32)
    fade_in, fade_out = dsp.equal_power(xf) if xf else (np.ones(0, np.float32), np.ones(0, np.float32))
    piece = x.astype(np.float32, copy=True)
    if xf:
        piece[:xf] *= fade_in
        piece[-xf:] *= fade_out
    pos = 0
    while pos < length:
        out[pos : pos + len(piece)] += piece
        pos += len(piece) - xf
    if xf:  # the very first start should not fade in
        out[:xf] = x[:xf]
    return out[:length]


def make_loop(x: np.ndarray, length: int) -> np.ndarray:
    """A seamless loop of ``length`` samples from ``x`` (longer by the crossfade).

    The part past ``length`` is what would have come next; it is crossfaded (equal power)
    over the start, so the loop's end runs straight into its beginning."""
    extra = len(x) - length
    if extra <= 0:
        raise ValueError(f"make_loop needs more than {length} samples to crossfade, got {len(x)}")
    out = x[:length].astype(np.float32, copy=True)
    fade_in, fade_out = dsp.equal_power(extra)
    out[:extra] = x[:extra] * fade_in + x[length : length + extra] * fade_out
    return out
