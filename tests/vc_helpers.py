"""Shared by the voice-changer tests: real speech, a stock voice's reference clip rendered once
per test process, and word error rate with Whisper tiny.en."""
from __future__ import annotations

import functools
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audiokit import Audio

SOUNDS = Path("/usr/share/asterisk/sounds/en")  # one real English speaker, CC-BY-SA-3.0
TARGET_VOICE = "am_michael"  # the source speaker is female: a cross-gender target


def speech_path(name: str = "vm-intro") -> Path:
    path = SOUNDS / f"{name}.wav"
    if not path.exists():
        pytest.fail("asterisk-core-sounds-en-wav is not installed: run `make system-deps`")
    return path


def speech(name: str = "vm-intro", rate: int = 24_000) -> Audio:
    """A real recording, resampled and loudness-normalised the way uploads are."""
    from audiokit.decode import decode

    return decode(speech_path(name).read_bytes(), f"{name}.wav", rate).audio


@functools.lru_cache(maxsize=None)
def reference_dir() -> Path:
    """A data folder whose voice_refs/ holds the target's reference clip, rendered once by Kokoro."""
    from studio.config import Settings
    from studio.core import Studio

    data = Path(tempfile.mkdtemp(prefix="vc-refs-"))
    studio = Studio(Settings(data_dir=data, workers=1))
    try:
        studio.stock_reference_wav(TARGET_VOICE)
    finally:
        studio.shutdown()
    return data


def reference() -> Audio:
    samples, rate = sf.read(str(reference_dir() / "voice_refs" / f"{TARGET_VOICE}.wav"), dtype="float32")
    return Audio(samples, rate)


def seed_references(data_dir: Path) -> None:
    """Copy the cached reference clip into a studio's data folder (as a second run would find it)."""
    target = Path(data_dir) / "voice_refs"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(reference_dir() / "voice_refs" / f"{TARGET_VOICE}.wav", target)


def transcribe(whisper, audio: Audio) -> str:
    """What Whisper hears in ``audio`` (``whisper``: the conftest fixture, :func:`engines.whisper.model`)."""
    from engines import whisper as asr

    return asr.transcribe(audio, whisper=whisper, language="en", beam_size=5)


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]", " ", text.lower()).split()


def wer(reference_text: str, hypothesis: str) -> float:
    import jiwer

    return jiwer.wer(" ".join(words(reference_text)), " ".join(words(hypothesis)) or "-")


def median_f0(audio: Audio) -> float:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pyworld

    x = audio.samples.astype(np.float64)
    f0, _ = pyworld.harvest(x, audio.sample_rate, f0_floor=60, f0_ceil=700, frame_period=10)
    return float(np.median(f0[f0 > 0]))
