"""Audio helpers shared by engines, jobs and pages: joining, encoding, decoding."""
from __future__ import annotations

import io

import numpy as np
import soundfile as sf

from engines.base import Audio

FADE_SECONDS = 0.006


def silence(seconds: float, sample_rate: int) -> np.ndarray:
    return np.zeros(max(0, int(round(seconds * sample_rate))), dtype=np.float32)


def fade_edges(samples: np.ndarray, sample_rate: int, seconds: float = FADE_SECONDS) -> np.ndarray:
    """Short raised-cosine fade in and out so a cut or a join never clicks."""
    n = min(int(seconds * sample_rate), len(samples) // 2)
    if n <= 0:
        return samples
    out = samples.astype(np.float32, copy=True)
    ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, n, dtype=np.float32))).astype(np.float32)
    out[:n] *= ramp
    out[-n:] *= ramp[::-1]
    return out


def trim_silence(samples: np.ndarray, sample_rate: int, threshold_db: float = -45.0, keep: float = 0.02) -> np.ndarray:
    """Drop leading and trailing silence (below ``threshold_db`` of the peak), keeping ``keep`` s."""
    if len(samples) == 0:
        return samples
    peak = float(np.max(np.abs(samples)))
    if peak <= 0:
        return samples[:0]
    loud = np.flatnonzero(np.abs(samples) > peak * 10 ** (threshold_db / 20))
    pad = int(keep * sample_rate)
    return samples[max(0, loud[0] - pad) : min(len(samples), loud[-1] + pad + 1)]


def join(parts: list[tuple[Audio, float]]) -> Audio:
    """Concatenate ``(audio, pause_after_seconds)`` pieces with faded edges and silent gaps."""
    if not parts:
        raise ValueError("nothing to join")
    rate = parts[0][0].sample_rate
    pieces: list[np.ndarray] = []
    for audio, pause in parts:
        if audio.sample_rate != rate:
            raise ValueError(f"cannot join {audio.sample_rate} Hz audio to {rate} Hz audio")
        pieces.append(fade_edges(audio.samples, rate))
        pieces.append(silence(pause, rate))
    return Audio(np.concatenate(pieces), rate)


def limit_peak(audio: Audio, ceiling: float = 0.98) -> Audio:
    """Scale down (never up) so no sample exceeds ``ceiling``."""
    peak = float(np.max(np.abs(audio.samples))) if len(audio.samples) else 0.0
    if peak <= ceiling:
        return audio
    return Audio(audio.samples * (ceiling / peak), audio.sample_rate)


def to_wav(audio: Audio) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, np.clip(audio.samples, -1.0, 1.0), audio.sample_rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def to_mp3(audio: Audio) -> bytes:
    """MP3 through libsndfile (bundled with the soundfile wheel)."""
    buf = io.BytesIO()
    sf.write(buf, np.clip(audio.samples, -1.0, 1.0), audio.sample_rate, format="MP3", subtype="MPEG_LAYER_III")
    return buf.getvalue()


def read_wav(data: bytes) -> Audio:
    samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    return Audio(samples.mean(axis=1), rate)


def rms_db(audio: Audio) -> float:
    if len(audio.samples) == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(audio.samples, dtype=np.float64))))
    return 20 * np.log10(max(rms, 1e-6))
