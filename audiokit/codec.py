"""Audio to and from bytes: WAV (PCM 16) and MP3 through libsndfile (bundled with soundfile)."""
from __future__ import annotations

import io

import numpy as np
import soundfile as sf

from audiokit.audio import Audio


def to_wav(audio: Audio) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, np.clip(audio.samples, -1.0, 1.0), audio.sample_rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def to_mp3(audio: Audio) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, np.clip(audio.samples, -1.0, 1.0), audio.sample_rate, format="MP3", subtype="MPEG_LAYER_III")
    return buf.getvalue()


def read_wav(data: bytes, mono: bool = True) -> Audio:
    samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    if mono or samples.shape[1] > 2:
        return Audio(samples.mean(axis=1), rate)
    return Audio(samples, rate)
