"""What a change to the text normaliser does to text nobody wrote for it: every line that reads
differently now than at an earlier commit.

    .venv/bin/python -m bench.dev_normalizer_diff [--base COMMIT] [--corpus docs|packages] [--limit N]

The corpora are what this machine already holds: ``packages`` is the prose of the installed
packages' descriptions (``*.dist-info/METADATA``: technical English with versions, URLs and ids),
``docs`` the sentences of Debian's READMEs, NEWS files and licences under ``/usr/share``. Neither
was read to write a rule; a rule that misfires shows here as a line read worse than before.
Prints each line that differs (before and after), then how many differ.
"""
from __future__ import annotations

import argparse
import glob
import gzip
import importlib.util
import random
import re
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from engines.tts import normalize as current

ROOT = Path(__file__).resolve().parent.parent


def _prose(line: str) -> bool:
    return 30 < len(line) < 300 and bool(re.search(r"[a-z]{3,} [a-z]{3,}", line))


def package_lines() -> list[str]:
    site = sysconfig.get_paths()["purelib"]
    lines = []
    for path in sorted(glob.glob(f"{site}/*.dist-info/METADATA")):
        body = Path(path).read_text(encoding="utf-8", errors="ignore").split("\n\n", 1)[-1]
        for line in body.splitlines():
            line = line.strip()
            if _prose(line) and not line.startswith(("```", "|", ">>>", "$ ")):
                lines.append(line)
    return lines


def doc_sentences() -> list[str]:
    paths = sorted(glob.glob("/usr/share/common-licenses/*") + glob.glob("/usr/share/doc/*/README*")
                   + glob.glob("/usr/share/doc/*/NEWS*"))
    sentences = []
    for path in paths:
        try:
            opener = gzip.open if path.endswith(".gz") else open
            with opener(path, "rt", errors="ignore") as f:
                text = re.sub(r"\s+", " ", f.read())
        except OSError:
            continue
        sentences += [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text) if _prose(s)]
    return sentences


def normalizer_at(commit: str):
    """``engines.tts.normalize`` as it was at ``commit`` (it imports nothing of the project's)."""
    source = subprocess.run(["git", "show", f"{commit}:engines/tts/normalize.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "normalize_base.py"
        path.write_text(source)
        spec = importlib.util.spec_from_file_location("normalize_base", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="HEAD", help="the commit to compare with (default: HEAD)")
    parser.add_argument("--corpus", choices=("docs", "packages"), default="docs")
    parser.add_argument("--limit", type=int, default=15000, help="lines to read, a fixed shuffle (default 15000)")
    args = parser.parse_args()
    lines = doc_sentences() if args.corpus == "docs" else package_lines()
    random.Random(0).shuffle(lines)
    lines = lines[: args.limit]
    base = normalizer_at(args.base)
    changed = 0
    for line in lines:
        before, after = base.normalize(line), current.normalize(line)
        if before != after:
            changed += 1
            print(f"IN : {line}\nWAS: {before}\nNOW: {after}\n")
    print(f"{changed} of {len(lines)} lines read differently from {args.base}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
