"""Mixing a scene: distance, room, fitting to a duration, seamless loops, loudness.

- ``place``: add a layer into the mix at a time, with a gain.
- ``at_distance``: farther sounds are quieter, duller (low-pass) and send more to the room.
- ``room_impulse`` / ``reverb``: a synthetic room response (early reflections and an
  exponentially decaying, darkening noise tail with the room's RT60).
- ``fit``: loop a short bed with crossfades or trim a long one with fades.
- ``make_loop``: fold the extra tail back over the start with an equal-power crossfade so
  the clip repeats without a seam.
- ``normalize``: integrated loudness (ITU-R BS.1770, via pyloudnorm) to a target with a
  look-ahead peak limiter under a ceiling, so nothing clips.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy import ndimage, signal

log = logging.getLogger(__name__)

TARGET_LUFS = -18.0
CEILING = 10 ** (-1.0 / 20)  # -1 dBFS sample peak


@dataclass(frozen=True)
class Room:
    rt60: float  # seconds for the tail to fall 60 dB; 0: dry
    tone: float = 0.5  # 0 dark … 1 bright


def seconds_to_samples(seconds: float, rate: int) -> int:
    return max(0, int(round(seconds * rate)))


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


def equal_power(n: int) -> tuple[np.ndarray, np.ndarray]:
    t = np.linspace(0, np.pi / 2, n, dtype=np.float32)
    return np.sin(t), np.cos(t)  # fade in, fade out


def fit(x: np.ndarray, rate: int, length: int, crossfade: float = 0.25) -> np.ndarray:
    """``x`` made exactly ``length`` samples: repeated with crossfades if short, cut if long."""
    if len(x) == 0:
        return np.zeros(length, np.float32)
    if len(x) >= length:
        return x[:length].astype(np.float32, copy=True)
    xf = min(seconds_to_samples(crossfade, rate), len(x) // 3)
    out = np.zeros(length + len(x), np.float32)
    fade_in, fade_out = equal_power(xf) if xf else (np.ones(0, np.float32), np.ones(0, np.float32))
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


def fade(x: np.ndarray, rate: int, fade_in: float = 0.005, fade_out: float = 0.05) -> np.ndarray:
    out = x.astype(np.float32, copy=True)
    a = min(seconds_to_samples(fade_in, rate), len(out) // 2)
    b = min(seconds_to_samples(fade_out, rate), len(out) // 2)
    if a:
        out[:a] *= np.linspace(0, 1, a, dtype=np.float32)
    if b:
        out[-b:] *= np.linspace(1, 0, b, dtype=np.float32)
    return out


def make_loop(x: np.ndarray, length: int) -> np.ndarray:
    """A seamless loop of ``length`` samples from ``x`` (longer by the crossfade).

    The part past ``length`` is what would have come next; it is crossfaded (equal power)
    over the start, so the loop's end runs straight into its beginning."""
    extra = len(x) - length
    if extra <= 0:
        raise ValueError(f"make_loop needs more than {length} samples to crossfade, got {len(x)}")
    out = x[:length].astype(np.float32, copy=True)
    fade_in, fade_out = equal_power(extra)
    out[:extra] = x[:extra] * fade_in + x[length : length + extra] * fade_out
    return out


def loudness(x: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS (ITU-R BS.1770-4, gated); -inf for silence."""
    import pyloudnorm

    if len(x) < int(0.4 * rate):  # shorter than one gating block: measure it repeated
        x = np.tile(x, int(np.ceil(0.4 * rate / max(len(x), 1))) + 1)
    return float(pyloudnorm.Meter(rate).integrated_loudness(x.astype(np.float64)))


def limit(x: np.ndarray, rate: int, ceiling: float = CEILING, window: float = 0.004, release: float = 0.06) -> np.ndarray:
    """Look-ahead peak limiter: no sample above ``ceiling``, gain changes smoothed.

    The gain that keeps each sample under the ceiling is min-filtered and then averaged over
    the same window, so the smoothed gain is never above what any sample needs."""
    peak = np.abs(x)
    if peak.max(initial=0.0) <= ceiling:
        return x.astype(np.float32, copy=False)
    need = np.minimum(1.0, ceiling / np.maximum(peak, 1e-12))
    gain = need
    for span in (window, release):
        w = max(1, seconds_to_samples(span, rate)) * 2 + 1
        gain = ndimage.uniform_filter1d(ndimage.minimum_filter1d(gain, w, mode="nearest"), w, mode="nearest")
    out = x * np.minimum(gain, need)  # the min() guards the last float rounding
    return out.astype(np.float32)


# (window, release) of the limiter, one per round: transparent first; sounds whose peaks sit far
# above their body (sparse ticks, single hits) then get faster release, which lifts their decays.
LIMITER_ROUNDS = ((0.004, 0.06),) * 3 + ((0.001, 0.015),) * 3 + ((0.0005, 0.005),) * 8


def normalize(x: np.ndarray, rate: int, target: float = TARGET_LUFS, ceiling: float = CEILING,
              tolerance: float = 0.2) -> tuple[np.ndarray, float]:
    """``x`` brought to ``target`` LUFS without a sample above ``ceiling``; returns (audio, LUFS).

    Gain then limiting, repeated: limiting lowers the loudness a little, the next gain makes
    it up; when a transparent limiter cannot get there, later rounds release faster. Audio
    too quiet for the meter's -70 LUFS gate is raised first; digital silence is returned as
    it is (loudness -inf)."""
    out = x.astype(np.float32, copy=True)
    level = loudness(out, rate)
    peak = float(np.max(np.abs(out))) if len(out) else 0.0
    if not np.isfinite(level) and peak > 1e-7:  # under the -70 LUFS gate but not silent: bring it up first
        out *= np.float32(0.5 / peak)
        level = loudness(out, rate)
    for window, release in LIMITER_ROUNDS:
        if not np.isfinite(level):
            return out, level
        if abs(level - target) <= tolerance and np.max(np.abs(out)) <= ceiling:
            break
        out = limit(out * np.float32(10 ** ((target - level) / 20)), rate, ceiling, window, release)
        level = loudness(out, rate)
    return out, level
