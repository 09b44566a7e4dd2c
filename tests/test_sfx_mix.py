"""Mixing: loudness measured to the standard, normalised without clipping (``audiokit.dsp``, as the
sound-effects engines call it), loops without seams, distance and rooms (``engines.sfx.lib.mix``)."""
from __future__ import annotations

import numpy as np
import pytest

from audiokit import dsp
from engines.sfx.lib import mix

SR = 44_100


def sine(freq=997.0, seconds=2.0, amplitude=1.0):
    t = np.arange(int(seconds * SR)) / SR
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_loudness_matches_bs1770_reference():
    # ITU-R BS.1770: a full-scale 997 Hz sine in one channel reads -3.01 LUFS.
    assert dsp.loudness(sine(), SR) == pytest.approx(-3.01, abs=0.1)
    assert dsp.loudness(sine(amplitude=0.1), SR) == pytest.approx(-23.01, abs=0.1)
    assert dsp.loudness(np.zeros(SR, np.float32), SR) == -np.inf


@pytest.mark.parametrize("name", ["noise", "clicks", "quiet sine", "short"])
def test_normalize_reaches_the_target_without_clipping(name):
    rng = np.random.default_rng(0)
    x = {
        "noise": rng.standard_normal(SR * 3).astype(np.float32) * 0.05,
        "clicks": np.convolve(np.where(rng.random(SR * 3) < 0.0002, 1.0, 0.0), rng.standard_normal(900)
                              * np.exp(-np.arange(900) / 120))[: SR * 3].astype(np.float32),  # sparse 20 ms ticks
        "quiet sine": sine(440, 2.0, 1e-5),  # below the meter's -70 LUFS gate
        "short": sine(440, 0.5, 0.9),
    }[name]
    out, level = dsp.normalize(x, SR, mix.TARGET_LUFS)
    assert abs(level - mix.TARGET_LUFS) <= 1.0
    assert abs(dsp.loudness(out, SR) - mix.TARGET_LUFS) <= 1.0
    assert np.max(np.abs(out)) <= dsp.CEILING + 1e-6


def test_normalize_leaves_silence_alone():
    out, level = dsp.normalize(np.zeros(SR, np.float32), SR, mix.TARGET_LUFS)
    assert level == -np.inf and not out.any()


def test_limiter_keeps_peaks_under_the_ceiling_and_quiet_parts_untouched():
    x = sine(200, 1.0, 0.3)
    x[SR // 2 : SR // 2 + 100] += 2.5  # a spike
    out = dsp.limit(x, SR)
    assert np.max(np.abs(out)) <= dsp.CEILING
    assert np.allclose(out[: SR // 4], x[: SR // 4])  # far from the spike nothing changed
    quiet = sine(200, 1.0, 0.5)
    assert np.array_equal(dsp.limit(quiet, SR), quiet)


def test_make_loop_has_no_seam():
    x = sine(440.3, 3.0, 0.5)  # not a whole number of cycles: a plain cut clicks
    length = 2 * SR
    cut = x[:length]
    loop = mix.make_loop(x, length)
    step = np.max(np.abs(np.diff(x)))
    assert abs(float(cut[-1]) - float(cut[0])) > 2 * step  # the plain cut jumps
    assert abs(float(loop[-1]) - float(loop[0])) <= 1.5 * step  # the loop runs on smoothly
    assert len(loop) == length
    with pytest.raises(ValueError, match="more than"):
        mix.make_loop(x[:length], length)


def test_make_loop_works_in_stereo_and_its_seam_has_no_level_jump():
    rng = np.random.default_rng(4)
    x = np.stack([sine(440.3, 3.0, 0.5), sine(330.7, 3.0, 0.3)], axis=1) + rng.standard_normal((3 * SR, 2)).astype(np.float32) * 0.05
    loop = mix.make_loop(x, 2 * SR)
    assert loop.shape == (2 * SR, 2)
    step = np.max(np.abs(np.diff(x, axis=0)))
    assert np.all(np.abs(loop[-1] - loop[0]) <= 1.5 * step)
    assert mix.seam_jump_db(loop, SR) <= 1.0
    # a plain cut of a fading sound jumps: the measure sees it
    fading = sine(300, 2.0, 0.5) * np.linspace(1, 0.1, 2 * SR, dtype=np.float32)
    assert mix.seam_jump_db(fading, SR) > 10


def test_loop_point_puts_the_seam_between_events():
    rng = np.random.default_rng(3)
    x = np.zeros(4 * SR, np.float32)
    for start in range(0, 4 * SR, SR // 2):  # a tick every half second, dying in ~60 ms
        tick = rng.standard_normal(SR // 10).astype(np.float32) * np.exp(-np.arange(SR // 10) / 600).astype(np.float32)
        x[start : start + SR // 10] += tick[: len(x) - start]
    length, crossfade = 2 * SR + SR // 4, SR // 4  # a plain start at 0 would cut through a tick
    assert mix.seam_jump_db(mix.make_loop(x[: length + crossfade], length), SR) > 3
    o = mix.loop_point(x, length, SR, crossfade)
    assert 0 <= o <= len(x) - length - crossfade
    assert mix.seam_jump_db(mix.make_loop(x[o : o + length + crossfade], length), SR) <= 1.0


def test_pan_is_equal_power():
    x = sine(500, 1.0, 0.5)
    for position in (-1.0, -0.3, 0.0, 0.6, 1.0):
        out = mix.pan(x, position)
        assert out.shape == (SR, 2)
        assert np.sum(out**2) == pytest.approx(np.sum(x**2), rel=1e-4)
    left = mix.pan(x, -1.0)
    assert np.allclose(left[:, 1], 0, atol=1e-6)


def test_width_spreads_a_mono_source_and_keeps_its_level():
    rng = np.random.default_rng(2)
    noise = rng.standard_normal(SR).astype(np.float32) * 0.2
    point = mix.stereo(noise, SR, 0.0, 0.0)
    wide = mix.stereo(noise, SR, 0.0, 1.0, np.random.default_rng(0))
    corr = lambda s: float(np.corrcoef(s[:, 0], s[:, 1])[0, 1])
    assert corr(point) > 0.99 and corr(wide) < 0.5
    assert np.sum(wide**2) == pytest.approx(np.sum(point**2), rel=0.1)
    stereo_in = np.stack([noise, -noise], axis=1)
    assert mix.stereo(stereo_in, SR, 0.0).shape == (SR, 2)  # a stereo source keeps its image


def test_stereo_reverb_differs_per_side():
    impulse = np.zeros(SR, np.float32)
    impulse[10] = 1.0
    wet = mix.reverb(impulse, SR, mix.Room(0.8, 0.5), np.random.default_rng(0), channels=2)
    assert wet.shape == (SR, 2) and not np.allclose(wet[:, 0], wet[:, 1])
    assert mix.reverb(impulse, SR, mix.Room(0.0), np.random.default_rng(0), channels=2).shape == (SR, 2)


def test_fit_repeats_short_and_trims_long():
    x = sine(300, 0.5, 0.5)
    longer = mix.fit(x, SR, 3 * SR)
    assert len(longer) == 3 * SR
    assert np.sqrt(np.mean(longer[-SR // 2 :] ** 2)) > 0.2  # still sounding at the end
    assert len(mix.fit(longer, SR, SR)) == SR
    both = mix.fit(np.stack([x, x], axis=1), SR, 3 * SR)
    assert both.shape == (3 * SR, 2)


def test_distance_makes_a_source_quieter_and_duller():
    rng = np.random.default_rng(1)
    noise = rng.standard_normal(SR).astype(np.float32)
    near, send_near = mix.at_distance(noise, SR, 0.1)
    far, send_far = mix.at_distance(noise, SR, 0.9)
    assert np.std(far) < 0.3 * np.std(near)
    high = lambda x: np.abs(np.fft.rfft(x))[int(8000 / SR * len(x)) :].sum() / np.abs(np.fft.rfft(x)).sum()
    assert high(far) < 0.5 * high(near)
    assert send_far > send_near


def test_bigger_rooms_ring_longer():
    impulse = np.zeros(SR * 5, np.float32)
    impulse[100] = 1.0
    def tail_energy(rt60):
        wet = mix.reverb(impulse, SR, mix.Room(rt60, 0.5), np.random.default_rng(0))
        return float(np.sum(wet[int(0.3 * SR) :] ** 2) / np.sum(wet**2))  # energy after 0.3 s
    assert tail_energy(0.4) < 0.01 and tail_energy(2.5) > 0.05
    assert not mix.reverb(impulse, SR, mix.Room(0.0), np.random.default_rng(0)).any()


def test_place_drops_what_falls_outside():
    buf = np.zeros(10, np.float32)
    mix.place(buf, np.ones(5, np.float32), 8, gain=0.5)
    mix.place(buf, np.ones(5, np.float32), -3)
    assert buf.tolist() == [1, 1, 0, 0, 0, 0, 0, 0, 0.5, 0.5]


def test_mix_leaves_the_shared_dsp_steps_to_audiokit():
    """One implementation of each DSP step: the scene mixer calls audiokit.dsp, it does not copy it."""
    for name in ("seconds_to_samples", "equal_power", "fade", "loudness", "limit", "LIMITER_ROUNDS", "normalize", "CEILING"):
        assert not hasattr(mix, name), f"engines.sfx.lib.mix.{name} duplicates audiokit.dsp.{name}"
