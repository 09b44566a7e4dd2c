"""Audio out of the API: the formats each client asks for, whole or as a stream.

Streams start with the first rendered chunk: raw PCM (16-bit little-endian), WAV with a
streaming header (sizes 0xFFFFFFFF, as players expect of a live WAV), and MP3 from one
encoder kept open for the whole take (libsndfile/LAME), so frames follow each other without
gaps. FLAC and Opus are sent when the take is complete.
"""
from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass

import numpy as np
import soundfile as sf

from audiokit import Audio, dsp
from api.errors import APIError


@dataclass(frozen=True)
class Format:
    container: str  # "mp3" | "wav" | "pcm" | "flac" | "opus"
    sample_rate: int | None = None  # None: the engine's own rate
    media_type: str = "audio/mpeg"

    @property
    def streams(self) -> bool:
        return self.container in ("mp3", "wav", "pcm")


MEDIA = {"mp3": "audio/mpeg", "wav": "audio/wav", "pcm": "audio/pcm", "flac": "audio/flac", "opus": "audio/ogg"}
OPENAI = {"mp3": Format("mp3"), "wav": Format("wav", None, MEDIA["wav"]), "flac": Format("flac", None, MEDIA["flac"]),
          "opus": Format("opus", 48_000, MEDIA["opus"]), "pcm": Format("pcm", 24_000, MEDIA["pcm"])}
RATES = (8000, 16000, 22050, 24000, 44100, 48000)


def openai_format(name: str | None) -> Format:
    name = (name or "mp3").lower()
    if name not in OPENAI:
        raise APIError(400, "unsupported_format", f"response_format {name[:20]!r} is not available here; use one of "
                                                  f"{', '.join(OPENAI)} (aac is not: no encoder ships with the studio).")
    return OPENAI[name]


def elevenlabs_format(name: str | None) -> Format:
    """``mp3_44100_128``, ``pcm_24000``, ``wav_22050``, ``opus_48000_64``…"""
    name = (name or "mp3_44100_128").lower()
    m = re.fullmatch(r"(mp3|pcm|wav|opus)_(\d+)(?:_(\d+))?", name)
    if not m or int(m.group(2)) not in RATES or (m.group(1) == "opus" and int(m.group(2)) != 48_000):
        raise APIError(400, "unsupported_format", f"output_format {name[:30]!r} is not available here; use mp3_<rate>_<kbps>, "
                                                  f"pcm_<rate>, wav_<rate> (rates {', '.join(map(str, RATES))}) or opus_48000_<kbps>.")
    return Format(m.group(1), int(m.group(2)), MEDIA[m.group(1)])


def _at_rate(audio: Audio, fmt: Format) -> Audio:
    rate = fmt.sample_rate or audio.sample_rate
    return audio if rate == audio.sample_rate else Audio(dsp.resample(audio.samples, audio.sample_rate, rate), rate)


def _pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


def encode(audio: Audio, fmt: Format) -> bytes:
    """The whole take in ``fmt``."""
    audio = _at_rate(audio, fmt)
    if fmt.container == "pcm":
        return _pcm16(audio.samples)
    buf = io.BytesIO()
    x = np.clip(audio.samples, -1.0, 1.0)
    if fmt.container == "mp3":
        sf.write(buf, x, audio.sample_rate, format="MP3", subtype="MPEG_LAYER_III")
    elif fmt.container == "wav":
        sf.write(buf, x, audio.sample_rate, format="WAV", subtype="PCM_16")
    elif fmt.container == "flac":
        sf.write(buf, x, audio.sample_rate, format="FLAC", subtype="PCM_16")
    else:
        sf.write(buf, x, audio.sample_rate, format="OGG", subtype="OPUS")
    return buf.getvalue()


def wav_stream_header(sample_rate: int, channels: int = 1) -> bytes:
    """A WAV header for a stream of unknown length (RIFF and data sizes 0xFFFFFFFF)."""
    byte_rate = sample_rate * channels * 2
    return (b"RIFF" + struct.pack("<I", 0xFFFFFFFF) + b"WAVE" + b"fmt " +
            struct.pack("<IHHIIHH", 16, 1, channels, sample_rate, byte_rate, channels * 2, 16) +
            b"data" + struct.pack("<I", 0xFFFFFFFF))


class _Sink(io.RawIOBase):
    """Where the MP3 encoder writes; bytes are taken from it as soon as they exist."""

    def __init__(self) -> None:
        self.data, self.pos = bytearray(), 0

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, b) -> int:
        b = bytes(b)
        end = self.pos + len(b)
        if end > len(self.data):
            self.data.extend(b"\0" * (end - len(self.data)))
        self.data[self.pos:end] = b
        self.pos = end
        return len(b)

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = offset if whence == 0 else self.pos + offset if whence == 1 else len(self.data) + offset
        return self.pos

    def tell(self) -> int:
        return self.pos

    def readinto(self, b) -> int:
        n = max(0, min(len(b), len(self.data) - self.pos))
        b[:n] = self.data[self.pos:self.pos + n]
        self.pos += n
        return n

    def close(self) -> None:  # libsndfile closes its file; the bytes must outlive it
        pass


_MP3_BITRATES = {3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
                 2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _mp3_frame_length(header: bytes) -> int:
    version = (header[1] >> 3) & 3
    bitrate = _MP3_BITRATES[3 if version == 3 else 2][(header[2] >> 4) & 15] * 1000
    rate = _MP3_RATES[version][(header[2] >> 2) & 3]
    return (144 if version == 3 else 72) * bitrate // rate + ((header[2] >> 1) & 1)


class StreamEncoder:
    """Encodes a take chunk by chunk: ``chunk(audio)`` returns the bytes to send now, ``end()`` the rest."""

    def __init__(self, fmt: Format):
        if not fmt.streams:
            raise ValueError(f"{fmt.container} cannot be streamed")
        self.fmt = fmt
        self._started = False
        self._sink: _Sink | None = None
        self._file = None
        self._sent = 0
        self._rate = 0

    def chunk(self, audio: Audio) -> bytes:
        audio = _at_rate(audio, self.fmt)
        out = b""
        if not self._started:
            self._started, self._rate = True, audio.sample_rate
            if self.fmt.container == "wav":
                out += wav_stream_header(audio.sample_rate)
            elif self.fmt.container == "mp3":
                self._sink = _Sink()
                self._file = sf.SoundFile(self._sink, "w", samplerate=audio.sample_rate, channels=1, format="MP3",
                                          subtype="MPEG_LAYER_III")
        if self.fmt.container == "mp3":
            self._file.write(np.clip(audio.samples, -1.0, 1.0))
            return out + self._take()
        return out + _pcm16(audio.samples)

    def _take(self) -> bytes:
        data = self._sink.data
        if self._sent == 0:
            # The first frame is the encoder's placeholder for its Xing/Info header, rewritten
            # only at the end; a stream cannot take it back, so it is never sent.
            if len(data) < 4:
                return b""
            self._sent = _mp3_frame_length(bytes(data[:4]))
        new = bytes(data[self._sent:])
        self._sent += len(new)
        return new

    def end(self) -> bytes:
        if self._file is not None:
            self._file.close()
            self._file = None
            return self._take()
        return b""
