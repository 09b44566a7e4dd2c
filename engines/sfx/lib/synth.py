"""Procedural sound design: the families that signal processing does well.

Every recipe is ``recipe(seconds, rng, p) -> float32 samples at SAMPLE_RATE``, mono ``(n,)``
or, where the sound has its own stereo image (a car passing left to right, a crowd, birds),
``(n, 2)``:
- ``seconds`` is the length of a *bed* (rain, wind, crowd, … : exactly that long), the
  length a *repeating* sound fills (footsteps, typing, drips, knocks, ticks, heartbeat:
  exactly that long, events repeating with natural variation in timing, level and pitch),
  or the most an *event* may take (gunshot, glass breaking, door slam, thunder: their
  natural length, at most that);
- ``p.count`` asks a repeating sound for that many events instead (``None``: fill);
- ``rng`` (``numpy.random.Generator``) makes every variation reproducible from its seed;
- ``p`` (:class:`Params`) carries what the prompt said: intensity, pitch, speed, distance,
  plus the catalogue entry's fixed settings (``surface``, ``preset``, …).

The building blocks are filtered noise (``_band``), noise shaped in time and frequency
through an STFT (``_shaped_noise``: whooshes, gusts), sparse impulse trains convolved with
short grains (``_scatter``: raindrops, crackles, gravel, claps, bubbles), additive tones,
modal synthesis (``_modes``: sums of exponentially decaying sinusoids at inharmonic
partials, for impacts, bells, glass, ticks, clicks, knocks) and ``_pattern``, which repeats
an event with natural variation until a length is filled or a count is reached.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy import signal

from audiokit import dsp

log = logging.getLogger(__name__)

SAMPLE_RATE = 44_100
SR = SAMPLE_RATE


@dataclass(frozen=True)
class Params:
    intensity: float = 0.5  # 0 gentle … 1 violent
    pitch: float = 0.0  # -1 low/deep … +1 high/squeaky
    speed: float = 0.0  # -1 slow … +1 fast
    distance: float = 0.2  # 0 close … 1 far (the mix filters; some recipes change shape too)
    extra: dict = field(default_factory=dict)  # the catalogue entry's fixed params
    count: int | None = None  # repeating sounds: this many events; None: fill ``seconds``


# -- building blocks ---------------------------------------------------------------------
def _n(seconds: float) -> int:
    return max(1, int(round(seconds * SR)))


def _white(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal(n).astype(np.float32)


def _colored(n: int, rng: np.random.Generator, exponent: float) -> np.ndarray:
    """Noise with power ∝ 1/f^exponent (1: pink, 2: brown), unit RMS."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SR)
    f[0] = f[1] if n > 1 else 1.0
    spectrum *= f ** (-exponent / 2)
    x = np.fft.irfft(spectrum, n)
    return (x / (np.std(x) + 1e-12)).astype(np.float32)


def _band(x: np.ndarray, low: float | None, high: float | None, order: int = 2) -> np.ndarray:
    """Butterworth high-, low- or band-pass (``None`` leaves that side open)."""
    nyq = SR / 2
    if low and high:
        sos = signal.butter(order, [low / nyq, min(high / nyq, 0.99)], "bandpass", output="sos")
    elif low:
        sos = signal.butter(order, low / nyq, "highpass", output="sos")
    elif high:
        sos = signal.butter(order, min(high / nyq, 0.99), "lowpass", output="sos")
    else:
        return x
    return signal.sosfilt(sos, x).astype(np.float32)


def _slow_random(n: int, rng: np.random.Generator, rate_hz: float, floor: float = 0.0) -> np.ndarray:
    """A smooth random curve in [floor, 1] that changes about ``rate_hz`` times a second."""
    points = max(2, int(np.ceil(n / SR * rate_hz)) + 2)
    knots = rng.random(points)
    pos = np.linspace(0, points - 1.001, n)
    k = pos.astype(int)
    frac = 0.5 - 0.5 * np.cos(np.pi * (pos - k))  # cosine interpolation: smooth, no overshoot
    curve = knots[k] * (1 - frac) + knots[k + 1] * frac
    curve = (curve - curve.min()) / (np.ptp(curve) + 1e-9)
    return (floor + (1 - floor) * curve).astype(np.float32)


def _shaped_noise(n: int, rng: np.random.Generator, centre: np.ndarray, width: np.ndarray) -> np.ndarray:
    """White noise through a band whose centre and width (Hz, one value per sample) move in time."""
    nper = 1024
    _, times, spec = signal.stft(_white(n, rng), SR, nperseg=nper)
    freqs = np.fft.rfftfreq(nper, 1 / SR)[:, None]
    idx = np.clip((times * SR).astype(int), 0, n - 1)
    c, w = centre[idx][None, :], np.maximum(width[idx][None, :], 20.0)
    mask = np.exp(-0.5 * ((np.log2(np.maximum(freqs, 1.0)) - np.log2(c)) / np.log2(1 + w / c)) ** 2)
    _, out = signal.istft(spec * mask, SR, nperseg=nper)
    out = out[:n] if len(out) >= n else np.pad(out, (0, n - len(out)))
    return (out / (np.std(out) + 1e-12)).astype(np.float32)


def _scatter(n: int, rng: np.random.Generator, rate: float, grains: list[np.ndarray],
             amplitude: Callable[[int], np.ndarray]) -> np.ndarray:
    """Poisson events at ``rate`` per second, each one of ``grains`` at a random amplitude."""
    out = np.zeros(n + max(len(g) for g in grains), np.float32)
    count = rng.poisson(rate * n / SR)
    if count == 0:
        return out[:n]
    where = rng.integers(0, n, count)
    which = rng.integers(0, len(grains), count)
    amps = amplitude(count).astype(np.float32)
    for k, grain in enumerate(grains):
        sel = which == k
        if not sel.any():
            continue
        train = np.zeros(n, np.float32)
        np.add.at(train, where[sel], amps[sel])
        out[: n + len(grain) - 1] += signal.fftconvolve(train, grain).astype(np.float32)
    return out[:n]


def _decay(seconds: float, tau: float, attack: float = 0.0005) -> np.ndarray:
    t = np.arange(_n(seconds)) / SR
    return (np.minimum(1.0, t / max(attack, 1e-5)) * np.exp(-t / tau)).astype(np.float32)


def _tone(freq: np.ndarray | float, n: int, harmonics: tuple[float, ...] = (1.0,), phase: float = 0.0) -> np.ndarray:
    """Additive tone; ``freq`` may vary per sample (integrated to a phase)."""
    f = np.broadcast_to(np.asarray(freq, np.float64), (n,))
    ph = 2 * np.pi * np.cumsum(f) / SR + phase
    out = np.zeros(n, np.float64)
    for k, a in enumerate(harmonics, start=1):
        out += a * np.sin(k * ph)
    return out.astype(np.float32)


def _norm(x: np.ndarray, peak: float = 0.9) -> np.ndarray:
    m = float(np.max(np.abs(x))) if len(x) else 0.0
    return (x * (peak / m)).astype(np.float32) if m > 0 else x.astype(np.float32)


def _modes(seconds: float, freqs, taus, amps, rng: np.random.Generator, attack: float = 0.0002) -> np.ndarray:
    """Modal synthesis: the sum of ``a·exp(-t/tau)·sin(2π f t + φ)``, one term per mode (φ random).

    What a struck object sounds like: each mode rings at its own (inharmonic) frequency and
    dies at its own rate. Modes above 0.45 × the sample rate are left out."""
    n = _n(seconds)
    t = np.arange(n) / SR
    out = np.zeros(n, np.float64)
    for f, tau, a in zip(freqs, taus, amps):
        if not 15.0 < f < 0.45 * SR or a == 0:
            continue
        m = min(n, int(7.0 * tau * SR) + 1)  # exp(-7): -61 dB, the rest is inaudible
        out[:m] += a * np.exp(-t[:m] / tau) * np.sin(2 * np.pi * f * t[:m] + rng.uniform(0, 2 * np.pi))
    if attack > 0:
        k = min(n, max(1, int(attack * SR)))
        out[:k] *= np.linspace(0, 1, k)
    return out.astype(np.float32)


def _burst(seconds: float, rng: np.random.Generator, low: float | None, high: float | None, tau: float,
           attack: float = 0.0002) -> np.ndarray:
    """A noise burst in a band that dies with time constant ``tau`` (a contact, a click, a crack)."""
    return _band(_white(_n(seconds), rng), low, high) * _decay(seconds, tau, attack)


def _resonate(x: np.ndarray, freqs, q: float | tuple[float, float], rng: np.random.Generator) -> np.ndarray:
    """``x`` through parallel resonators (peaking band-passes) at ``freqs``: a body that rings."""
    out = np.zeros(len(x), np.float64)
    for f in freqs:
        if not 20 < f < 0.45 * SR:
            continue
        quality = q if isinstance(q, (int, float)) else rng.uniform(*q)
        b, a = signal.iirpeak(f / (SR / 2), quality)
        out += signal.lfilter(b, a, x) * rng.uniform(0.6, 1.0)
    return out.astype(np.float32)


def _chirp(seconds: float, f_start: float, f_end: float, tau: float, rng: np.random.Generator,
           shape: float = 1.0) -> np.ndarray:
    """A decaying sinusoid gliding from ``f_start`` to ``f_end`` (a bubble, a chirp)."""
    n = _n(seconds)
    t = np.arange(n) / SR
    f = f_start + (f_end - f_start) * (t / max(seconds, 1e-6)) ** shape
    return (np.sin(2 * np.pi * np.cumsum(f) / SR + rng.uniform(0, 2 * np.pi)) * np.exp(-t / tau)).astype(np.float32)


def _bubble(rng: np.random.Generator, low: float, high: float, pitch: float = 0.0) -> np.ndarray:
    """One bubble or water drop "plink": a sinusoid whose pitch rises as it dies (Minnaert
    resonance of a shrinking bubble; van den Doel's model), with a tiny contact tick."""
    f0 = rng.uniform(low, high) * 2 ** (0.5 * pitch)
    tau = np.clip(2.5 / f0 ** 0.6, 0.004, 0.05) * rng.uniform(0.7, 1.3)  # small bubbles: high and short
    seconds = min(0.2, 6 * tau)
    x = _chirp(seconds, f0, f0 * rng.uniform(1.3, 2.0), tau, rng, shape=1.0)
    k = min(len(x), _n(0.01))
    x[:k] *= np.linspace(0, 1, k) ** 0.5  # a soft start: the bubble forms, it is not struck
    return x


def place_events(n: int, events: list[tuple[float, np.ndarray]]) -> np.ndarray:
    """Events (onset seconds, samples) summed into ``n`` samples (mono or stereo)."""
    stereo = any(e.ndim == 2 for _, e in events)
    out = np.zeros((n, 2) if stereo else n, np.float32)
    for onset, e in events:
        s = int(round(onset * SR))
        if s >= n or s < 0:
            continue
        e = e[: n - s]
        if stereo and e.ndim == 1:
            e = np.repeat(e[:, None], 2, axis=1) * np.float32(0.7071)
        out[s : s + len(e)] += e
    return out


def _pattern(seconds: float, rng: np.random.Generator, p: "Params", make: Callable[[np.random.Generator, int], np.ndarray],
             gap: Callable[[np.random.Generator, int], float], level_db: float = 1.5,
             first: tuple[float, float] = (0.02, 0.12)) -> np.ndarray:
    """A repeating sound: ``make(rng, k)`` is event ``k`` (it varies its own pitch and timbre),
    ``gap(rng, k)`` the time to the next onset; each event's level varies by ±``level_db``.

    With ``p.count`` set, that many events at their natural pace (at most ``seconds``);
    otherwise events keep coming until ``seconds`` is filled, so there is never a stretch of
    silence the prompt did not ask for."""
    limit = _n(seconds)
    fill = p.count is None
    events: list[tuple[float, np.ndarray]] = []
    t, k = rng.uniform(*first), 0
    while (t < seconds if fill else k < p.count) and k < 5000:
        e = make(rng, k) * np.float32(10 ** (rng.uniform(-level_db, level_db) / 20))
        events.append((t, e))
        t += max(0.005, gap(rng, k))
        k += 1
    end = max(int(round(o * SR)) + len(e) for o, e in events)
    out = place_events(limit if fill else min(limit, end), events)
    return _norm(out)


def _pan(x: np.ndarray, position: float | np.ndarray) -> np.ndarray:
    """Mono → stereo, equal-power, ``position`` -1 (left) … +1 (right), fixed or per sample."""
    angle = (np.clip(position, -1, 1) + 1) * np.pi / 4
    return np.stack([x * np.cos(angle), x * np.sin(angle)], axis=1).astype(np.float32)


# -- recipes -------------------------------------------------------------------------------
def rain(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    n = _n(seconds)
    i = p.intensity
    hiss = _band(_colored(n, rng, 1.0), 500, 9000) * (0.25 + 0.5 * i)
    hiss *= 0.8 + 0.2 * _slow_random(n, rng, 0.3)
    metal = p.extra.get("surface") == "metal"
    grains = []
    for _ in range(24):  # many different drops, so no pitch stands out as a tone
        if metal:  # tin roof: inharmonic pings that ring for a few tens of ms
            f = rng.uniform(1500, 6000) * 2 ** (0.5 * p.pitch)
            t = np.arange(_n(0.08)) / SR
            g = _decay(0.08, rng.uniform(0.006, 0.025)) * (np.sin(2 * np.pi * f * t) + 0.5 * np.sin(2 * np.pi * 2.76 * f * t))
            g = g + 0.4 * _band(_white(len(g), rng), 2500, None) * _decay(0.08, 0.002)
        else:  # drops on ground and leaves: a tick and a short falling "plip"
            f = rng.uniform(1200, 4500) * 2 ** (0.5 * p.pitch)
            t = np.arange(_n(0.03)) / SR
            g = _decay(0.03, rng.uniform(0.002, 0.006)) * np.sin(2 * np.pi * f * (t - 8 * t * t))
            g = g + 0.3 * _band(_white(len(g), rng), 2000, None) * _decay(0.03, 0.001)
        grains.append(g.astype(np.float32))
    rate = 60 + 1400 * i ** 1.5
    drops = _scatter(n, rng, rate, grains, lambda k: rng.lognormal(-1.2, 0.6, k))
    return _norm(hiss + drops * (0.9 if metal else 0.6))


def wind(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    n = _n(seconds)
    i = p.intensity
    gust = _slow_random(n, rng, 0.25 + 0.35 * (p.speed + 1), floor=0.35 - 0.25 * i)
    centre = (220 + 700 * gust ** 1.5) * 2 ** (0.7 * p.pitch) * (1 + 0.6 * i)
    body = _shaped_noise(n, rng, centre, centre * (0.9 - 0.4 * i))
    rumble = _band(_colored(n, rng, 2.0), None, 180) * 0.6
    x = (body * (0.3 + 0.7 * gust ** (1 + i)) + rumble * (0.3 + 0.4 * gust))
    return _norm(x)


def fire(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    n = _n(seconds)
    i = p.intensity
    roar = _band(_colored(n, rng, 2.0), 40, 300) * (0.6 + 0.4 * _slow_random(n, rng, 1.5)) * (0.3 + 0.5 * i)
    hiss = _band(_white(n, rng), 3000, 9000) * 0.05 * _slow_random(n, rng, 4.0)
    crackle_grains = [_band(_white(_n(0.004), rng), 1500, 8000) * _decay(0.004, rng.uniform(0.0004, 0.0015))
                      for _ in range(6)]
    crackles = _scatter(n, rng, 15 + 60 * i, crackle_grains, lambda k: np.minimum(rng.pareto(2.5, k), 3.0) * 0.3 + 0.1)
    pop_grains = [_band(_white(_n(0.03), rng), 300, 3000) * _decay(0.03, 0.006) for _ in range(3)]
    pops = _scatter(n, rng, 0.5 + 2.5 * i, pop_grains, lambda k: rng.uniform(0.6, 1.2, k))
    return _norm(roar * 1.5 + hiss + crackles + pops)


def thunder(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    length = min(seconds, rng.uniform(3.5, 6.5) * (0.8 + 0.4 * p.intensity))
    n = _n(length)
    t = np.arange(n) / SR
    env = np.zeros(n, np.float32)
    for onset in np.sort(rng.uniform(0.0, min(1.6, length / 2), rng.integers(3, 7))):
        env += np.where(t >= onset, np.exp(-(t - onset) / rng.uniform(0.5, 1.6)), 0.0).astype(np.float32) * rng.uniform(0.4, 1.0)
    env *= np.minimum(1.0, t / 0.03)
    cutoff = 520 - 350 * p.distance
    rumble = _band(_colored(n, rng, 2.0), 25, cutoff) * env * (0.7 + 0.5 * _slow_random(n, rng, 6.0))
    x = rumble
    if p.distance < 0.6:  # a close strike starts with a crack
        crack = _band(_white(n, rng), 300, None) * _decay(length, 0.06 + 0.05 * p.intensity, attack=0.002)
        x = x + crack * (1.0 - p.distance) * 0.8
    return dsp.fade(_norm(x), SR, 0.002, 0.3)


def engine(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    n = _n(seconds)
    smooth = float(p.extra.get("smooth", 0.0))
    f0 = (28 + 40 * p.intensity + 20 * p.speed) * 2 ** (0.8 * p.pitch)
    wobble = 1 + 0.01 * (_slow_random(n, rng, 2.0) - 0.5) * (1 - smooth)
    harmonics = tuple(1.0 / k ** (0.7 + 0.6 * smooth) * (1.0 if k % 2 else 0.8) for k in range(1, 40))
    tone = _tone(f0 * wobble, n, harmonics, rng.uniform(0, 2 * np.pi))
    firing = 0.5 + 0.5 * np.sin(2 * np.pi * np.cumsum(f0 * wobble) / SR)
    combustion = _band(_white(n, rng), 80, 1500) * firing ** 4 * (0.8 * (1 - smooth))
    x = _band(tone, 20, 2500 + 2500 * p.intensity) + combustion
    return _norm(x)


def whoosh(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    length = min(seconds, (1.1 - 0.45 * p.speed) * rng.uniform(0.8, 1.2))
    n = _n(length)
    t = np.linspace(0, 1, n)
    peak = rng.uniform(0.45, 0.65)
    bell = np.exp(-0.5 * ((t - peak) / (0.18 + 0.05 * rng.random())) ** 2)
    centre = (350 + 2600 * bell) * 2 ** (0.6 * p.pitch)
    x = _shaped_noise(n, rng, centre, centre * 0.8) * bell ** 1.3
    return dsp.fade(_norm(x), SR, 0.01, 0.05)


def footsteps(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """Steps on ``p.extra["surface"]`` (wood, concrete, gravel, snow), alternating feet."""
    surface = p.extra.get("surface", "concrete")
    interval = (0.62 if surface == "snow" else 0.55) * 2 ** (-1.1 * p.speed)
    gain = 0.6 + 0.6 * p.intensity

    def step(rng: np.random.Generator, k: int) -> np.ndarray:
        return _footstep(rng, surface, p) * np.float32((1.0 if k % 2 == 0 else 0.8) * gain)

    return _pattern(seconds, rng, p, step, lambda rng, k: interval * rng.uniform(0.94, 1.06), level_db=1.0,
                    first=(0.05, 0.2))


def _footstep(rng: np.random.Generator, surface: str, p: Params) -> np.ndarray:
    n = _n(0.35)
    lift = 2 ** (0.5 * p.pitch)
    heel = _band(_white(n, rng), 60, 400 * lift) * _decay(0.35, 0.025, attack=0.002) * 1.6
    toe = np.zeros(n, np.float32)
    d = _n(rng.uniform(0.05, 0.09))
    toe[d:] = (_band(_white(n - d, rng), 200, 2500) * _decay((n - d) / SR, 0.02, attack=0.002))[: n - d] * 0.6
    if surface == "gravel":  # a cloud of small grains: the crunch
        grains = [_band(_white(_n(0.003), rng), 2000, 9000) * _decay(0.003, 0.0008) for _ in range(5)]
        crunch = _scatter(n, rng, 350, grains, lambda k: rng.uniform(0.2, 1.0, k)) * _decay(0.35, 0.09, attack=0.01)
        return heel * 0.6 + toe * 0.5 + crunch * 2.0
    if surface == "snow":  # soft and compressed: a muffled heel and a dense, squeaky crunch that builds
        m = _n(0.4)
        grains = [_band(_white(_n(0.004), rng), 900, 4500) * _decay(0.004, 0.0015) for _ in range(6)]
        envelope = np.sin(np.pi * np.clip(np.arange(m) / (rng.uniform(0.22, 0.3) * SR), 0, 1)) ** 1.5
        crunch = _scatter(m, rng, 900, grains, lambda k: rng.uniform(0.3, 1.0, k)) * envelope.astype(np.float32)
        soft = _band(_white(m, rng), 80, 700) * _decay(0.4, 0.06, attack=0.02)
        return soft * 0.8 + crunch * 1.6
    if surface == "wood":  # hollow boards: low modes ringing under the heel, now and then a creak
        f0 = rng.uniform(110, 170) * lift
        ratios = np.array([1.0, 1.62, 2.31, 3.1, 4.4])
        board = _modes(0.35, f0 * ratios * rng.uniform(0.97, 1.03, 5), 0.05 / ratios ** 0.4, 1 / ratios ** 0.7, rng)
        click = _burst(0.35, rng, 1200, 5000, 0.004) * 0.4
        out = heel * 0.8 + toe * 0.7 + board * 0.9 + click
        if rng.random() < 0.2:
            out = out + _creak_grain(rng, 0.25, 0.35) * 0.25
        return out
    # concrete, tile, hard floors: a sharp heel click, short and bright
    click = _band(_white(n, rng), 1500, 5000) * _decay(0.35, 0.005) * 0.9
    scuff = _band(_white(n, rng), 2000, 7000) * _decay(0.35, 0.03, attack=0.01) * 0.08
    return heel + toe + click + scuff


def _creak_grain(rng: np.random.Generator, seconds: float, n_seconds: float) -> np.ndarray:
    """A short wooden creak (stick-slip pulses through resonances), ``n_seconds`` long."""
    x = _creak(seconds, rng, rate=(40, 110), bright=0.5)
    out = np.zeros(_n(n_seconds), np.float32)
    out[: len(x)] = x[: len(out)]
    return out


def beep(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    length = min(seconds, 0.18 + 0.25 * (1 - p.speed) / 2)
    f = 1000 * 2 ** (1.2 * p.pitch)
    x = _tone(f, _n(length), (1.0, 0.0, 0.08))
    return dsp.fade(x * 0.9, SR, 0.004, 0.01)


def alarm(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    n = _n(seconds)
    f = 2600 * 2 ** (0.8 * p.pitch)
    t = np.arange(n) / SR
    group = 0.8 * 2 ** (-0.8 * p.speed)  # a burst of beeps, a short pause, again
    in_group = t % group
    gate = ((in_group < 0.6 * group) & ((in_group % 0.1) < 0.06)).astype(np.float32)
    gate = signal.lfilter([0.02], [1, -0.98], gate).astype(np.float32)  # soften the edges
    x = _tone(f, n, (1.0, 0.0, 0.3, 0.0, 0.1)) * gate
    return _norm(x)


def siren(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    n = _n(seconds)
    t = np.arange(n) / SR
    period = 4.0 * 2 ** (-1.5 * max(p.speed, p.intensity - 0.5))  # faster "yelp" when urgent
    lfo = 0.5 - 0.5 * np.cos(2 * np.pi * t / period + rng.uniform(0, np.pi))
    f = (650 + 750 * lfo) * 2 ** (0.5 * p.pitch)
    x = _tone(f, n, (1.0, 0.35, 0.15, 0.05))
    return _norm(_band(x, 300, 6000))


def explosion(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    length = min(seconds, rng.uniform(2.0, 3.5) * (0.7 + 0.6 * p.intensity))
    n = _n(length)
    boom = _band(_colored(n, rng, 2.0), 20, 140 * 2 ** (0.5 * p.pitch)) * _decay(length, 0.5 + 0.8 * p.intensity, attack=0.004)
    blast = _band(_white(n, rng), None, 5000 * (1 - 0.6 * p.distance)) * _decay(length, 0.12, attack=0.001)
    debris = _band(_colored(n, rng, 1.0), 200, 1200) * _decay(length, 0.8) * (0.5 + 0.5 * _slow_random(n, rng, 8.0))
    t = np.arange(n) / SR
    sub = _tone(60 * np.exp(-t / 1.5) + 30, n) * _decay(length, 0.6, attack=0.003)
    return dsp.fade(_norm(boom * 1.2 + blast * 0.6 + debris * 0.3 + sub * 0.8), SR, 0.001, 0.3)


def waves(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    n = _n(seconds)
    t = np.arange(n) / SR
    env = np.zeros(n, np.float32)
    onset = -rng.uniform(0, 6)
    while onset < seconds:
        period = rng.uniform(6.0, 10.0) * 2 ** (-0.5 * p.speed)
        rise = rng.uniform(1.5, 2.5)
        shape = np.where(t < onset + rise, ((t - onset) / rise).clip(0, 1) ** 2, np.exp(-(t - onset - rise) / (period / 3)))
        env = np.maximum(env, (shape * (t >= onset) * rng.uniform(0.6, 1.0)).astype(np.float32))
        onset += period
    surf = _band(_colored(n, rng, 1.0), 80, 2500 + 3000 * p.intensity)
    fizz = _band(_white(n, rng), 3000, 12000) * 0.2
    return _norm(surf * (0.15 + env) + fizz * env ** 2)


def clock(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """A mechanical clock: tick and tock (two escapement clicks, modal), every half second."""
    period = 0.5 * 2 ** (-p.speed) * float(p.extra.get("period", 1.0))
    lift = 2 ** (0.5 * p.pitch) * float(p.extra.get("lift", 1.0))
    body = rng.uniform(0.9, 1.1)

    def tick(rng: np.random.Generator, k: int) -> np.ndarray:
        f = (3100 if k % 2 == 0 else 2500) * lift * rng.uniform(0.99, 1.01)
        ring = _modes(0.08, [f, f * 2.71, f * 0.43 * body, f * 4.1], [0.006, 0.003, 0.02, 0.002], [1.0, 0.4, 0.35, 0.2], rng)
        return ring + _burst(0.08, rng, 2000, None, 0.001) * 0.5

    return _pattern(seconds, rng, p, tick, lambda rng, k: period * rng.uniform(0.995, 1.005), level_db=0.5,
                    first=(0.05, 0.3))


# -- doors, knocks, impacts (modal synthesis) ---------------------------------------------------
def _rap(rng: np.random.Generator, p: Params, strength: float = 1.0) -> np.ndarray:
    """One knuckle rap on a wooden door: low panel modes plus the knuckle's click."""
    f0 = rng.uniform(95, 140) * 2 ** (0.5 * p.pitch)
    ratios = np.array([1.0, 1.59, 2.14, 2.65, 3.16, 3.9, 4.6, 5.9]) * rng.uniform(0.97, 1.03, 8)
    panel = _modes(0.3, f0 * ratios, 0.045 / ratios ** 0.5 * rng.uniform(0.8, 1.2), rng.uniform(0.5, 1.0, 8) / ratios ** 0.4, rng)
    knuckle = _burst(0.3, rng, 700, 4000, rng.uniform(0.0015, 0.003)) * 0.9
    thud = _burst(0.3, rng, 50, 350, 0.012) * 1.2
    return _norm(panel + knuckle + thud, 0.9 * strength)


def door_knock(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """Knocking on a door: groups of two to four raps, a pause, again (``count``: that many raps)."""
    urgent = max(p.speed, 2 * (p.intensity - 0.5))
    rap_gap = 0.17 * 2 ** (-0.6 * urgent)
    group = [int(rng.integers(2, 5))]

    def make(rng: np.random.Generator, k: int) -> np.ndarray:
        return _rap(rng, p, 0.75 + 0.25 * rng.random())

    def gap(rng: np.random.Generator, k: int) -> float:
        if p.count is None and (k + 1) % group[0] == 0:  # end of a group: wait, then knock again
            group[0] = int(rng.integers(2, 5))
            return rng.uniform(0.4, 0.75) * 2 ** (-0.5 * urgent)
        return rap_gap * rng.uniform(0.9, 1.12)

    return _pattern(seconds, rng, p, make, gap, level_db=1.5)


def _creak(seconds: float, rng: np.random.Generator, rate: tuple[float, float] = (18, 90), bright: float = 0.0) -> np.ndarray:
    """Stick-slip friction: an irregular pulse train whose rate wanders, through wooden resonances."""
    n = _n(seconds)
    r = rate[0] + (rate[1] - rate[0]) * _slow_random(n, rng, 2.5 / max(seconds, 0.2))
    phase = np.cumsum(r * (1 + 0.15 * rng.standard_normal(n)) / SR)
    pulses = np.zeros(n, np.float32)
    idx = np.flatnonzero(np.diff(np.floor(phase)) > 0)
    pulses[idx] = rng.uniform(0.5, 1.0, len(idx))
    freqs = np.sort(rng.uniform(350, 2600 + 1500 * bright, 6))
    body = _resonate(pulses, freqs, (12, 30), rng) + _resonate(pulses, [rng.uniform(150, 260)], 6, rng) * 0.8
    swell = 0.3 + 0.7 * _slow_random(n, rng, 1.5)
    return _norm(body * swell * np.sin(np.pi * np.arange(n) / n) ** 0.3)


def door_creak(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """A door creaking open on dry hinges: one slow creak, its own length (1–2.5 s)."""
    length = min(seconds, rng.uniform(1.2, 2.4) * 2 ** (-0.6 * p.speed))
    lift = 2 ** (0.6 * p.pitch)
    x = _creak(length, rng, (15 * lift, 85 * lift))
    return dsp.fade(x, SR, 0.05, 0.15)


def door_slam(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """A door slammed shut: a heavy panel thump, the latch clicking, the frame rattling."""
    length = min(seconds, 0.9)
    f0 = rng.uniform(55, 80) * 2 ** (0.5 * p.pitch)
    ratios = np.array([1.0, 1.52, 2.2, 2.9, 3.7, 4.8, 6.1])
    panel = _modes(length, f0 * ratios * rng.uniform(0.97, 1.03, 7), 0.11 / ratios ** 0.5, 1 / ratios ** 0.5, rng)
    crack = _burst(length, rng, 150, 6000, 0.008) * 0.8
    air = _burst(length, rng, 40, 250, 0.05, attack=0.004) * 1.2
    latch = np.zeros(_n(length), np.float32)
    for delay in (rng.uniform(0.008, 0.02), rng.uniform(0.03, 0.07)):
        f = rng.uniform(2000, 4500)
        click = _modes(0.05, [f, f * 1.73, f * 2.41], [0.012, 0.008, 0.005], [1.0, 0.5, 0.3], rng)
        s = _n(delay)
        latch[s : s + len(click)] += click[: len(latch) - s] * rng.uniform(0.25, 0.45)
    return dsp.fade(_norm(panel + crack + air + latch), SR, 0.0005, 0.1)


def gunshot(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """A gunshot: the supersonic crack (an N-wave of ~1.5 ms), the muzzle blast, then its echoes."""
    length = min(seconds, rng.uniform(1.4, 2.0))
    n = _n(length)
    out = np.zeros(n, np.float32)
    w = _n(rng.uniform(0.0012, 0.002))
    out[:w] += np.linspace(1.0, -1.0, w, dtype=np.float32)  # the N-wave
    blast = _burst(length, rng, 80, 3500 * 2 ** (0.5 * p.pitch), rng.uniform(0.015, 0.035), attack=0.0003)
    boom = _modes(length, [rng.uniform(55, 90), rng.uniform(110, 160)], [0.07, 0.04], [1.0, 0.5], rng, attack=0.001)
    tail = _band(_colored(n, rng, 1.0), 100, 2500) * _decay(length, rng.uniform(0.25, 0.5), attack=0.03)
    out += blast * 1.3 + boom * (0.6 + 0.5 * p.intensity) + tail * 0.12
    for _ in range(int(rng.integers(2, 4))):  # slap-back from buildings or trees
        d = _n(rng.uniform(0.08, 0.45))
        echo = _band(out[: n - d].copy(), 100, 2000) * np.float32(rng.uniform(0.08, 0.2))
        out[d:] += echo
    return dsp.fade(_norm(out), SR, 0.0, 0.2)


def glass_break(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """Glass shattering: the crack, a burst of small shards (each a few high, inharmonic modes),
    the ringing body, then pieces tinkling down."""
    length = min(seconds, rng.uniform(1.6, 2.4))
    n = _n(length)
    out = np.zeros(n, np.float32)
    out += _burst(length, rng, 1200, None, 0.006, attack=0.0002) * 1.0  # the crack
    out += _burst(length, rng, 100, 800, 0.02) * 0.4
    body_f = rng.uniform(900, 2200) * 2 ** (0.4 * p.pitch)
    out += _modes(length, body_f * np.array([1.0, 2.32, 4.25, 6.63]), [0.25, 0.15, 0.08, 0.05], [0.5, 0.35, 0.25, 0.15], rng)
    shards = int(60 + 100 * p.intensity)
    for _ in range(shards):
        onset = rng.exponential(0.05) if rng.random() < 0.7 else rng.uniform(0.15, length - 0.2)
        f = rng.uniform(2500, 9500) * 2 ** (0.3 * p.pitch)
        tau = rng.uniform(0.008, 0.07)
        ping = _modes(min(0.25, 6 * tau), [f, f * rng.uniform(2.2, 2.6), f * rng.uniform(3.6, 4.2)],
                      [tau, tau * 0.6, tau * 0.4], [1.0, 0.5, 0.3], rng)
        s = min(n - 1, _n(onset))
        amp = rng.lognormal(-1.0, 0.5) * (1.0 if onset < 0.15 else 0.5)
        out[s : s + len(ping)] += ping[: n - s] * np.float32(amp)
    return dsp.fade(_norm(out), SR, 0.0, 0.15)


# -- bells and chimes ----------------------------------------------------------------------
BELL_PARTIALS = ((0.5, 1.0, 0.6), (1.0, 0.7, 0.8), (1.19, 0.55, 0.5), (1.5, 0.45, 0.3), (2.0, 0.35, 1.0),
                 (2.51, 0.25, 0.4), (2.66, 0.22, 0.35), (3.01, 0.18, 0.3), (4.1, 0.12, 0.2), (5.3, 0.08, 0.1))
"""A church bell's partials (ratio to the prime, relative decay, level): hum, prime, minor
third (tierce), fifth, nominal, and the upper partials."""


def _bell_strike(rng: np.random.Generator, f: float, ring: float) -> np.ndarray:
    """One strike of a bell of prime ``f`` ringing ~``ring`` seconds: doublet modes that beat slowly."""
    freqs, taus, amps = [], [], []
    for ratio, decay, level in BELL_PARTIALS:
        for split in (1.0, 1.0 + rng.uniform(0.0005, 0.003)):
            freqs.append(f * ratio * split)
            taus.append(ring * decay / 3)
            amps.append(level * rng.uniform(0.7, 1.0) / 2)
    x = _modes(ring, freqs, taus, amps, rng, attack=0.001)
    return x + _burst(ring, rng, 1500, 8000, 0.004) * 0.3


def bell(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """A bell tolling: strikes every 1.3–2 s, each ringing on under the next (``count``: strikes)."""
    size = p.extra.get("size", "church")
    if size == "hand":  # a small hand bell, shaken
        f, ring, period = rng.uniform(900, 1500), 1.2, 0.35
    else:
        f, ring, period = rng.uniform(220, 420), 4.5, 1.6
    f *= 2 ** (0.6 * p.pitch)
    period *= 2 ** (-0.8 * p.speed)
    return _pattern(seconds, rng, p, lambda rng, k: _bell_strike(rng, f * rng.uniform(0.998, 1.002), ring),
                    lambda rng, k: period * rng.uniform(0.9, 1.1), level_db=1.0, first=(0.01, 0.05))


def electric_bell(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """An electric bell (school, fire, old telephone): a striker hammering a small gong ~20 times a second."""
    n = _n(seconds)
    f = rng.uniform(1200, 1900) * 2 ** (0.5 * p.pitch)
    gong = _modes(0.3, f * np.array([1.0, 2.76, 5.4, 8.93]), [0.15, 0.08, 0.04, 0.02], [1.0, 0.5, 0.3, 0.15], rng)
    rate = rng.uniform(18, 24)
    train = np.zeros(n, np.float32)
    train[(np.arange(0, seconds, 1 / rate) * SR).astype(int)] = 1.0
    x = signal.fftconvolve(train, gong)[:n].astype(np.float32)
    x += _band(_white(n, rng), 2000, 8000) * 0.02
    return _norm(x)


def phone_ring(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """A telephone ringing: bursts of ring with short pauses, the cadence repeating (``count``: rings).

    ``style`` "bell": an old phone's striker on two small bells; "electronic": a two-tone
    warble (two frequencies alternating 16 times a second), in pairs."""
    style = p.extra.get("style", "bell")
    lift = 2 ** (0.5 * p.pitch)
    if style == "bell":
        on, off, pair = 1.3, 0.6, False
    else:
        on, off, pair = 0.4, 0.6, True

    def ring(rng: np.random.Generator, k: int) -> np.ndarray:
        n = _n(on)
        t = np.arange(n) / SR
        if style == "bell":
            rate, f1, f2 = 20.0, 1650 * lift, 2100 * lift
            train1, train2 = np.zeros(n, np.float32), np.zeros(n, np.float32)
            hits = (np.arange(0, on, 1 / rate) * SR).astype(int)
            train1[hits[::2]], train2[hits[1::2]] = 1.0, 1.0
            b1 = _modes(0.25, f1 * np.array([1.0, 2.76, 5.4]), [0.1, 0.05, 0.02], [1.0, 0.4, 0.2], rng)
            b2 = _modes(0.25, f2 * np.array([1.0, 2.76, 5.4]), [0.1, 0.05, 0.02], [1.0, 0.4, 0.2], rng)
            x = signal.fftconvolve(train1, b1)[:n] + signal.fftconvolve(train2, b2)[:n]
        else:
            f = np.where((t * 16) % 1 < 0.5, 1300.0, 1600.0) * lift
            x = _tone(f, n, (1.0, 0.0, 0.25, 0.0, 0.1))
            if pair:
                gap = _n(0.2)
                x = np.concatenate([x, np.zeros(gap, np.float32), x])
        return dsp.fade(_norm(x.astype(np.float32)), SR, 0.005, 0.03)

    cycle = on * (2 if pair else 1) + (0.2 if pair else 0.0) + off
    return _pattern(seconds, rng, p, ring, lambda rng, k: cycle * rng.uniform(0.99, 1.01), level_db=0.3)


def chime(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """Chimes: ``kind`` "doorbell" (ding-dong, one event), "notify" (a soft rising two-note chime)
    or "wind" (tuned tubes struck at random by the wind, a bed)."""
    kind = p.extra.get("kind", "wind")
    lift = 2 ** (0.5 * p.pitch)
    bar = np.array([1.0, 2.756, 5.404])  # a free-free bar's partials (tubular chimes)

    def note(f: float, ring: float, level: float = 1.0) -> np.ndarray:
        x = _modes(ring, f * bar, [ring / 3, ring / 7, ring / 14], [1.0, 0.35, 0.12], rng, attack=0.0008)
        return x * np.float32(level)

    if kind == "doorbell":
        length = min(seconds, 2.6)
        out = np.zeros(_n(length), np.float32)
        ding, dong = note(659.3 * lift, 2.0), note(523.3 * lift, 2.0)
        out[: len(ding)] += ding[: len(out)]
        s = _n(min(0.65, length / 3))
        out[s : s + len(dong)] += dong[: len(out) - s] * 0.9
        return dsp.fade(_norm(out), SR, 0.0, 0.3)
    if kind == "notify":
        length = min(seconds, 1.4)
        out = np.zeros(_n(length), np.float32)
        for i, f in enumerate((880.0, 1318.5)):
            s = _n(0.12 * i)
            x = note(f * lift, length - 0.12 * i, 0.9 if i else 0.7)
            out[s : s + len(x)] += x[: len(out) - s]
        return dsp.fade(_norm(out), SR, 0.0, 0.2)
    # wind chimes: five tubes of a pentatonic scale, struck in clusters as gusts come
    n = _n(seconds)
    tubes = 523.3 * lift * 2 ** (np.array([0, 2, 4, 7, 9]) / 12) * rng.uniform(0.99, 1.01)
    gust = _slow_random(n, rng, 0.4, floor=0.15)
    events = []
    t = rng.uniform(0.0, 0.2)
    while t < seconds:
        f = float(rng.choice(tubes))
        events.append((t, note(f, 2.5, rng.uniform(0.3, 1.0))))
        t += rng.exponential(0.35) / (0.3 + gust[min(n - 1, _n(t))]) * 2 ** (-p.speed)
    return _norm(place_events(n, events))


# -- office: keyboards, mice ---------------------------------------------------------------
def _key(rng: np.random.Generator, voice: tuple[float, float], space: bool = False) -> np.ndarray:
    """One key press: the key bottoming out (click + plastic modes + a low thock), then its release."""
    click_f, thock_f = voice
    n = _n(0.16)
    out = np.zeros(n, np.float32)
    f = click_f * rng.uniform(0.97, 1.03)
    press = _modes(0.05, [f, f * 1.83, f * 2.6], [0.006, 0.004, 0.003], [1.0, 0.5, 0.3], rng)
    press += _modes(0.05, [thock_f * (0.7 if space else 1.0)], [0.014 if not space else 0.025], [0.9], rng)
    press += _burst(0.05, rng, 2500, None, 0.0015) * 0.6
    out[: len(press)] += press
    r = _n(rng.uniform(0.06, 0.1))
    release = _modes(0.03, [f * 1.15, f * 2.2], [0.004, 0.002], [0.35, 0.15], rng) + _burst(0.03, rng, 3000, None, 0.001) * 0.2
    out[r : r + len(release)] += release[: n - r]
    if space:  # the long bar rattles in its stabilisers
        out += _burst(0.16, rng, 300, 2000, 0.02) * 0.25
    return out


def keyboard_typing(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """Typing: words of three to eight keys at 7–12 keys a second, a spacebar between words and,
    now and then, a pause to think (``count``: key presses)."""
    lift = 2 ** (0.4 * p.pitch)
    voices = [(rng.uniform(2200, 4200) * lift, rng.uniform(220, 420) * lift) for _ in range(10)]
    space_voice = (rng.uniform(1800, 2600) * lift, rng.uniform(140, 200) * lift)
    rate = 9.0 * 2 ** (0.7 * p.speed)
    word = [int(rng.integers(3, 9))]

    def make(rng: np.random.Generator, k: int) -> np.ndarray:
        if word[0] == 0:
            return _key(rng, space_voice, space=True) * np.float32(1.1)
        return _key(rng, voices[int(rng.integers(0, len(voices)))]) * np.float32(rng.uniform(0.7, 1.0))

    def gap(rng: np.random.Generator, k: int) -> float:
        if word[0] == 0:  # a space was typed: a new word
            word[0] = int(rng.integers(3, 9))
            return rng.uniform(0.35, 0.6) if rng.random() < 0.12 else rng.uniform(0.6, 1.4) / rate
        word[0] -= 1
        return rng.uniform(0.6, 1.5) / rate

    return _pattern(seconds, rng, p, make, gap, level_db=1.5)


def mouse_click(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """A computer mouse: a micro-switch click (press and release), single and double clicks
    with short pauses (``count``: clicks)."""
    f = rng.uniform(3000, 4500) * 2 ** (0.4 * p.pitch)

    def click(rng: np.random.Generator, k: int) -> np.ndarray:
        n = _n(0.14)
        out = np.zeros(n, np.float32)
        g = f * rng.uniform(0.98, 1.02)
        press = _modes(0.03, [g, g * 1.7, g * 0.31], [0.004, 0.002, 0.006], [1.0, 0.4, 0.5], rng)
        press += _burst(0.03, rng, 3000, None, 0.0008) * 0.5
        out[: len(press)] += press
        r = _n(rng.uniform(0.06, 0.1))
        release = _modes(0.03, [g * 1.12, g * 0.35], [0.003, 0.004], [0.6, 0.3], rng)
        out[r : r + len(release)] += release[: n - r]
        return out

    def gap(rng: np.random.Generator, k: int) -> float:
        return rng.uniform(0.11, 0.16) if rng.random() < 0.3 else rng.uniform(0.25, 0.55) * 2 ** (-0.6 * p.speed)

    return _pattern(seconds, rng, p, click, gap, level_db=1.0)


# -- body ----------------------------------------------------------------------------------
def heartbeat(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """A heartbeat: "lub" (S1) then "dub" (S2), low thumps, at ~65 beats a minute; faster when
    racing (``count``: beats)."""
    bpm = 66 * 2 ** (0.9 * p.speed) * rng.uniform(0.95, 1.05)
    period = 60.0 / bpm
    lift = 2 ** (0.4 * p.pitch)

    def thump(rng: np.random.Generator, f: float, tau: float) -> np.ndarray:
        x = _modes(0.25, [f, f * 1.55, f * 2.4, f * 3.6], [tau, tau * 0.8, tau * 0.5, tau * 0.3], [1.0, 0.7, 0.4, 0.2], rng,
                   attack=0.006)
        return x + _band(_white(len(x), rng), 40, 300) * _decay(0.25, tau * 0.5, attack=0.005) * 0.5

    def beat(rng: np.random.Generator, k: int) -> np.ndarray:
        s2 = _n(min(0.3, 0.36 * period))
        out = np.zeros(s2 + _n(0.25), np.float32)
        lub = thump(rng, rng.uniform(48, 58) * lift, 0.045)
        dub = thump(rng, rng.uniform(62, 75) * lift, 0.03) * np.float32(0.7)
        out[: len(lub)] += lub
        out[s2 : s2 + len(dub)] += dub
        return out

    beats = _pattern(seconds, rng, p, beat, lambda rng, k: period * rng.uniform(0.97, 1.03), level_db=0.8)
    # Heard through the chest (a stethoscope, a contact mic) the beats sit on a low rumble of blood and body.
    body = _band(_colored(len(beats), rng, 2.0), 25, 160)
    body *= np.float32(0.01 / (np.std(body) + 1e-12))  # 40 dB under the beats' peak
    return _norm(beats + body)


# -- water ---------------------------------------------------------------------------------
def water_drip(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """Water dripping: drops falling into water ("plink": a bubble whose pitch rises), from a
    leaky tap and a second, slower drip (``count``: drops)."""
    sources = [(rng.uniform(900, 1600), rng.uniform(0.45, 0.7)), (rng.uniform(1600, 2600), rng.uniform(0.8, 1.3))]
    speed = 2 ** (-0.8 * p.speed)
    onsets: list[tuple[float, int]] = []
    for i, (_, period) in enumerate(sources):
        t = rng.uniform(0.02, 0.3) if i == 0 else rng.uniform(0.2, 0.6)
        while t < seconds + 1:
            onsets.append((t, i))
            t += period * speed * rng.uniform(0.9, 1.1)
    onsets.sort()
    times = [o for o, _ in onsets]
    which = [i for _, i in onsets]

    def drop(rng: np.random.Generator, k: int) -> np.ndarray:
        f = sources[which[k % len(which)]][0]
        return _bubble(rng, f * 0.9, f * 1.1, p.pitch) * np.float32(1.0 if which[k % len(which)] == 0 else 0.7)

    def gap(rng: np.random.Generator, k: int) -> float:
        return times[k + 1] - times[k] if k + 1 < len(times) else 0.5

    return _pattern(seconds, rng, p, drop, gap, level_db=2.0, first=(times[0], times[0]))


def _bubbles(n: int, rng: np.random.Generator, rate: float, low: float, high: float, pitch: float,
             level: Callable[[int], np.ndarray] | None = None, variety: int = 24) -> np.ndarray:
    grains = [_bubble(rng, low, high, pitch) for _ in range(variety)]
    return _scatter(n, rng, rate, grains, level or (lambda k: rng.lognormal(-1.0, 0.6, k)))


def water_pour(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """Water poured into a glass or jug: a splashing stream (filtered noise) whose resonance rises
    as the vessel fills, with bubbles."""
    n = _n(seconds)
    fill = np.linspace(0, 1, n) if p.extra.get("vessel", True) else np.zeros(n)
    centre = (500 + 1400 * fill ** 1.5) * 2 ** (0.5 * p.pitch) * (0.85 + 0.3 * _slow_random(n, rng, 3.0))
    stream = _shaped_noise(n, rng, centre, centre * 0.7) * (0.7 + 0.3 * _slow_random(n, rng, 6.0))
    hiss = _band(_white(n, rng), 2500, 9000) * 0.15
    bubbles = _bubbles(n, rng, 70 + 60 * p.intensity, 500, 2200, p.pitch)
    return _norm(stream * 0.8 + hiss + bubbles * 1.2)


def stream(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """A babbling brook: many bubbles of many sizes over a low, moving rush of water."""
    n = _n(seconds)
    i = p.intensity
    rush = _band(_colored(n, rng, 1.0), 150, 2500 + 2000 * i) * (0.5 + 0.5 * _slow_random(n, rng, 1.5)) * (0.4 + 0.6 * i)
    small = _bubbles(n, rng, 180 + 300 * i, 700, 2500, p.pitch)
    large = _bubbles(n, rng, 40 + 60 * i, 200, 700, p.pitch, variety=16)
    splash = _band(_white(n, rng), 3000, 9000) * 0.05 * _slow_random(n, rng, 4.0)
    return _norm(rush * 0.6 + small * 0.8 + large * 0.9 + splash)


def water_splash(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """Something splashing into water: a noise burst as it hits, the plunge, a cloud of bubbles,
    then drops falling back."""
    length = min(seconds, rng.uniform(1.3, 1.9))
    n = _n(length)
    i = p.intensity
    out = _burst(length, rng, 200, 8000, 0.06 + 0.08 * i, attack=0.002) * 1.0
    out += _modes(length, [rng.uniform(80, 140), rng.uniform(180, 260)], [0.06, 0.04], [0.8, 0.4], rng, attack=0.003)
    cloud = _bubbles(n, rng, 160 + 200 * i, 300, 2500, p.pitch) * _decay(length, 0.25, attack=0.01)
    t = np.arange(n) / SR
    back = _bubbles(n, rng, 25 + 30 * i, 1200, 3500, p.pitch) * ((t > 0.25) * np.exp(-np.maximum(t - 0.25, 0) / 0.4)).astype(np.float32)
    return dsp.fade(_norm(out + cloud * 0.9 + back * 0.6), SR, 0.0, 0.2)


# -- vehicles ------------------------------------------------------------------------------
def car_pass(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """A car driving past, left to right: engine harmonics at the firing rate, tyre roar, Doppler
    shift (pitch drops as it passes), level rising and falling with distance, and the pan
    following it. Stereo, its own length (~5–7 s)."""
    length = min(seconds, rng.uniform(5.0, 7.0) * 2 ** (-0.4 * p.speed))
    n = _n(length)
    t = np.arange(n) / SR
    v = rng.uniform(15, 25) * (1 + 0.4 * p.intensity + 0.3 * p.speed)  # m/s
    d = rng.uniform(4, 9)  # closest distance, m
    x = v * (t - length * rng.uniform(0.45, 0.55))
    r = np.sqrt(x**2 + d**2)
    doppler = 343.0 / (343.0 + v * x / r)  # approaching: higher; receding: lower
    f0 = rng.uniform(35, 55) * (1 + 0.5 * p.intensity) * 2 ** (0.5 * p.pitch)
    harmonics = tuple((1.0 / k**0.8) * (1.0 if k % 2 == 0 else 0.6) for k in range(1, 25))
    engine_tone = _tone(f0 * doppler, n, harmonics, rng.uniform(0, 2 * np.pi))
    engine_tone = _band(engine_tone, 30, 3000)
    tyres = _band(_colored(n, rng, 1.0), 250, 2500) * (0.6 + 0.3 * p.speed)
    gain = (d / r).astype(np.float32)
    near = gain ** 0.5  # air and ground absorb the highs of far sources: brighter as it comes close
    dull = _band(engine_tone * 0.7 + tyres, None, 700)
    mono = (dull * (1 - near) + (engine_tone * 0.7 + tyres) * near) * gain
    mono = dsp.fade(mono.astype(np.float32), SR, 0.3, 0.3)
    return _norm(_pan(mono, 0.9 * x / r))


def helicopter(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """A helicopter: main-rotor blade slap (noise pulses and low thumps at 5–7 a second), the
    turbine's whine, tail-rotor buzz and the rotor wash."""
    n = _n(seconds)
    rate = rng.uniform(5.0, 7.0) * 2 ** (0.3 * p.speed)
    train = np.zeros(n, np.float32)
    onsets = np.arange(rng.uniform(0, 1 / rate), seconds, 1 / rate)
    onsets = onsets + rng.normal(0, 0.002, len(onsets))
    idx = np.clip((onsets * SR).astype(int), 0, n - 1)
    train[idx] = (np.where(np.arange(len(idx)) % 2 == 0, 1.0, 0.82) * rng.uniform(0.85, 1.0, len(idx))).astype(np.float32)
    slap = _burst(0.12, rng, 150, 1600, 0.02, attack=0.002) + _modes(0.12, [rng.uniform(55, 80)], [0.035], [1.2], rng, attack=0.003)
    blades = signal.fftconvolve(train, slap)[:n].astype(np.float32)
    tail_rate = rate * rng.uniform(4.0, 5.0)
    tail = _band(_white(n, rng), 300, 3000) * (0.5 + 0.5 * np.sin(2 * np.pi * tail_rate * np.arange(n) / SR)) ** 4
    whine_f = rng.uniform(2600, 4200) * (1 + 0.004 * (_slow_random(n, rng, 0.5) - 0.5))
    whine = _tone(whine_f, n, (1.0, 0.3))
    wash = _band(_colored(n, rng, 1.5), 60, 1200)
    swell = 0.75 + 0.25 * _slow_random(n, rng, 0.15)
    x = (blades * 1.0 + tail * 0.12 + whine * 0.03 + wash * 0.35) * swell
    return _norm(_band(x, 30, None))


# -- crowds, applause ------------------------------------------------------------------------
def crowd(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """A crowd murmuring: many voices, each a band-limited buzz and breath with its own pitch,
    amplitude-modulated at syllable rate (4–6 Hz) in phrases with pauses, spread across the
    stereo field, over a diffuse murmur. Rendered at 16 kHz (speech needs no more), then
    resampled. Stereo."""
    rate = 16_000
    n = int(round(seconds * rate))
    t = np.arange(n) / rate
    voices = int(10 + 30 * p.intensity)
    out = np.zeros((n, 2), np.float32)
    for _ in range(voices):
        f0 = rng.uniform(95, 230) * 2 ** (0.3 * p.pitch) * (1 + 0.08 * (_slow_random_at(n, rng, 0.8, rate) - 0.5))
        buzz = 2 * ((np.cumsum(f0) / rate) % 1.0) - 1  # a sawtooth: the voiced source
        breath = rng.standard_normal(n)
        source = buzz * 0.7 + breath * 0.3
        f1, f2 = rng.uniform(350, 800), rng.uniform(1000, 2400)
        sos1 = signal.butter(2, [f1 * 0.7 / (rate / 2), f1 * 1.4 / (rate / 2)], "bandpass", output="sos")
        sos2 = signal.butter(2, [f2 * 0.8 / (rate / 2), min(0.95, f2 * 1.25 / (rate / 2))], "bandpass", output="sos")
        voice = signal.sosfilt(sos1, source) + 0.6 * signal.sosfilt(sos2, source)
        syllables = (0.5 + 0.5 * np.sin(2 * np.pi * np.cumsum(rng.uniform(3.5, 6.0) * (1 + 0.3 * rng.standard_normal(n) * 0.02)) / rate
                                         + rng.uniform(0, 2 * np.pi))) ** 2
        talking = _slow_random_at(n, rng, rng.uniform(0.3, 0.7), rate) > rng.uniform(0.25, 0.45)
        gate = signal.lfilter([0.002], [1, -0.998], talking.astype(np.float64))
        level = rng.uniform(0.3, 1.0) / np.sqrt(voices)
        out += _pan(((voice / (np.std(voice) + 1e-9)) * syllables * gate * level).astype(np.float32), rng.uniform(-0.9, 0.9))
    murmur = signal.sosfilt(signal.butter(2, [250 / (rate / 2), 2500 / (rate / 2)], "bandpass", output="sos"), rng.standard_normal((n, 2)), axis=0)
    out += (murmur * 0.25 * (0.8 + 0.2 * _slow_random_at(n, rng, 0.3, rate))[:, None]).astype(np.float32)
    up = np.stack([dsp.resample(out[:, c], rate, SR) for c in range(2)], axis=1)
    return _norm(_fit_len(up, _n(seconds)))


def _slow_random_at(n: int, rng: np.random.Generator, rate_hz: float, sample_rate: int) -> np.ndarray:
    """:func:`_slow_random` for a signal at another sample rate."""
    points = max(2, int(np.ceil(n / sample_rate * rate_hz)) + 2)
    knots = rng.random(points)
    pos = np.linspace(0, points - 1.001, n)
    k = pos.astype(int)
    frac = 0.5 - 0.5 * np.cos(np.pi * (pos - k))
    return (knots[k] * (1 - frac) + knots[k + 1] * frac).astype(np.float32)


def _fit_len(x: np.ndarray, n: int) -> np.ndarray:
    if len(x) >= n:
        return x[:n]
    return np.concatenate([x, np.zeros((n - len(x),) + x.shape[1:], x.dtype)])


def applause(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """Applause: many people clapping, each clap a short resonant noise burst, dense and
    random, spread across the stereo field."""
    n = _n(seconds)
    clappers = int(15 + 120 * p.intensity)
    grains = []
    for _ in range(12):
        f = rng.uniform(700, 2600)
        g = _band(_white(_n(0.03), rng), f / 1.6, f * 1.6) * _decay(0.03, rng.uniform(0.003, 0.01), attack=0.0003)
        grains.append(g)
    swell = 0.8 + 0.2 * _slow_random(n, rng, 0.3)
    sides = []
    for _ in range(2):
        claps = _scatter(n, rng, clappers * rng.uniform(3.5, 5.0) / 2, grains, lambda k: rng.lognormal(-0.5, 0.5, k))
        sides.append(claps * swell)
    centre = _scatter(n, rng, clappers * 1.5, grains, lambda k: rng.lognormal(-0.5, 0.5, k)) * swell
    return _norm(np.stack([sides[0] + 0.7 * centre, sides[1] + 0.7 * centre], axis=1))


# -- nature: birds ---------------------------------------------------------------------------
def _syllable(rng: np.random.Generator, style: str, f: float, seconds: float) -> np.ndarray:
    n = _n(seconds)
    u = np.linspace(0, 1, n)
    if style == "down":
        curve = f * (1.35 - 0.6 * u)
    elif style == "up":
        curve = f * (0.8 + 0.5 * u)
    elif style == "warble":
        curve = f * (1 + 0.12 * np.sin(2 * np.pi * rng.uniform(25, 60) * u * seconds))
    else:  # "whistle": a pure note that bends
        curve = f * (1 + 0.05 * np.sin(np.pi * u))
    env = np.sin(np.pi * u) ** 2
    return (_tone(curve, n, (1.0, 0.12)) * env).astype(np.float32)


def birds(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """Birdsong: a few birds, each singing phrases of chirps (frequency sweeps, warbles, trills
    at 2–7 kHz) with pauses, each at its own place in the stereo field, over faint leaves."""
    n = _n(seconds)
    count = int(3 + 4 * p.intensity)
    out = np.zeros((n, 2), np.float32)
    for b in range(count):
        style = str(rng.choice(["down", "up", "warble", "whistle"]))
        f = rng.uniform(2200, 6000) * 2 ** (0.4 * p.pitch)
        syl = rng.uniform(0.04, 0.14) if style != "whistle" else rng.uniform(0.15, 0.35)
        gap = rng.uniform(0.02, 0.09)
        pan = rng.uniform(-0.9, 0.9)
        level = rng.uniform(0.4, 1.0) * (1.0 if b < 2 else 0.6)
        t = rng.uniform(0, 1.5)
        while t < seconds:
            phrase = int(rng.integers(2, 9))
            f_phrase = f * rng.uniform(0.93, 1.07)
            for _ in range(phrase):
                s = _n(t)
                if s >= n:
                    break
                x = _syllable(rng, style, f_phrase * rng.uniform(0.97, 1.03), syl * rng.uniform(0.85, 1.15))
                x = _pan(x * np.float32(level * rng.uniform(0.7, 1.0)), pan)[: n - s]
                out[s : s + len(x)] += x
                t += syl + gap * rng.uniform(0.7, 1.3)
            t += rng.uniform(0.4, 1.8) * 2 ** (-0.5 * p.speed)
    leaves = _band(_colored(n, rng, 1.0), 500, 5000) * 0.03 * (0.5 + 0.5 * _slow_random(n, rng, 0.5))
    out += np.stack([leaves, np.roll(leaves, 331)], axis=1)
    return _norm(out)


def hooves(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """A horse's hooves on a hard road: hollow "clop"s (modal, like coconut shells) and a low
    thud, in a trot (pairs) or, when fast, a gallop (three beats and a pause)."""
    gallop = p.speed > 0.4
    stride = (0.75 if gallop else 0.62) * 2 ** (-0.4 * p.speed)
    beats = (0.0, 0.11, 0.22) if gallop else (0.0, 0.5)
    f0 = rng.uniform(500, 800) * 2 ** (0.4 * p.pitch)
    onsets = []
    t = rng.uniform(0.02, 0.1)
    while t < seconds + stride:
        onsets.extend(t + b * stride * (1 if gallop else 1) + rng.normal(0, 0.006) for b in beats)
        t += stride
    onsets = sorted(onsets)

    def clop(rng: np.random.Generator, k: int) -> np.ndarray:
        f = f0 * rng.uniform(0.9, 1.1)
        shell = _modes(0.15, [f, f * 1.47, f * 2.09, f * 0.52], [0.018, 0.012, 0.008, 0.03], [1.0, 0.6, 0.3, 0.5], rng)
        return shell + _burst(0.15, rng, 60, 300, 0.02) * 0.7 + _burst(0.15, rng, 2000, None, 0.002) * 0.3

    return _pattern(seconds, rng, p, clop, lambda rng, k: onsets[k + 1] - onsets[k] if k + 1 < len(onsets) else 0.3,
                    level_db=2.0, first=(onsets[0], onsets[0]))


# -- paper, cloth ------------------------------------------------------------------------------
def _handling(n: int, rng: np.random.Generator, busy: float) -> np.ndarray:
    """How much something is being moved: bursts of movement with short rests (0.15 … 1)."""
    curve = _slow_random(n, rng, 1.2 + 2.0 * busy)
    return (0.15 + 0.85 * np.clip((curve - 0.25) / 0.75, 0, 1) ** 1.5).astype(np.float32)


def paper(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """Paper: ``action`` "rustle" (handled and crumpled: dense crackles and a dry swish) or
    "pages" (pages turned one after another: a swish ending in a soft flap; ``count``: pages)."""
    action = p.extra.get("action", "rustle")
    if action == "pages":
        def turn(rng: np.random.Generator, k: int) -> np.ndarray:
            length = rng.uniform(0.35, 0.55)
            m = _n(length)
            u = np.linspace(0, 1, m)
            centre = 1500 + 3000 * np.sin(np.pi * u)
            swish = _shaped_noise(m, rng, centre, centre) * np.sin(np.pi * u) ** 1.5 * 0.5
            flap = np.zeros(m, np.float32)
            s = int(m * rng.uniform(0.75, 0.85))
            f = _burst(length, rng, 150, 1200, 0.015)[: m - s]
            flap[s:] = f
            crackle = _scatter(m, rng, 120, [_burst(0.003, rng, 2500, 9000, 0.0007) for _ in range(4)],
                               lambda c: rng.uniform(0.2, 0.8, c)) * np.sin(np.pi * u)
            return (swish + flap * 0.8 + crackle * 0.8).astype(np.float32)

        return _pattern(seconds, rng, p, turn, lambda rng, k: rng.uniform(0.55, 0.85) * 2 ** (-0.6 * p.speed), level_db=1.5)
    n = _n(seconds)
    move = _handling(n, rng, 0.5 + 0.5 * p.intensity)
    grains = [_burst(0.004, rng, rng.uniform(1500, 3000), 9000, rng.uniform(0.0005, 0.002)) for _ in range(8)]
    crackle = _scatter(n, rng, 400 + 600 * p.intensity, grains, lambda k: rng.pareto(2.0, k) * 0.3 + 0.1) * move ** 1.5
    swish = _band(_white(n, rng), 1500, 8000) * 0.15 * move
    return _norm(crackle + swish)


def cloth(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """Cloth rustling: fabric moving and rubbing (band-passed noise following the movement),
    with the faint crackle of synthetic fibres."""
    n = _n(seconds)
    move = _handling(n, rng, 0.3 + 0.5 * p.speed)
    centre = (1200 + 2000 * move) * 2 ** (0.4 * p.pitch)
    rub = _shaped_noise(n, rng, centre, centre * 1.2) * move ** 1.3
    fine = _scatter(n, rng, 200, [_burst(0.003, rng, 3000, 10000, 0.0006) for _ in range(4)],
                    lambda k: rng.uniform(0.05, 0.25, k)) * move ** 2
    return _norm(rub + fine)


# -- machines ----------------------------------------------------------------------------------
def electrical_hum(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    """Mains hum of a transformer or fluorescent lights: 50 or 60 Hz and its harmonics, a faint buzz."""
    n = _n(seconds)
    mains = float(p.extra.get("mains", rng.choice([50.0, 60.0])))
    harmonics = tuple(rng.uniform(0.3, 1.0) / k ** 0.7 if k % 2 == 0 else rng.uniform(0.1, 0.5) / k for k in range(1, 16))
    x = _tone(mains * (1 + 0.0005 * (_slow_random(n, rng, 0.3) - 0.5)), n, harmonics)
    buzz = _band(_white(n, rng), 2000, 6000) * 0.01 * (0.5 + 0.5 * np.sin(2 * np.pi * 2 * mains * np.arange(n) / SR)) ** 8
    return _norm(x + buzz)


# -- sfxr-style game sounds (pyfxr renders; parameters drawn from the seed) ------------
def _sfxr_params(preset: str, rng: np.random.Generator, p: Params) -> dict:
    u = rng.uniform
    shift = 0.12 * p.pitch
    if preset == "laser":
        base = u(0.5, 0.95)
        params = dict(wave_type=int(rng.choice([0, 1, 2])), base_freq=base, freq_limit=max(0.2, base - u(0.2, 0.6)),
                      freq_ramp=u(-0.35, -0.15), duty=u(0.0, 0.5), duty_ramp=u(0.0, 0.2),
                      env_sustain=u(0.1, 0.25), env_decay=u(0.05, 0.35), env_punch=u(0.0, 0.3))
    elif preset == "jump":
        params = dict(wave_type=0, duty=u(0.0, 0.6), base_freq=u(0.3, 0.55), freq_ramp=u(0.1, 0.3),
                      env_sustain=u(0.1, 0.3), env_decay=u(0.1, 0.3))
    elif preset == "pickup":
        params = dict(wave_type=0, base_freq=u(0.4, 0.85), env_sustain=u(0.0, 0.1), env_decay=u(0.1, 0.4),
                      env_punch=u(0.3, 0.6), arp_speed=u(0.5, 0.7), arp_mod=u(0.2, 0.6))
    elif preset == "powerup":
        params = dict(wave_type=int(rng.choice([0, 1])), base_freq=u(0.2, 0.45), freq_ramp=u(0.1, 0.4),
                      repeat_speed=u(0.4, 0.7), env_sustain=u(0.1, 0.4), env_decay=u(0.1, 0.4))
    elif preset == "hurt":
        params = dict(wave_type=int(rng.choice([0, 1])), duty=u(0, 0.6), base_freq=u(0.2, 0.6),
                      freq_ramp=u(-0.6, -0.3), env_sustain=u(0.0, 0.1), env_decay=u(0.1, 0.3), hpf_freq=u(0.0, 0.2))
    elif preset == "blip":
        params = dict(wave_type=int(rng.choice([0, 1])), duty=u(0.0, 0.6), base_freq=u(0.2, 0.6),
                      env_sustain=u(0.05, 0.15), env_decay=u(0.0, 0.15), hpf_freq=0.1)
    else:
        raise ValueError(f"unknown sfxr preset {preset!r}; known: laser, jump, pickup, powerup, hurt, blip")
    params["base_freq"] = float(np.clip(params["base_freq"] + shift, 0.05, 1.0))
    if "env_sustain" in params:  # slower sounds hold longer
        params["env_sustain"] = float(np.clip(params["env_sustain"] * 2 ** (-p.speed), 0.0, 1.0))
    return {k: (round(float(v), 3) if k != "wave_type" else v) for k, v in params.items()}


def sfxr(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    import pyfxr

    if pyfxr.SAMPLE_RATE != SR:
        raise RuntimeError(f"pyfxr renders at {pyfxr.SAMPLE_RATE} Hz; this module expects {SR}")
    params = _sfxr_params(p.extra.get("preset", "laser"), rng, p)
    samples = np.frombuffer(pyfxr.SFX(**params).build(), dtype=np.int16).astype(np.float32) / 32768.0
    samples = samples[: _n(seconds)]
    return dsp.fade(_norm(samples), SR, 0.001, 0.01)


RECIPES: dict[str, Callable[[float, np.random.Generator, Params], np.ndarray]] = {
    "rain": rain, "wind": wind, "fire": fire, "thunder": thunder, "engine": engine, "whoosh": whoosh,
    "footsteps": footsteps, "beep": beep, "alarm": alarm, "siren": siren, "explosion": explosion,
    "waves": waves, "clock": clock, "sfxr": sfxr,
    "door_knock": door_knock, "door_creak": door_creak, "door_slam": door_slam, "gunshot": gunshot,
    "glass_break": glass_break, "bell": bell, "electric_bell": electric_bell, "phone_ring": phone_ring,
    "chime": chime, "keyboard_typing": keyboard_typing, "mouse_click": mouse_click, "heartbeat": heartbeat,
    "water_drip": water_drip, "water_pour": water_pour, "stream": stream, "water_splash": water_splash,
    "car_pass": car_pass, "helicopter": helicopter, "crowd": crowd, "applause": applause, "birds": birds,
    "paper": paper, "cloth": cloth, "electrical_hum": electrical_hum, "hooves": hooves,
}


def render(recipe: str, seconds: float, rng: np.random.Generator, params: Params | None = None) -> np.ndarray:
    """Run ``recipe``; raises ValueError naming the known recipes for an unknown one."""
    if recipe not in RECIPES:
        raise ValueError(f"unknown recipe {recipe!r}; known: {', '.join(sorted(RECIPES))}")
    if not 0.01 <= seconds <= 120:
        raise ValueError(f"seconds must be 0.01–120, got {seconds}")
    out = RECIPES[recipe](float(seconds), rng, params or Params())
    return np.nan_to_num(out.astype(np.float32, copy=False))
