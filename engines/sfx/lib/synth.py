"""Procedural sound design: the families that signal processing does well.

Every recipe is ``recipe(seconds, rng, p) -> float32 samples at SAMPLE_RATE``:
- ``seconds`` is the length of a *bed* (rain, wind, fire, engine, footsteps, alarm, siren,
  waves, clock: exactly that long) or the most a *one-shot* may take (thunder, whoosh,
  beep, explosion, sfxr: their natural length, at most that);
- ``rng`` (``numpy.random.Generator``) makes every variation reproducible from its seed;
- ``p`` (:class:`Params`) carries what the prompt said: intensity, pitch, speed, distance,
  plus the catalogue entry's fixed settings (``surface``, ``preset``, …).

The building blocks are filtered noise (``_band``), noise shaped in time and frequency
through an STFT (``_shaped_noise``: whooshes, gusts), sparse impulse trains convolved with
short grains (``_scatter``: raindrops, crackles, gravel) and additive tones.
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
    n = _n(seconds)
    interval = 0.55 * 2 ** (-1.1 * p.speed)
    gravel = p.extra.get("surface") == "gravel"
    out = np.zeros(n + _n(0.4), np.float32)
    t = rng.uniform(0.05, 0.2)
    foot = 0
    while t < seconds:
        step = _footstep(rng, gravel, p)
        start = int(t * SR)
        gain = (1.0 if foot % 2 == 0 else 0.8) * rng.uniform(0.85, 1.1) * (0.6 + 0.6 * p.intensity)
        out[start : start + len(step)] += step * gain
        t += interval * rng.uniform(0.94, 1.06)
        foot += 1
    return _norm(out[:n])


def _footstep(rng: np.random.Generator, gravel: bool, p: Params) -> np.ndarray:
    n = _n(0.35)
    heel = _band(_white(n, rng), 60, 400 * 2 ** (0.5 * p.pitch)) * _decay(0.35, 0.025, attack=0.002) * 1.6
    toe = np.zeros(n, np.float32)
    d = _n(rng.uniform(0.05, 0.09))
    toe[d:] = (_band(_white(n - d, rng), 200, 2500) * _decay((n - d) / SR, 0.02, attack=0.002))[: n - d] * 0.6
    if gravel:  # a cloud of small grains: the crunch
        grains = [_band(_white(_n(0.003), rng), 2000, 9000) * _decay(0.003, 0.0008) for _ in range(5)]
        crunch = _scatter(n, rng, 350, grains, lambda k: rng.uniform(0.2, 1.0, k)) * _decay(0.35, 0.09, attack=0.01)
        return heel * 0.6 + toe * 0.5 + crunch * 2.0
    click = _band(_white(n, rng), 1500, 4000) * _decay(0.35, 0.006) * 0.7  # hard heel on wood or tile
    return heel + toe + click


def beep(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    length = min(seconds, 0.18 + 0.25 * (1 - p.speed) / 2)
    f = 1000 * 2 ** (1.2 * p.pitch)
    x = _tone(f, _n(length), (1.0, 0.0, 0.08))
    return dsp.fade(x * 0.9, SR, 0.004, 0.01)


def alarm(seconds: float, rng: np.random.Generator, p: Params) -> np.ndarray:
    n = _n(seconds)
    f = 2600 * 2 ** (0.8 * p.pitch)
    t = np.arange(n) / SR
    group = 1.0 * 2 ** (-0.8 * p.speed)
    in_group = t % group
    gate = ((in_group < 0.5 * group) & ((in_group % 0.1) < 0.06)).astype(np.float32)
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
    n = _n(seconds)
    out = np.zeros(n + _n(0.05), np.float32)
    period = 0.5 * 2 ** (-p.speed)
    t, k = rng.uniform(0.05, 0.3), 0
    while t < seconds:
        f = (3100 if k % 2 == 0 else 2500) * 2 ** (0.5 * p.pitch)
        m = _n(0.04)
        tick = _tone(f, m, (1.0, 0.4)) * _decay(0.04, 0.005, attack=0.0003)
        tick += _band(_white(m, rng), 2000, None) * _decay(0.04, 0.001) * 0.5
        s = int(t * SR)
        out[s : s + m] += tick
        t += period
        k += 1
    return _norm(out[:n])


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
}


def render(recipe: str, seconds: float, rng: np.random.Generator, params: Params | None = None) -> np.ndarray:
    """Run ``recipe``; raises ValueError naming the known recipes for an unknown one."""
    if recipe not in RECIPES:
        raise ValueError(f"unknown recipe {recipe!r}; known: {', '.join(sorted(RECIPES))}")
    if not 0.01 <= seconds <= 120:
        raise ValueError(f"seconds must be 0.01–120, got {seconds}")
    out = RECIPES[recipe](float(seconds), rng, params or Params())
    return np.nan_to_num(out.astype(np.float32, copy=False))
