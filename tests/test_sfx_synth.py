"""Procedural recipes: every one renders, is reproducible from its seed, and follows the prompt's parameters."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from engines.sfx.lib import synth
from engines.sfx.lib.synth import SR, Params

BEDS = ("rain", "wind", "fire", "engine", "footsteps", "alarm", "siren", "waves", "clock")
ONESHOTS = ("thunder", "whoosh", "beep", "explosion")
SFXR = ("laser", "jump", "pickup", "powerup", "hurt", "blip")


def render(recipe, seconds=2.0, seed=0, **params):
    extra = params.pop("extra", {})
    return synth.render(recipe, seconds, np.random.default_rng(seed), Params(extra=extra, **params))


def centroid(x: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(x))
    freqs = np.fft.rfftfreq(len(x), 1 / SR)
    return float((spectrum * freqs).sum() / spectrum.sum())


@pytest.mark.parametrize("recipe", BEDS)
def test_beds_fill_the_duration(recipe):
    x = render(recipe, 2.5)
    assert x.dtype == np.float32 and len(x) == int(2.5 * SR)
    assert np.isfinite(x).all() and np.abs(x).max() <= 1.0
    assert np.sqrt(np.mean(x**2)) > 0.01  # not silent


@pytest.mark.parametrize("recipe, extra", [(r, {}) for r in ONESHOTS] + [("sfxr", {"preset": p}) for p in SFXR])
def test_oneshots_have_a_natural_length_within_the_limit(recipe, extra):
    x = render(recipe, 8.0, extra=extra)
    assert 0.02 * SR < len(x) <= 8.0 * SR
    assert np.isfinite(x).all() and 0.1 < np.abs(x).max() <= 1.0
    short = render(recipe, 0.5, extra=extra)
    assert len(short) <= 0.5 * SR


@pytest.mark.parametrize("recipe, extra", [("rain", {"surface": "metal"}), ("wind", {}), ("sfxr", {"preset": "laser"}), ("thunder", {})])
def test_same_seed_same_sound_other_seed_other_sound(recipe, extra):
    a, b = render(recipe, seed=5, extra=extra), render(recipe, seed=5, extra=extra)
    c = render(recipe, seed=6, extra=extra)
    assert np.array_equal(a, b)
    assert len(a) != len(c) or not np.allclose(a, c)


def test_beep_pitch_follows_the_prompt():
    for pitch in (-0.5, 0.0, 0.5):
        x = render("beep", pitch=pitch)
        spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
        peak = np.fft.rfftfreq(len(x), 1 / SR)[spectrum.argmax()]
        assert peak == pytest.approx(1000 * 2 ** (1.2 * pitch), rel=0.03)


def test_engine_runs_faster_when_intense():
    calm, revving = render("engine", 2.0, intensity=0.1), render("engine", 2.0, intensity=1.0)
    def fundamental(x):
        ac = signal.correlate(x[: SR // 2], x[: SR // 2], mode="full", method="fft")[SR // 2 - 1 :]
        lo, hi = SR // 200, SR // 15  # 15–200 Hz
        return SR / (lo + ac[lo:hi].argmax())
    assert fundamental(revving) > 1.3 * fundamental(calm)


def count_onsets(x: np.ndarray) -> int:
    hop = SR // 100
    env = np.sqrt(np.mean(x[: len(x) // hop * hop].reshape(-1, hop) ** 2, axis=1))
    peaks, _ = signal.find_peaks(env, height=env.max() * 0.3, distance=12)
    return len(peaks)


def test_running_footsteps_are_more_frequent_than_walking():
    walking = count_onsets(render("footsteps", 6.0, speed=-0.2))
    running = count_onsets(render("footsteps", 6.0, speed=0.8))
    assert 7 <= walking <= 14
    assert running >= walking * 1.5


def test_distant_thunder_is_duller_and_has_no_crack():
    close = render("thunder", 8.0, seed=1, distance=0.1)
    far = render("thunder", 8.0, seed=1, distance=0.9)
    assert centroid(far) < 0.7 * centroid(close)


@pytest.mark.parametrize("surface", ["ground", "metal"])
def test_light_rain_is_sparse_and_heavy_rain_dense(surface):
    from scipy import stats

    highpass = signal.butter(2, 1000 / (SR / 2), "highpass", output="sos")
    light = render("rain", 3.0, intensity=0.1, extra={"surface": surface})
    heavy = render("rain", 3.0, intensity=1.0, extra={"surface": surface})
    # Separate drops make a spiky (high-kurtosis) signal; a downpour is closer to steady noise.
    assert stats.kurtosis(signal.sosfilt(highpass, light)) > 2 * stats.kurtosis(signal.sosfilt(highpass, heavy))


@pytest.mark.parametrize("recipe, seconds, message", [("nope", 1.0, "unknown recipe 'nope'"), ("rain", 0.0, "seconds must be")])
def test_bad_arguments_are_named(recipe, seconds, message):
    with pytest.raises(ValueError, match=message):
        render(recipe, seconds)


def test_unknown_sfxr_preset_is_named():
    with pytest.raises(ValueError, match="unknown sfxr preset 'meow'"):
        render("sfxr", extra={"preset": "meow"})
