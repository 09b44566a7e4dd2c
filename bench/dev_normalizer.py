"""The normaliser against our own development sentences (``bench/data/tts_dev_sentences.toml``).

    .venv/bin/python -m bench.dev_normalizer             # spoken_form(text) vs `spoken`: WER and the differences
    .venv/bin/python -m bench.dev_normalizer --render    # also render Kokoro voices and hear them with Whisper
    .venv/bin/python -m bench.dev_normalizer --file bench/data/normalizer_lists/fresh6.toml   # another list

Both sides go through whisper-normalizer's ``EnglishTextNormalizer`` before jiwer's WER, as in
:mod:`bench.bench_tts_quality` (whose judge, renderer and WER this reuses). These sentences are
for development: rules may be tuned against them. The held-out set (``tts_sentences.toml``) is
never read here.
"""
from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

from engines.tts.text import spoken_form

DATA = Path(__file__).resolve().parent / "data" / "tts_dev_sentences.toml"
RENDER_VOICES = ("af_heart", "am_michael", "bf_emma", "bm_george")


def load(path: Path = DATA) -> list[dict]:
    with Path(path).open("rb") as f:
        return tomllib.load(f)["sentence"]


def _words():
    from whisper_normalizer.english import EnglishTextNormalizer

    normalize = EnglishTextNormalizer()
    return lambda text: " ".join(normalize(text).split())


def compare(sentences: list[dict], show_all: bool = False) -> float:
    """Print each sentence whose spoken form differs from ``spoken`` (as the judge hears words); return the WER."""
    from bench.bench_tts_quality import wer

    words = _words()
    refs, hyps, wrong = [], [], 0
    for s in sentences:
        ours = spoken_form(s["text"])
        # the judge drops bracketed words, which a voice still says: judge them as a clause
        ref, hyp = words(s["spoken"]), words(re.sub(r"[()\[\]]", ",", ours))
        refs.append(ref)
        hyps.append(hyp)
        if ref != hyp or show_all:
            wrong += ref != hyp
            print(f"{s['id']}: {s['text']}\n  want: {s['spoken']}\n  ours: {ours}\n  judge: {ref!r}\n     vs  {hyp!r}\n")
    score = wer(refs, hyps)
    print(f"normaliser WER {score:.4f} over {len(sentences)} sentences, {wrong} differ")
    return score


def render(sentences: list[dict], voices: tuple[str, ...], limit: int) -> None:
    """Render the sentences with Kokoro and print what Whisper hears where it differs from `spoken`."""
    from bench.bench_tts_quality import Judge, render as render_take, wer
    from engines import registry

    judge = Judge()
    engine = registry.load("kokoro")
    for voice in voices:
        refs, hyps = [], []
        for s in sentences[:limit] if limit else sentences:
            heard = judge.hear(render_take(engine, s["text"], voice))
            ref, hyp = judge.words(s["spoken"]), judge.words(heard)
            refs.append(ref)
            hyps.append(hyp)
            if ref != hyp:
                print(f"{voice} {s['id']}: want {ref!r}\n{' ' * len(voice)}  heard {hyp!r}")
        print(f"{voice}: WER {wer(refs, hyps):.4f}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--all", action="store_true", help="print every sentence, not only the differences")
    parser.add_argument("--render", action="store_true", help="also render Kokoro voices and transcribe them")
    parser.add_argument("--voices", default=",".join(RENDER_VOICES), help="comma-separated Kokoro voices for --render")
    parser.add_argument("--limit", type=int, default=0, help="render only the first N sentences (0: all)")
    parser.add_argument("--file", type=Path, default=DATA,
                        help="a development list (default: tts_dev_sentences.toml; more in bench/data/normalizer_lists)")
    args = parser.parse_args()
    sentences = load(args.file)
    compare(sentences, args.all)
    if args.render:
        render(sentences, tuple(args.voices.split(",")), args.limit)


if __name__ == "__main__":
    main()
