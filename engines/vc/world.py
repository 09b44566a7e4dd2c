"""Offline voice conversion on the WORLD vocoder (PyPI ``pyworld``), no model weights.

Each recording is split by WORLD into F0 (pitch), a smooth spectral envelope (the vocal
tract: formants and timbre) and aperiodicity (breathiness). The converter then

1. maps the source's F0 to the target's: mean and variance matched in the log domain
   (unless the speaker's own pitch is kept), plus any pitch shift in semitones;
2. warps the spectral envelope along the frequency axis by one factor ``alpha``, found by
   matching the source's long-term average envelope to the target's (formants of a
   shorter vocal tract sit higher: alpha > 1 moves them up);
3. applies a smooth equaliser, the remaining difference between the two long-term
   envelopes (capped at ±12 dB), and, above the source's bandwidth (an 8 kHz phone
   recording stops at 4 kHz), continues the envelope with the target's shape;
4. resynthesises. ``strength`` scales steps 2 and 3 (0 keeps the timbre, 1 goes all the way).

Targets are described by a :class:`VoiceProfile` estimated from a reference clip (a stock
voice rendered by Kokoro, or a user's own sample). Long sources are processed in 20-second
blocks, cross-faded, so memory stays flat and progress and cancellation work.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from audiokit import Audio, Cancel, Progress
from audiokit import dsp
from audiokit.errors import EngineUnavailable, InvalidInput
from engines.contract import Engine, missing_module, stop_if
from engines.vc.common import VCRequest, check_request

log = logging.getLogger(__name__)

SAMPLE_RATE = 24_000
FRAME_MS = 5.0
HOP = int(SAMPLE_RATE * FRAME_MS / 1000)  # 120 samples
F0_FLOOR, F0_CEIL = 60.0, 700.0
BLOCK_FRAMES = 4_000  # 20 s
PAD_FRAMES = 40  # 0.2 s of context either side of a block, cross-faded
MIN_VOICED_SOURCE = 30  # 0.15 s of voiced speech: a short word
MIN_VOICED_TARGET = 200  # 1 s of voiced speech to describe a voice
ALPHA_RANGE = (0.7, 1.4)
ALPHA_PITCH_EXPONENT = 1 / 3
EQ_LIMIT_DB = 12.0
MATCH_BAND_HZ = (200.0, 5_000.0)
LIFTER = 30  # cepstral coefficients kept when smoothing long-term envelopes


@dataclass(frozen=True)
class SpectralMap:
    """How each frame's envelope is changed: warp by ``alpha``, add ``gain``; from bin ``edge``
    up (beyond the source's bandwidth) continue the frame's level at the edge with the
    target's long-term shape ``target_shape`` (log power relative to the edge)."""

    alpha: float
    gain: np.ndarray
    edge: int
    target_shape: np.ndarray
    strength: float

    def apply(self, sp: np.ndarray, ap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        log_sp = np.log(_warp(sp, self.alpha) + 1e-16) + self.gain[None, :]
        ap = np.clip(_warp(ap, self.alpha), 0.0, 1.0)
        e = self.edge
        if e < sp.shape[1] and e > 8:
            anchor = log_sp[:, e - 8 : e].mean(axis=1, keepdims=True)
            rebuilt = anchor + self.target_shape[None, e:]
            log_sp[:, e:] = (1 - self.strength) * log_sp[:, e:] + self.strength * rebuilt
            ap[:, e:] = ap[:, e - 8 : e].mean(axis=1, keepdims=True)
        return np.ascontiguousarray(np.exp(log_sp)), np.ascontiguousarray(ap)


@dataclass(frozen=True)
class VoiceProfile:
    """A voice's long-term statistics: log-F0 mean/std over voiced frames and its mean log envelope."""

    lf0_mean: float
    lf0_std: float
    log_env: np.ndarray  # natural log of the mean voiced power envelope, (fft_size // 2 + 1,)
    bandwidth_hz: float  # where the envelope falls 50 dB under its maximum
    voiced_seconds: float

    @property
    def f0_median_hz(self) -> float:
        return float(np.exp(self.lf0_mean))


def _pyworld():
    with warnings.catch_warnings():  # pyworld imports pkg_resources, which warns on import
        warnings.simplefilter("ignore")
        import pyworld

    return pyworld


def _freqs(bins: int) -> np.ndarray:
    return np.arange(bins) * (SAMPLE_RATE / 2) / (bins - 1)


def _smooth(log_spec: np.ndarray, lifter: int = LIFTER) -> np.ndarray:
    """Keep the first ``lifter`` cepstral coefficients of a log spectrum (formant-scale detail)."""
    cep = np.fft.irfft(log_spec)
    cep[lifter:-lifter] = 0.0
    return np.fft.rfft(cep).real[: len(log_spec)]


def _warp(values: np.ndarray, alpha: float) -> np.ndarray:
    """Frequency-warp spectra (last axis) so that what was at f moves to alpha·f."""
    bins = values.shape[-1]
    pos = np.clip(np.arange(bins) / alpha, 0, bins - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, bins - 1)
    frac = (pos - lo).astype(values.dtype)
    return values[..., lo] * (1 - frac) + values[..., hi] * frac


def _bandwidth(log_env: np.ndarray) -> float:
    above = np.flatnonzero(log_env > log_env.max() - np.log(10.0**5))  # within 50 dB of the maximum
    return float(_freqs(len(log_env))[above[-1]]) if len(above) else SAMPLE_RATE / 2


PKG_RESOURCES_FIX = ("pyworld needs pkg_resources, which setuptools 81 removed: "
                     "`pip install 'setuptools<81'` (requirements.txt pins it), or run `make install`.")


class WorldVCEngine(Engine):
    id = "world_vc"
    kind = "vc"
    title = "WORLD vocoder — offline, keeps your intonation"
    licence = "MIT (pyworld); no model weights"
    sample_rate = SAMPLE_RATE

    def __init__(self) -> None:
        super().__init__()
        self._pw = None  # pyworld, imported by load()
        self.fft_size = 0
        self._profiles: OrderedDict[str, VoiceProfile] = OrderedDict()
        self._lock = threading.Lock()  # guards the profile cache; pyworld calls are thread-safe

    def probe(self) -> str | None:
        # pyworld 0.3.5 imports pkg_resources, which setuptools 81 removed
        return missing_module("pyworld", "pyworld") or missing_module("pkg_resources", "setuptools<81", PKG_RESOURCES_FIX)

    def _load(self) -> None:
        try:
            self._pw = _pyworld()
        except ImportError as error:
            if error.name == "pkg_resources":
                raise EngineUnavailable(PKG_RESOURCES_FIX) from error
            raise EngineUnavailable("The Python package pyworld is not installed. Run `make install`.") from error
        self.fft_size = self._pw.get_cheaptrick_fft_size(SAMPLE_RATE, F0_FLOOR)

    # -- analysis ------------------------------------------------------------------------
    def _f0(self, x: np.ndarray, start: int, stop: int) -> np.ndarray:
        """Harvest F0 for frames [start, stop) of ``x``, with context either side."""
        a, b = max(0, start - PAD_FRAMES), min(self._frames(x), stop + PAD_FRAMES)
        piece = x[a * HOP : b * HOP + 1]
        f0, _ = self._pw.harvest(piece, SAMPLE_RATE, f0_floor=F0_FLOOR, f0_ceil=F0_CEIL, frame_period=FRAME_MS)
        f0 = f0[start - a : start - a + (stop - start)]
        if len(f0) < stop - start:  # the last block can fall a frame short
            f0 = np.pad(f0, (0, stop - start - len(f0)))
        return f0

    @staticmethod
    def _frames(x: np.ndarray) -> int:
        return len(x) // HOP + 1

    @staticmethod
    def _times(start: int, stop: int) -> np.ndarray:
        return np.arange(start, stop, dtype=np.float64) * FRAME_MS / 1000.0

    @staticmethod
    def _prepare(audio: Audio) -> np.ndarray:
        x = dsp.resample(audio.samples, audio.sample_rate, SAMPLE_RATE)
        return np.ascontiguousarray(x, dtype=np.float64)

    def _analyse(self, x: np.ndarray, what: str, progress: Progress | None = None, span: float = 1.0,
                 cancel: Cancel | None = None) -> tuple[np.ndarray, VoiceProfile]:
        """F0 for every frame of ``x`` and the voice's profile (from voiced, not-quiet frames)."""
        n = self._frames(x)
        f0 = np.zeros(n)
        env_sum = np.zeros(self.fft_size // 2 + 1)
        env_count = 0
        for start in range(0, n, BLOCK_FRAMES):
            stop_if(cancel)
            stop = min(n, start + BLOCK_FRAMES)
            f0[start:stop] = self._f0(x, start, stop)
            voiced = np.flatnonzero(f0[start:stop] > 0) + start
            if len(voiced):
                sp = self._pw.cheaptrick(x, f0[voiced], self._times(0, n)[voiced], SAMPLE_RATE, fft_size=self.fft_size)
                power = sp.sum(axis=1)
                loud = power > np.percentile(power, 95) * 10 ** (-3.0)  # within 30 dB of the loud frames
                env_sum += np.log(sp[loud] + 1e-12).sum(axis=0)
                env_count += int(loud.sum())
            if progress:
                progress(span * stop / n, f"Analysing the {what}")
        voiced_f0 = f0[f0 > 0]
        needed = MIN_VOICED_SOURCE if what == "source" else MIN_VOICED_TARGET
        if len(voiced_f0) < needed or env_count < needed // 2:
            field = "source" if what == "source" else "target"
            raise InvalidInput(field, f"Too little voiced speech in the {what}: {len(voiced_f0) * FRAME_MS / 1000:.2f} s, "
                                      f"at least {needed * FRAME_MS / 1000:g} s is needed. "
                                      "Use a clip where someone speaks clearly, a few words or more.")
        lf0 = np.log(voiced_f0)
        lo, hi = np.percentile(lf0, [2, 98])  # octave errors at the extremes would inflate the spread
        core = lf0[(lf0 >= lo) & (lf0 <= hi)]
        log_env = env_sum / env_count
        profile = VoiceProfile(float(np.mean(core)), float(max(np.std(core), 0.02)), log_env,
                               _bandwidth(_smooth(log_env)), len(voiced_f0) * FRAME_MS / 1000)
        return f0, profile

    def profile(self, reference: Audio, key: str | None = None) -> VoiceProfile:
        """The profile of a reference clip, cached by ``key`` and the clip's content."""
        digest = hashlib.sha1(reference.samples.tobytes()).hexdigest()[:16]
        cache_key = f"{key}:{reference.sample_rate}:{digest}"
        with self._lock:
            if cache_key in self._profiles:
                self._profiles.move_to_end(cache_key)
                return self._profiles[cache_key]
        _, profile = self._analyse(self._prepare(reference), "target voice")
        with self._lock:
            self._profiles[cache_key] = profile
            while len(self._profiles) > 64:
                self._profiles.popitem(last=False)
        return profile

    # -- the mapping ---------------------------------------------------------------------
    def estimate_alpha(self, source: VoiceProfile, target: VoiceProfile) -> float:
        """The formant warp factor: near the pitch-based prior, refined by lining up the envelopes.

        Long-term average envelopes are blurred (every vowel is in them), so matching them
        alone can land far off; vocal tracts scale roughly with the cube root of the pitch
        ratio across speakers, which bounds the search to ±12 % around that prior."""
        prior = float(np.exp((target.lf0_mean - source.lf0_mean) * ALPHA_PITCH_EXPONENT))
        low, high = max(ALPHA_RANGE[0], prior * 0.88), min(ALPHA_RANGE[1], prior * 1.12)
        freqs = _freqs(len(source.log_env))
        src, tgt = _smooth(source.log_env), _smooth(target.log_env)
        best, best_cost = float(np.clip(prior, *ALPHA_RANGE)), np.inf
        for alpha in np.arange(low, high + 1e-9, 0.01):
            warped = _warp(src, alpha)
            top = min(MATCH_BAND_HZ[1], 0.9 * source.bandwidth_hz * alpha, 0.9 * target.bandwidth_hz)
            band = (freqs >= MATCH_BAND_HZ[0]) & (freqs <= top)
            if band.sum() < 20:
                continue
            diff = tgt[band] - warped[band]
            slope = np.polyfit(freqs[band], diff, 1)  # level and tilt are the equaliser's job
            cost = float(np.mean((diff - np.polyval(slope, freqs[band])) ** 2))
            if cost < best_cost:
                best, best_cost = float(alpha), cost
        return best

    def spectral_map(self, source: VoiceProfile, target: VoiceProfile, alpha: float, strength: float) -> "SpectralMap":
        """The per-bin gain (log power) and the band above the source's bandwidth to rebuild."""
        freqs = _freqs(len(source.log_env))
        src, tgt = _smooth(_warp(source.log_env, alpha)), _smooth(target.log_env)
        edge_hz = min(0.92 * source.bandwidth_hz * alpha, target.bandwidth_hz)
        edge = int(np.searchsorted(freqs, edge_hz))
        limit = np.log(10 ** (EQ_LIMIT_DB / 10))
        gain = np.clip(tgt - src, -limit, limit)
        gain[edge:] = gain[max(edge - 1, 0)]  # flat past the edge, so smoothing does not ring on a step
        gain = strength * _smooth(gain)
        extend = edge_hz < target.bandwidth_hz - 500.0
        return SpectralMap(alpha, gain, edge if extend else len(freqs), tgt - tgt[max(edge - 1, 0)], strength)

    # -- conversion ----------------------------------------------------------------------
    def check(self, request: VCRequest) -> VCRequest:
        """Validate the settings before any work or charge (the target's clip may come later)."""
        return check_request(request, need_reference=False)

    def run(self, request: VCRequest, progress: Progress | None = None, cancel: Cancel | None = None) -> Iterator[Audio]:
        """The converted speech, one chunk as long as the source."""
        request = check_request(request)  # now the target's clip must be there
        stop_if(cancel)
        target = self.profile(request.target.reference, request.target.id)
        x = self._prepare(request.source)
        f0, source = self._analyse(x, "source", progress, 0.4, cancel)
        strength = float(request.strength)
        alpha = self.estimate_alpha(source, target) ** strength
        mapping = self.spectral_map(source, target, alpha, strength)
        f0_out = self.map_f0(f0, source, target, request.keep_pitch, request.pitch_shift)
        log.info("world_vc: source %.0f Hz → target %.0f Hz, alpha %.2f, strength %.2f",
                 source.f0_median_hz, target.f0_median_hz, alpha, strength)
        y = self._synthesize(x, f0, f0_out, mapping, progress, cancel)
        # Same loudness as the (normalised) source, no clipping.
        rms_in = np.sqrt(np.mean(x**2)) + 1e-9
        rms_out = np.sqrt(np.mean(y**2)) + 1e-9
        y = dsp.scale_peak((y * (rms_in / rms_out)).astype(np.float32), 0.97)
        if progress:
            progress(1.0, "Done")
        yield Audio(y, SAMPLE_RATE)

    @staticmethod
    def map_f0(f0: np.ndarray, source: VoiceProfile, target: VoiceProfile, keep_pitch: bool, semitones: float) -> np.ndarray:
        out = np.zeros_like(f0)
        voiced = f0 > 0
        lf0 = np.log(f0[voiced])
        if not keep_pitch:
            lf0 = (lf0 - source.lf0_mean) / source.lf0_std * target.lf0_std + target.lf0_mean
        lf0 += semitones / 12 * np.log(2.0)
        out[voiced] = np.clip(np.exp(lf0), 40.0, 1100.0)
        return out

    def _synthesize(self, x: np.ndarray, f0: np.ndarray, f0_out: np.ndarray, mapping: SpectralMap,
                    progress: Progress | None, cancel: Cancel | None) -> np.ndarray:
        n = len(f0)
        times = self._times(0, n)
        out = np.zeros(len(x))
        weight_total = np.zeros(len(x))
        for start in range(0, n, BLOCK_FRAMES):
            stop_if(cancel)
            stop = min(n, start + BLOCK_FRAMES)
            a, b = max(0, start - PAD_FRAMES), min(n, stop + PAD_FRAMES)
            sp = self._pw.cheaptrick(x, f0[a:b], times[a:b], SAMPLE_RATE, fft_size=self.fft_size)
            ap = self._pw.d4c(x, f0[a:b], times[a:b], SAMPLE_RATE, fft_size=self.fft_size)
            sp, ap = mapping.apply(sp, ap)
            y = self._pw.synthesize(np.ascontiguousarray(f0_out[a:b]), sp, ap, SAMPLE_RATE, FRAME_MS)
            # Trapezoid weights: flat over the block, ramps over the padding shared with neighbours.
            w = np.ones(len(y))
            ramp = 2 * PAD_FRAMES * HOP
            if a > 0:
                w[:ramp] = np.linspace(0.0, 1.0, ramp)
            if b < n and len(y) > ramp:
                w[-ramp:] = np.minimum(w[-ramp:], np.linspace(1.0, 0.0, ramp))
            s0 = a * HOP
            m = min(len(y), len(out) - s0)
            out[s0 : s0 + m] += y[:m] * w[:m]
            weight_total[s0 : s0 + m] += w[:m]
            if progress:
                progress(0.4 + 0.6 * stop / n, "Converting the voice")
        return out / np.maximum(weight_total, 1e-6)
