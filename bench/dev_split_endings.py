"""How a mid-sentence chunk should end so that Kokoro does not fall in pitch as at a full stop,
on the development sentences (``bench/data/tts_dev_sentences.toml``; the held-out set is never
read here).

    .venv/bin/python -m bench.dev_split_endings [voice ...]   # default: af_heart am_michael bm_george

For every development sentence whose first chunk ends at clause punctuation, the chunk is
rendered with each candidate ending (comma, what the studio sends; ellipsis; semicolon; dash)
and its pitch fall over the last voiced 200 ms is compared with the same words inside the
sentence rendered whole, as ``bench.bench_tts_quality`` judges a split (its judge and pitch
measure are reused). Prints, per ending, how many splits fall more than the threshold.
"""
from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import numpy as np

from audiokit import Audio
from bench.bench_tts_quality import FALL_SEMITONES, Judge, last_voiced_fall, split_time
from engines import registry
from engines.tts.text import spoken_form, split_chunks

DEV = Path(__file__).parent / "data" / "tts_dev_sentences.toml"
ENDINGS = {"comma": lambda s: s, "ellipsis": lambda s: s[:-1] + "…", "semicolon": lambda s: s[:-1] + ";",
           "dash": lambda s: s[:-1] + " —"}


def dev_texts() -> list[str]:
    """The development sentences, as written."""
    data = tomllib.loads(DEV.read_text())
    return [it["text"] if isinstance(it, dict) else it for it in data[next(iter(data))]]


def main(voices: list[str]) -> dict[str, np.ndarray]:
    texts = dev_texts()
    engine = registry.get("kokoro")
    engine.load()
    judge = Judge()
    rate = engine.sample_rate
    cases = []
    for text in texts:
        chunks = split_chunks(text, first_max_chars=engine.first_chunk_chars)
        if len(chunks) > 1 and chunks[0].cut == "clause":
            cases.append((text, chunks[0]))
    excess: dict[str, list[float]] = {name: [] for name in ENDINGS}
    for voice in voices:
        for text, chunk in cases:
            whole = Audio(engine._render(spoken_form(text), voice, 1.0), rate)
            until = split_time(judge.word_times(whole), spoken_form(chunk.text).split(),
                               spoken_form(text[len(chunk.text):]).split())
            unsplit = last_voiced_fall(whole.samples, rate, until=until) if until is not None else None
            if unsplit is None:
                continue
            for name, ending in ENDINGS.items():
                fall = last_voiced_fall(np.trim_zeros(engine._render(ending(chunk.render_text), voice, 1.0), "b"), rate)
                if fall is not None:
                    excess[name].append(fall - unsplit)
    print(f"{len(cases)} development sentences split at clause punctuation, voices {', '.join(voices)}")
    for name, values in excess.items():
        d = np.array(values)
        print(f"{name:10s} splits {len(d)}  falling more than {FALL_SEMITONES} st: {int((d > FALL_SEMITONES).sum())}  "
              f"median excess {np.median(d):+.2f} st")
    return {name: np.array(v) for name, v in excess.items()}


if __name__ == "__main__":
    main(sys.argv[1:] or ["af_heart", "am_michael", "bm_george"])
