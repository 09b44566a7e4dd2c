"""Mixing a scene: placement, distance, room, fitting to a duration, seamless loops, loudness.

Layers and the mix are stereo ``(n, 2)`` where noted; a mono layer is placed with ``stereo``.

- ``place``: add a layer into the mix at a time, with a gain.
- ``stereo``: a mono layer at a position (equal-power pan) with a width (a decorrelated copy
  as the side signal, so a bed of rain surrounds the listener while a knock stays a point).
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


def pan(x: np.ndarray, position: float | np.ndarray) -> np.ndarray:
    """Mono → stereo, equal-power: ``position`` -1 (left) … 0 (centre) … +1 (right)."""
    angle = (np.clip(position, -1.0, 1.0) + 1.0) * np.pi / 4
    return np.stack([x * np.cos(angle), x * np.sin(angle)], axis=1).astype(np.float32)


def decorrelate(x: np.ndarray, rate: int, rng: np.random.Generator, seconds: float = 0.02) -> np.ndarray:
    """A copy of ``x`` that sounds the same but is uncorrelated with it (a short decaying noise FIR)."""
    n = max(8, int(seconds * rate))
    fir = rng.standard_normal(n) * np.exp(-np.arange(n) / (n / 4))
    fir /= np.sqrt(np.sum(fir**2))
    return signal.fftconvolve(x, fir)[: len(x)].astype(np.float32)


def stereo(x: np.ndarray, rate: int, position: float = 0.0, width: float = 0.0,
           rng: np.random.Generator | None = None) -> np.ndarray:
    """A layer as stereo: mono ``x`` widened by ``width`` (0 a point … 1 all around) and placed at
    ``position``; an already stereo layer is only balanced towards ``position``."""
    if x.ndim == 2:
        angle = (np.clip(position, -1, 1) + 1) * np.pi / 4
        return (x * np.array([np.cos(angle), np.sin(angle)], np.float32) * np.float32(np.sqrt(2))).astype(np.float32)
    out = pan(x, position)
    if width > 0:
        side = decorrelate(x, rate, rng or np.random.default_rng(0)) * np.float32(width * 0.7071)
        out = (out + np.stack([side, -side], axis=1)) / np.float32(np.sqrt(1 + width**2))  # same power as the point
    return out.astype(np.float32)


def lowpass(x: np.ndarray, rate: int, cutoff: float) -> np.ndarray:
    """Second-order low-pass along time (mono or stereo)."""
    if cutoff >= rate / 2 * 0.95:
        return x
    sos = signal.butter(2, cutoff / (rate / 2), "lowpass", output="sos")
    return signal.sosfilt(sos, x, axis=0).astype(np.float32)


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


def reverb(x: np.ndarray, rate: int, room: Room, rng: np.random.Generator, channels: int = 1) -> np.ndarray:
    """The wet signal of mono ``x`` in ``room``, same length as ``x`` (a longer tail is cut);
    ``channels=2``: stereo, each side its own impulse response, so the room surrounds."""
    if room.rt60 <= 0 or not np.any(x):
        return np.zeros((len(x), channels) if channels == 2 else len(x), np.float32)
    if channels == 2:
        return np.stack([signal.fftconvolve(x, room_impulse(room, rate, rng))[: len(x)] for _ in range(2)], axis=1).astype(np.float32)
    wet = signal.fftconvolve(x, room_impulse(room, rate, rng))[: len(x)]
    return wet.astype(np.float32)


def fit(x: np.ndarray, rate: int, length: int, crossfade: float = 0.25) -> np.ndarray:
    """``x`` made exactly ``length`` samples: repeated with crossfades if short, cut if long."""
    if len(x) == 0:
        return np.zeros((length,) + x.shape[1:], np.float32)
    if len(x) >= length:
        return x[:length].astype(np.float32, copy=True)
    xf = min(dsp.seconds_to_samples(crossfade, rate), len(x) // 3)
    out = np.zeros((length + len(x),) + x.shape[1:], np.float32)
    fade_in, fade_out = dsp.equal_power(xf) if xf else (np.ones(0, np.float32), np.ones(0, np.float32))
    if x.ndim == 2:
        fade_in, fade_out = fade_in[:, None], fade_out[:, None]
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
    if x.ndim == 2:
        fade_in, fade_out = fade_in[:, None], fade_out[:, None]
    out[:extra] = x[:extra] * fade_in + x[length : length + extra] * fade_out
    return out


def loop_point(x: np.ndarray, length: int, rate: int, crossfade: int, window: float = 0.05) -> int:
    """Where to start a loop of ``length`` samples (folded over ``crossfade``, see :func:`make_loop`)
    in ``x`` so that its seam falls on a steady spot.

    The loop's end runs into what followed it in ``x``, so the seam of a loop starting at ``o``
    joins ``x[o+length-w : o+length]`` to ``x[o+length : o+length+w]`` (plus a little of
    ``x[o:]``, where the crossfade begins). As a sound designer picks a loop point, this picks
    the ``o`` (within the slack ``x`` has beyond ``length`` and the crossfade) where the two
    sides of the seam are closest in level and, among those within 0.3 dB of the best, no loud
    transient is near (the final limiter would pull one side down more than the other): never
    in the middle of a footstep or a crackle. Levels are compared down to 90 dB under the peak
    (finer than any listener or meter: once the loop is normalised and limited, quiet
    stretches sit closer to the peak, and a seam matched only to -60 dB could then jump)."""
    from scipy import ndimage

    w = max(1, int(window * rate))
    slack = len(x) - length - max(crossfade, w)
    if slack <= 0:
        return 0
    power = np.square(x, dtype=np.float64)
    floor = float(power.max(initial=0.0)) * 1e-9 + 1e-30
    starts = np.arange(0, slack + 1, max(1, rate // 200))  # every 5 ms
    fade_in, fade_out = dsp.equal_power(max(crossfade, w))
    shape = (slice(None),) + (None,) * (x.ndim - 1)
    level = lambda part: 10 * np.log10(max(float(np.mean(np.square(part, dtype=np.float64))), floor))
    jumps = np.empty(len(starts))
    for i, o in enumerate(starts):
        head = x[o : o + w] * fade_in[:w][shape] + x[o + length : o + length + w] * fade_out[:w][shape]
        jumps[i] = abs(level(head) - level(x[o + length - w : o + length]))
    magnitude = np.abs(x) if x.ndim == 1 else np.max(np.abs(x), axis=1)
    nearby = ndimage.maximum_filter1d(magnitude, size=max(1, int(0.3 * rate)), mode="nearest")[starts + length]
    smooth = np.flatnonzero(jumps <= jumps.min() + 0.3)
    return int(starts[smooth[int(np.argmin(nearby[smooth]))]])


def seam_jump_db(x: np.ndarray, rate: int, window: float = 0.05) -> float:
    """How much louder or quieter (dB) a loop's first ``window`` seconds are than its last:
    the level jump a listener hears where the loop starts again. Levels more than 60 dB under
    the clip's peak count as that floor (two inaudible windows do not "jump")."""
    n = max(1, int(window * rate))
    floor = float(np.max(np.square(x, dtype=np.float64), initial=0.0)) * 1e-6 + 1e-20
    level = lambda part: 10 * np.log10(max(float(np.mean(np.square(part, dtype=np.float64))), floor))
    return abs(level(x[:n]) - level(x[-n:]))
