"""Uploaded audio → mono float32 at the rate a converter wants, loudness-normalised.

Every check that can fail on a person's file happens here, before any credit is spent:
empty, too large, not audio, damaged or cut off, too short, too long, silent. The format is
told from the file's first bytes, never from its name; the name is used in messages only.

wav, flac, ogg and mp3 are read by libsndfile (the ``soundfile`` wheel). m4a/mp4/aac, webm
and anything libsndfile cannot read go through ``ffmpeg`` (Debian package ``ffmpeg``): no
shell, a time limit, input on stdin and raw float samples on stdout. MP4 files keep their
index (``moov``) wherever the encoder put it, often after the audio, which ffmpeg cannot
reach on a pipe; those are written to a private temporary file with a fixed name first.
"""
from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from audiokit import dsp
from audiokit.audio import Audio
from audiokit.errors import InvalidInput, UnsupportedAudio

log = logging.getLogger(__name__)

MAX_BYTES = 50 * 1024 * 1024
MAX_SECONDS = 300.0
MIN_SECONDS = 0.5
FORMATS = ("wav", "mp3", "flac", "ogg", "m4a", "webm")
ACCEPTED = "wav, mp3, flac, ogg, m4a or webm"
TARGET_LUFS = -20.0  # integrated loudness after normalisation (ITU-R BS.1770)
PEAK_CEILING = 0.97
MIN_SOURCE_RATE = 4_000  # below this nothing of speech survives (telephone audio is 8 kHz)
SILENT_DBFS = -55.0  # quieter than this everywhere: nothing to convert
FFMPEG_TIMEOUT = 120.0

# Signatures of common files that are not audio, to say what was received.
_NOT_AUDIO = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"{", "a text or JSON file"),
    (b"<", "an HTML or XML file"),
)


@dataclass(frozen=True)
class Decoded:
    audio: Audio  # mono float32 at the requested rate, loudness-normalised
    format: str  # what the bytes were: "wav", "mp3", "flac", "ogg", "m4a", "webm"
    source_rate: int
    channels: int
    gain_db: float  # what normalisation applied

    @property
    def duration(self) -> float:
        return self.audio.duration


def display_name(filename: str | None) -> str:
    """A file name safe to show in a message: printable, short, quoted."""
    if not filename:
        return "the recording"
    name = "".join(c if c.isprintable() else "?" for c in str(filename).replace("\\", "/").rsplit("/", 1)[-1])
    return repr(name[:80] + ("…" if len(name) > 80 else ""))


def sniff(data: bytes) -> str | None:
    """The audio container the bytes start with, or None."""
    head = data[:64]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE" or head[:4] == b"RF64":
        return "wav"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "ogg"
    if head[4:8] == b"ftyp":
        return "m4a"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if head[:3] == b"ID3":
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06:
        return "mp3"  # an MPEG audio frame sync (layer bits set), no ID3 tag
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    return None


def _what_it_is(data: bytes) -> str:
    for magic, what in _NOT_AUDIO:
        if data.lstrip()[: len(magic)] == magic if magic in (b"{", b"<") else data[: len(magic)] == magic:
            return what
    try:
        data[:512].decode("utf-8")
        return "a text file"
    except UnicodeDecodeError:
        return f"a file starting with bytes {data[:8].hex(' ')}"


def check_upload(data: bytes, filename: str | None = None, field: str = "source") -> str:
    """Cheap checks on the raw bytes (size, signature); returns the detected format."""
    name = display_name(filename)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidInput(field, f"Expected the file's bytes for {field}, got {type(data).__name__}.")
    if len(data) == 0:
        raise UnsupportedAudio(f"{name} is empty (0 bytes). Upload the recording again or pick another file.")
    if len(data) > MAX_BYTES:
        raise UnsupportedAudio(
            f"{name} is {len(data) / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB. "
            "Trim it or export it as mp3 or ogg, which are much smaller."
        )
    fmt = sniff(bytes(data[:64]))
    if fmt is None:
        raise UnsupportedAudio(
            f"{name} is not an audio file the studio can read (it looks like {_what_it_is(bytes(data[:512]))}). "
            f"Upload {ACCEPTED}."
        )
    return fmt


def decode(data: bytes, filename: str | None = None, sample_rate: int = 24_000, *,
           max_seconds: float = MAX_SECONDS, min_seconds: float = MIN_SECONDS,
           normalize: bool = True, field: str = "source") -> Decoded:
    """Decode ``data`` to mono float32 at ``sample_rate``; UnsupportedAudio with the fix when it cannot be used."""
    if not isinstance(sample_rate, int) or not 8_000 <= sample_rate <= 48_000:
        raise InvalidInput("sample_rate", f"sample_rate must be 8000–48000 Hz, got {sample_rate!r}.")
    fmt = check_upload(data, filename, field)
    data = bytes(data)
    name = display_name(filename)
    samples, rate, channels, source_rate = None, 0, 0, 0
    if fmt in ("wav", "flac", "ogg", "mp3", "aiff"):
        if fmt == "wav":
            _check_wav_complete(data, name)
        try:
            samples, rate, channels, source_rate = _read_soundfile(data, fmt, name, max_seconds)
        except _SoundfileFailed as error:
            log.info("libsndfile could not read %s (%s); trying ffmpeg", fmt, error)
    if samples is None:
        samples, rate, channels, source_rate = _read_ffmpeg(data, fmt, name, max_seconds)
    if len(samples) == 0:
        raise UnsupportedAudio(f"{name} holds no audio samples ({fmt}). It may be damaged or cut off; export it again.")
    if source_rate < MIN_SOURCE_RATE:
        raise UnsupportedAudio(
            f"{name} is recorded at {source_rate:,} samples per second, too few to carry speech "
            f"(at least {MIN_SOURCE_RATE:,}; 16,000 or more is usual). Record or export it again at 16 kHz or more."
        )
    duration = len(samples) / rate
    if duration > max_seconds + 0.05:
        raise _too_long(name, duration, max_seconds, exact=duration < max_seconds + 0.95)  # ffmpeg stops at +1 s
    if duration < min_seconds:
        raise UnsupportedAudio(
            f"{name} is only {duration:.2f} s long; record at least {min_seconds:g} s of speech."
        )
    if not np.all(np.isfinite(samples)):
        samples = np.nan_to_num(samples, nan=0.0, posinf=0.0, neginf=0.0)
    if rate != sample_rate:
        samples = dsp.resample(samples, rate, sample_rate)
    gain = 0.0
    level = active_rms_db(samples, sample_rate)
    if level < SILENT_DBFS:
        raise UnsupportedAudio(
            f"{name} is silent (loudest passages at {level:.0f} dBFS). Check the microphone and record again."
        )
    if normalize:
        samples, gain = normalize_loudness(samples, sample_rate)
    return Decoded(Audio(samples, sample_rate), fmt, source_rate, channels, gain)


def _too_long(name: str, duration: float, max_seconds: float, exact: bool = True) -> UnsupportedAudio:
    at_least = "" if exact else "more than "  # without a declared length, decoding stops one second past the limit
    return UnsupportedAudio(
        f"{name} is {at_least}{_minutes(duration)} long; the limit is {_minutes(max_seconds)}. Trim it and upload it again."
    )


def _minutes(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}:{s:02d} min"


class _SoundfileFailed(Exception):
    pass


def _check_wav_complete(data: bytes, name: str) -> None:
    """A WAV whose data chunk says it holds more bytes than arrived was cut off in transit."""
    if data[:4] != b"RIFF":
        return
    pos = 12
    while pos + 8 <= len(data):
        chunk, size = data[pos : pos + 4], int.from_bytes(data[pos + 4 : pos + 8], "little")
        if chunk == b"data":
            have = len(data) - pos - 8
            if size not in (0, 0xFFFFFFFF) and have < size:
                raise UnsupportedAudio(
                    f"{name} is truncated: its header promises {size:,} bytes of audio but only {have:,} arrived. "
                    "Upload the file again, or export it again if it was cut off when saved."
                )
            return
        pos += 8 + size + (size & 1)
    raise UnsupportedAudio(f"{name} is truncated: the WAV file ends before its audio data starts. Upload it again.")


def _truncated(name: str, fmt: str, declared: float, got: float) -> UnsupportedAudio:
    return UnsupportedAudio(
        f"{name} is truncated: the {fmt} header promises {declared:.1f} s but only {got:.1f} s could be decoded. "
        "Upload the file again, or export it again if it was cut off when saved."
    )


def _read_soundfile(data: bytes, fmt: str, name: str, max_seconds: float) -> tuple[np.ndarray, int, int, int]:
    try:
        with sf.SoundFile(io.BytesIO(data)) as f:
            rate, channels, frames = f.samplerate, f.channels, f.frames
            if rate <= 0 or channels <= 0:
                raise _SoundfileFailed(f"rate {rate}, channels {channels}")
            if frames > (max_seconds + 0.05) * rate:
                raise _too_long(name, frames / rate, max_seconds)
            block = f.read(dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError) as error:
        raise _SoundfileFailed(str(error)) from error
    if frames > 0 and len(block) < frames - max(rate // 2, frames // 50):
        raise _truncated(name, fmt, frames / rate, len(block) / rate)
    return block.mean(axis=1).astype(np.float32), rate, channels, rate


def ffmpeg_path() -> str | None:
    return shutil.which("ffmpeg")


_DURATION = re.compile(rb"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_STREAM = re.compile(rb"Audio: [^\n]*?, (\d+) Hz, (mono|stereo|[0-9.]+(?:\([^)]*\))?|\d+ channels)")


def _read_ffmpeg(data: bytes, fmt: str, name: str, max_seconds: float, rate: int = 48_000) -> tuple[np.ndarray, int, int, int]:
    exe = ffmpeg_path()
    if exe is None:
        raise UnsupportedAudio(
            f"{name} is {fmt}, which needs ffmpeg to decode, and ffmpeg is not installed on the server. "
            "Upload wav, flac, ogg or mp3, or ask an operator to install ffmpeg (apt-get install ffmpeg)."
        )
    # Decode at 48 kHz (no codec here carries more), one second past the limit at most;
    # -xerror: a decoding error (a damaged or cut-off file) ends the run with a failure.
    out_args = ["-vn", "-sn", "-dn", "-ac", "1", "-ar", str(rate), "-t", f"{max_seconds + 1:.0f}", "-f", "f32le", "pipe:1"]
    base = [exe, "-nostdin", "-hide_banner", "-loglevel", "info", "-xerror"]
    try:
        if fmt == "m4a":
            with tempfile.TemporaryDirectory(prefix="studio-decode-") as tmp:
                path = Path(tmp) / "upload.mp4"
                path.write_bytes(data)
                proc = subprocess.run([*base, "-i", f"file:{path}", *out_args], capture_output=True,
                                      timeout=FFMPEG_TIMEOUT, check=False)
        else:
            proc = subprocess.run([*base, "-i", "pipe:0", *out_args], input=data, capture_output=True,
                                  timeout=FFMPEG_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as error:
        raise UnsupportedAudio(f"Decoding {name} took longer than {FFMPEG_TIMEOUT:.0f} s. Convert it to wav and upload that.") from error
    samples = np.frombuffer(proc.stdout[: len(proc.stdout) // 4 * 4], dtype="<f4").astype(np.float32)
    if proc.returncode != 0:
        log.info("ffmpeg failed on a %s upload: %s", fmt, proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:])
        raise UnsupportedAudio(
            f"{name} looks like {fmt} but could not be decoded: it is damaged or truncated. "
            "Export it again, or upload wav or mp3."
        )
    got = len(samples) / rate
    match = _DURATION.search(proc.stderr)
    if match:
        declared = int(match[1]) * 3600 + int(match[2]) * 60 + float(match[3])
        if declared > max_seconds + 0.05:
            raise _too_long(name, declared, max_seconds)
        if got < declared - max(0.5, declared / 50):
            raise _truncated(name, fmt, declared, got)
    stream = _STREAM.search(proc.stderr)
    channels = {b"mono": 1, b"stereo": 2}.get(stream[2], 0) if stream else 0
    return samples, rate, channels, int(stream[1]) if stream else rate


def active_rms_db(samples: np.ndarray, sample_rate: int, frame_seconds: float = 0.05) -> float:
    """RMS level (dBFS) of the louder frames: speech level, not diluted by pauses."""
    n = max(1, int(frame_seconds * sample_rate))
    usable = len(samples) // n * n
    if usable == 0:
        power = np.array([np.mean(np.square(samples, dtype=np.float64))]) if len(samples) else np.array([0.0])
    else:
        power = np.mean(np.square(samples[:usable].reshape(-1, n), dtype=np.float64), axis=1)
    peak = float(np.max(power))
    if peak <= 1e-14:
        return -140.0
    active = power[power >= peak * 10 ** (-40 / 10)]  # within 40 dB of the loudest frame
    return float(10 * np.log10(np.mean(active)))


def normalize_loudness(samples: np.ndarray, sample_rate: int, target_lufs: float = TARGET_LUFS) -> tuple[np.ndarray, float]:
    """Bring speech to ``target_lufs`` with no peak above the ceiling (:func:`audiokit.dsp.normalize`);
    returns (samples, the gain applied in dB)."""
    before = dsp.loudness(samples, sample_rate)
    out, after = dsp.normalize(samples, sample_rate, target_lufs, ceiling=PEAK_CEILING)
    gain = after - before if np.isfinite(before) and np.isfinite(after) else 0.0
    return out.astype(np.float32), float(gain)
