"""One implementation of each DSP step the studio and its engines use.

- ``silence``, ``fade_edges`` (raised cosine, for joins), ``fade`` (linear in/out, for cuts),
  ``equal_power`` and ``crossfade_join`` (overlapping windows), ``trim_silence``;
- ``resample``: soxr, high quality;
- ``scale_peak``: scale down (never up) under a ceiling; ``true_peak``: the 4× oversampled peak
  (ITU-R BS.1770-4 Annex 2); ``limit``: look-ahead peak limiter, on the sample or the true peak;
- ``loudness`` and ``normalize``: integrated loudness (ITU-R BS.1770-4 via pyloudnorm) and
  normalisation to a target with the limiter under a ceiling, so nothing clips;
- ``soften_highs``: a gentle zero-phase low-pass for voices that crackle above ~9 kHz.

Functions take and return float32 numpy arrays (mono ``(n,)`` or stereo ``(n, 2)`` where
noted) plus the sample rate; :class:`audiokit.Audio` wraps them for travel.
"""
from __future__ import annotations

import numpy as np

CEILING = 10 ** (-1.0 / 20)  # -1 dBFS sample peak
JOIN_FADE_SECONDS = 0.006


def seconds_to_samples(seconds: float, rate: int) -> int:
    return max(0, int(round(seconds * rate)))


def silence(seconds: float, sample_rate: int) -> np.ndarray:
    return np.zeros(seconds_to_samples(seconds, sample_rate), dtype=np.float32)


def fade_edges(samples: np.ndarray, sample_rate: int, seconds: float = JOIN_FADE_SECONDS,
               start: bool = True, end: bool = True) -> np.ndarray:
    """Short raised-cosine fade in and out so a cut or a join never clicks."""
    n = min(int(seconds * sample_rate), len(samples) // 2)
    if n <= 0:
        return samples
    out = samples.astype(np.float32, copy=True)
    ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, n, dtype=np.float32))).astype(np.float32)
    if out.ndim == 2:
        ramp = ramp[:, None]
    if start:
        out[:n] *= ramp
    if end:
        out[-n:] *= ramp[::-1]
    return out


def fade(x: np.ndarray, rate: int, fade_in: float = 0.005, fade_out: float = 0.05) -> np.ndarray:
    """Linear fade in over ``fade_in`` seconds and out over ``fade_out`` seconds."""
    out = x.astype(np.float32, copy=True)
    a = min(seconds_to_samples(fade_in, rate), len(out) // 2)
    b = min(seconds_to_samples(fade_out, rate), len(out) // 2)
    shape = (slice(None),) + (None,) * (out.ndim - 1)
    if a:
        out[:a] *= np.linspace(0, 1, a, dtype=np.float32)[shape]
    if b:
        out[-b:] *= np.linspace(1, 0, b, dtype=np.float32)[shape]
    return out


def equal_power(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(fade in, fade out) of ``n`` samples whose powers sum to one."""
    t = np.linspace(0, np.pi / 2, n, dtype=np.float32)
    return np.sin(t), np.cos(t)


def crossfade_join(chunks: list[np.ndarray], overlap: int) -> np.ndarray:
    """Join consecutive windows that share ``overlap`` samples with equal-power fades."""
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    out = [np.asarray(chunks[0], dtype=np.float32)]
    fade_in, fade_out = equal_power(overlap)
    fade_in, fade_out = fade_in**2, fade_out**2  # correlated windows: amplitudes sum to one
    for chunk in chunks[1:]:
        chunk = np.asarray(chunk, dtype=np.float32).copy()
        previous = out[-1]
        n = min(overlap, len(previous), len(chunk))
        if n > 0:
            chunk[:n] = chunk[:n] * fade_in[:n] + previous[-n:] * fade_out[:n]
            out[-1] = previous[:-n]
        out.append(chunk)
    return np.concatenate(out)


def trim_silence(samples: np.ndarray, sample_rate: int, threshold_db: float = -45.0, keep: float = 0.02) -> np.ndarray:
    """Drop leading and trailing silence (below ``threshold_db`` of the peak), keeping ``keep`` s."""
    if len(samples) == 0:
        return samples
    level = np.abs(samples) if samples.ndim == 1 else np.max(np.abs(samples), axis=1)
    peak = float(np.max(level))
    if peak <= 0:
        return samples[:0]
    loud = np.flatnonzero(level > peak * 10 ** (threshold_db / 20))
    pad = int(keep * sample_rate)
    return samples[max(0, loud[0] - pad): min(len(samples), loud[-1] + pad + 1)]


def soften_highs(x: np.ndarray, rate: int, cutoff: float = 9000.0) -> np.ndarray:
    """A gentle low-pass for a voice that crackles above ~9 kHz: a 2nd-order Butterworth at
    ``cutoff`` run forwards and backwards (zero phase, so no transient moves or smears): −0.3 dB
    at 6 kHz, −2 dB at 8 kHz, −6 dB at ``cutoff``, −16 dB a kilohertz above it at 24 kHz.
    ``x`` is returned as it is where ``cutoff`` is at or above the Nyquist frequency."""
    from scipy import signal

    if cutoff >= rate / 2 or len(x) < 16:
        return np.asarray(x, dtype=np.float32)
    sos = signal.butter(2, cutoff, "low", fs=rate, output="sos")
    return signal.sosfiltfilt(sos, x, axis=0).astype(np.float32)


def resample(x: np.ndarray, rate: float, target: float, quality: str = "HQ") -> np.ndarray:
    """``x`` at ``target`` Hz (soxr); returned as is when the rates match."""
    if rate == target or len(x) == 0:
        return np.asarray(x, dtype=np.float32)
    import soxr

    return soxr.resample(x, rate, target, quality=quality).astype(np.float32)


def scale_peak(x: np.ndarray, ceiling: float = 0.98) -> np.ndarray:
    """Scale down (never up) so no sample exceeds ``ceiling``."""
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    if peak <= ceiling:
        return x
    return (x * np.float32(ceiling / peak)).astype(np.float32)


TRUE_PEAK_OVERSAMPLING = 4


def true_peak(x: np.ndarray, rate: int) -> float:
    """The true peak (linear): the largest magnitude of ``x`` oversampled 4× (soxr), so the peaks
    between samples that a DAC or a lossy encoder reconstructs are counted; 0 for no samples."""
    if not len(x):
        return 0.0
    return float(np.max(np.abs(resample(x, rate, TRUE_PEAK_OVERSAMPLING * rate))))


def _peak_envelope(x: np.ndarray, rate: int, true_peak: bool) -> np.ndarray:
    """Per sample, the largest magnitude the limiter must keep under its ceiling there: the sample
    itself, or with ``true_peak`` also the oversampled signal from the previous to the next sample."""
    level = np.abs(x) if x.ndim == 1 else np.max(np.abs(x), axis=1)
    if not true_peak or not len(x):
        return level
    k = TRUE_PEAK_OVERSAMPLING
    over = np.abs(resample(x, rate, k * rate))
    if over.ndim == 2:
        over = np.max(over, axis=1)
    over = np.pad(over[: k * len(level)], (0, max(0, k * len(level) - len(over))))
    between = over.reshape(len(level), k).max(axis=1)  # the peak on [n, n + 1)
    return np.maximum(level, np.maximum(between, np.concatenate([[0.0], between[:-1]])))


def loudness(x: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS (ITU-R BS.1770-4, gated); -inf for silence."""
    import pyloudnorm

    if len(x) == 0:
        return float("-inf")
    if len(x) < int(0.4 * rate):  # shorter than one gating block: measure it repeated
        reps = int(np.ceil(0.4 * rate / max(len(x), 1))) + 1
        x = np.tile(x, (reps,) + (1,) * (x.ndim - 1))
    return float(pyloudnorm.Meter(rate).integrated_loudness(x.astype(np.float64)))


def limit(x: np.ndarray, rate: int, ceiling: float = CEILING, window: float = 0.004, release: float = 0.06,
          true_peak: bool = False) -> np.ndarray:
    """Look-ahead peak limiter: no sample above ``ceiling``, gain changes smoothed.

    The gain that keeps each sample under the ceiling is min-filtered and then averaged over
    the same window, so the smoothed gain is never above what any sample needs. Stereo
    channels share one gain, so the image does not move. With ``true_peak`` the ceiling holds
    for the 4× oversampled signal too (:func:`true_peak`): the gain each sample needs is set by
    the largest peak next to it, between samples included, and the limiter runs again on its
    own output while the gain's own modulation leaves a peak above the ceiling."""
    out = x.astype(np.float32, copy=False)
    for _ in range(4 if true_peak else 1):
        peak = _peak_envelope(out, rate, true_peak)
        if peak.max(initial=0.0) <= ceiling:
            break
        out = _limit_once(out, peak, rate, ceiling, window, release)
    return out


def _limit_once(x: np.ndarray, peak: np.ndarray, rate: int, ceiling: float, window: float,
                release: float) -> np.ndarray:
    from scipy import ndimage

    need = np.minimum(1.0, ceiling / np.maximum(peak, 1e-12))
    gain = need
    for span in (window, release):
        w = max(1, seconds_to_samples(span, rate)) * 2 + 1
        gain = ndimage.uniform_filter1d(ndimage.minimum_filter1d(gain, w, mode="nearest"), w, mode="nearest")
    gain = np.minimum(gain, need)  # the min() guards the last float rounding
    out = x * (gain if x.ndim == 1 else gain[:, None])
    return out.astype(np.float32)


# (window, release) of the limiter, one per round: transparent first; sounds whose peaks sit far
# above their body (sparse ticks, single hits) then get faster release, which lifts their decays.
LIMITER_ROUNDS = ((0.004, 0.06),) * 3 + ((0.001, 0.015),) * 3 + ((0.0005, 0.005),) * 8


def normalize(x: np.ndarray, rate: int, target: float, ceiling: float = CEILING,
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
