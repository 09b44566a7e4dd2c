"""audiokit.dsp: the one implementation of each DSP step, on real-shaped signals."""
import numpy as np
import pytest

from audiokit import Audio, dsp

RATE = 24_000


def tone(seconds=1.0, freq=440.0, amp=0.5, rate=RATE):
    t = np.arange(int(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_fade_edges_start_and_end_at_zero_and_keep_the_middle():
    x = np.ones(RATE, np.float32)
    y = dsp.fade_edges(x, RATE)
    assert y[0] == 0 and y[-1] == pytest.approx(0, abs=1e-7)
    assert np.all(y[RATE // 4: -RATE // 4] == 1)
    assert np.all(x == 1)  # the input is not changed in place


def test_trim_silence_keeps_the_sound_and_a_margin():
    x = np.concatenate([np.zeros(RATE), tone(0.5), np.zeros(RATE)])
    y = dsp.trim_silence(x, RATE, keep=0.02)
    assert len(y) == pytest.approx(0.54 * RATE, abs=2)


def test_resample_changes_length_by_the_ratio():
    y = dsp.resample(tone(1.0), RATE, 16_000)
    assert y.dtype == np.float32 and len(y) == pytest.approx(16_000, abs=2)
    assert dsp.resample(tone(1.0), RATE, RATE) is not None


def test_scale_peak_only_scales_down():
    assert np.max(np.abs(dsp.scale_peak(tone(amp=1.5), 0.98))) == pytest.approx(0.98)
    quiet = tone(amp=0.1)
    assert np.array_equal(dsp.scale_peak(quiet, 0.98), quiet)


def test_crossfade_join_of_overlapping_windows_rebuilds_the_signal():
    x = tone(2.0)
    overlap = 480
    chunks = [x[0:20_000], x[20_000 - overlap: 40_000], x[40_000 - overlap:]]
    y = dsp.crossfade_join(chunks, overlap)
    assert len(y) == len(x) and np.max(np.abs(y - x)) < 1e-5


@pytest.mark.parametrize("stereo", [False, True])
def test_normalize_reaches_the_target_without_passing_the_ceiling(stereo):
    rng = np.random.default_rng(1)
    x = (rng.standard_normal(3 * RATE) * 0.02).astype(np.float32)
    x[RATE] = 0.9  # one spike well above the body
    if stereo:
        x = np.stack([x, 0.5 * x], axis=1)
    y, level = dsp.normalize(x, RATE, -16.0)
    assert level == pytest.approx(-16.0, abs=0.25)
    assert dsp.loudness(y, RATE) == pytest.approx(level, abs=1e-6)
    assert np.max(np.abs(y)) <= dsp.CEILING + 1e-6
    assert y.shape == x.shape


def test_normalize_leaves_digital_silence_alone():
    y, level = dsp.normalize(np.zeros(RATE, np.float32), RATE, -16.0)
    assert not np.isfinite(level) and not np.any(y)


def test_audio_keeps_rate_and_shape_and_refuses_nonsense():
    a = Audio(np.zeros((10, 2)), 48_000)
    assert a.channels == 2 and a.mono().channels == 1 and a.duration == pytest.approx(10 / 48_000)
    with pytest.raises(ValueError, match="mono"):
        Audio(np.zeros((10, 3)), 48_000)
    with pytest.raises(ValueError, match="sample_rate"):
        Audio(np.zeros(10), 0)


def test_the_loudness_of_no_samples_is_silence():
    assert dsp.loudness(np.zeros(0, np.float32), RATE) == float("-inf")
