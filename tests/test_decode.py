"""Decoding uploads: every format from a real recording, every bad input with its message."""
import io
import re
import shutil
import subprocess

import numpy as np
import pytest
import soundfile as sf

from audiokit import decode, dsp
from audiokit.errors import InvalidInput, UnsupportedAudio

SPEECH = "/usr/share/asterisk/sounds/en/vm-intro.wav"  # a real speaker, 8 kHz, CC-BY-SA-3.0


@pytest.fixture(scope="module")
def speech():
    samples, rate = sf.read(SPEECH, dtype="float32")
    return samples, rate


def _soundfile_bytes(samples, rate, fmt, subtype=None, channels=1):
    data = samples if channels == 1 else np.stack([samples, np.zeros_like(samples)], axis=1)
    buf = io.BytesIO()
    sf.write(buf, data, rate, format=fmt, subtype=subtype)
    return buf.getvalue()


def _ffmpeg_bytes(wav: bytes, tmp_path, ext: str, *args: str) -> bytes:
    if shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is not installed: run `make system-deps` (apt-get install ffmpeg)")
    src, out = tmp_path / "in.wav", tmp_path / f"out.{ext}"
    src.write_bytes(wav)
    subprocess.run(["ffmpeg", "-nostdin", "-y", "-loglevel", "error", "-i", str(src), *args, str(out)], check=True, timeout=60)
    return out.read_bytes()


@pytest.fixture(scope="module")
def encoded(speech, tmp_path_factory):
    """The same recording in every accepted format (stereo where the format is lossless)."""
    samples, rate = speech
    tmp = tmp_path_factory.mktemp("fixtures")
    wav = _soundfile_bytes(samples, rate, "WAV", "PCM_16")
    return {
        "wav": wav,
        "wav-stereo": _soundfile_bytes(samples, rate, "WAV", "PCM_16", channels=2),
        "flac": _soundfile_bytes(samples, rate, "FLAC", channels=2),
        "ogg": _soundfile_bytes(samples, rate, "OGG", "VORBIS"),
        "opus": _ffmpeg_bytes(wav, tmp, "ogg", "-c:a", "libopus", "-ar", "48000"),
        "mp3": _soundfile_bytes(samples, rate, "MP3", "MPEG_LAYER_III"),
        "short": _soundfile_bytes(samples[rate // 2 : rate // 2 + rate // 10], rate, "WAV", "PCM_16"),
        "m4a": _ffmpeg_bytes(wav, tmp, "m4a", "-c:a", "aac", "-ar", "16000"),
        "webm": _ffmpeg_bytes(wav, tmp, "webm", "-c:a", "libopus"),
    }


@pytest.mark.parametrize("name, fmt", [
    ("wav", "wav"), ("wav-stereo", "wav"), ("flac", "flac"), ("ogg", "ogg"), ("opus", "ogg"),
    ("mp3", "mp3"), ("m4a", "m4a"), ("webm", "webm"),
])
def test_each_format_decodes_to_normalised_mono(encoded, speech, name, fmt):
    samples, rate = speech
    out = decode.decode(encoded[name], f"clip.{name}", 24_000)
    assert out.format == fmt
    assert out.audio.sample_rate == 24_000
    assert out.audio.samples.dtype == np.float32 and out.audio.samples.ndim == 1
    assert out.duration == pytest.approx(len(samples) / rate, abs=0.12)  # codecs pad a few ms
    assert dsp.loudness(out.audio.samples, 24_000) == pytest.approx(decode.TARGET_LUFS, abs=0.5)
    assert np.max(np.abs(out.audio.samples)) <= decode.PEAK_CEILING + 1e-6
    # Still the same speech: the decoded envelope follows the original's.
    env = lambda x, r: np.sqrt(np.convolve(x**2, np.ones(r // 20) / (r // 20), mode="valid")[:: r // 50])  # noqa: E731
    a, b = env(samples, rate), env(out.audio.samples, 24_000)
    n = min(len(a), len(b))
    assert np.corrcoef(a[:n], b[:n])[0, 1] > 0.9


def test_the_file_name_is_only_shown(encoded):
    """A hostile name changes nothing but the message text; the format comes from the bytes."""
    out = decode.decode(encoded["flac"], "../../etc/passwd.mp3", 16_000)
    assert out.format == "flac" and out.audio.sample_rate == 16_000
    with pytest.raises(UnsupportedAudio) as error:
        decode.decode(b"", "a\x00b/../../evil.wav\n")
    assert "'evil.wav?'" in str(error.value)


def _cut(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _silent_wav() -> bytes:
    return _soundfile_bytes(np.zeros(24_000 * 3, np.float32), 24_000, "WAV", "PCM_16")


def _long_wav() -> bytes:
    rng = np.random.default_rng(0)
    return _soundfile_bytes((0.1 * rng.standard_normal(8_000 * 301)).astype(np.float32), 8_000, "WAV", "PCM_16")


@pytest.mark.parametrize("make, message", [
    (lambda e, t: b"", r"'clip' is empty \(0 bytes\)"),
    (lambda e, t: b"Hello, this is a text file and not a recording.\n" * 10, r"not an audio file .*text file.*Upload wav, mp3"),
    (lambda e, t: b"\x89PNG\r\n\x1a\n" + bytes(200), r"not an audio file .*PNG image"),
    (lambda e, t: b"%PDF-1.7\n" + bytes(200), r"PDF document"),
    (lambda e, t: b"RIFF" + bytes(decode.MAX_BYTES), r"is 50\.0 MB; the limit is 50 MB"),
    (lambda e, t: _cut(e["wav"]), r"truncated: its header promises .* bytes of audio but only"),
    (lambda e, t: _cut(e["flac"]), r"looks like flac but could not be decoded: it is damaged or truncated"),
    (lambda e, t: _cut(e["mp3"]), r"truncated: the mp3 header promises .* s but only"),
    (lambda e, t: _cut(e["m4a"]), r"looks like m4a but could not be decoded: it is damaged or truncated"),
    (lambda e, t: _cut(e["webm"]), r"truncated: the webm header promises .* s but only"),
    (lambda e, t: _silent_wav(), r"is silent .*Check the microphone"),
    (lambda e, t: _long_wav(), r"is 5:01 min long; the limit is 5:00 min"),
    (lambda e, t: _ffmpeg_bytes(_long_wav(), t, "webm", "-c:a", "libopus"), r"long; the limit is 5:00 min"),
    (lambda e, t: e["short"], r"is only 0\.10 s long; record at least 0\.5 s"),
    (lambda e, t: _soundfile_bytes(np.full(30, 0.5, np.float32), 10, "WAV", "PCM_16"),
     r"recorded at 10 samples per second, too few to carry speech"),
], ids=["empty", "text", "png", "pdf", "too-large", "cut-wav", "cut-flac", "cut-mp3", "cut-m4a", "cut-webm",
        "silent", "too-long-wav", "too-long-webm", "too-short", "rate-10-hz"])
def test_bad_uploads_are_rejected_with_a_message(encoded, tmp_path, make, message):
    data = make(encoded, tmp_path)
    with pytest.raises(UnsupportedAudio) as error:
        decode.decode(data, "clip")
    assert re.search(message, str(error.value)), str(error.value)


def test_sample_rate_is_checked():
    with pytest.raises(InvalidInput, match="sample_rate must be 8000–48000 Hz, got 100"):
        decode.decode(b"RIFF", "x.wav", 100)
