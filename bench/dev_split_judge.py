"""Does the split judge of ``bench.bench_tts_quality`` flag a split that is not there? On the
development sentences (``bench/data/tts_dev_sentences.toml``; the held-out set is never read here).

    .venv/bin/python -m bench.dev_split_judge [voice ...]   # default: af_heart am_michael bm_george

For every development sentence whose first chunk ends mid-sentence, the sentence is rendered whole
(as the judge does) and then cut at the pause after the first chunk's last word: the quietest 10 ms
between Whisper's end of that word and its start of the next. That piece *is* the unsplit rendering,
so a judge that flags it as a final fall is measuring itself, not the voice. Printed: how often the
judge (:func:`~bench.bench_tts_quality.bad_split`, fall measured up to Whisper's word end) flags this
control, how far the two measures of the same audio differ, and, beside them, the split pieces
judged both ways: the first chunk rendered alone (how the studio spoke it until 2026-11-30) and
the first piece the studio hands on now (``engine.run``: generated from the whole sentence's prosody and decoder features).
"""
from __future__ import annotations

import sys

import numpy as np

from audiokit import Audio
from bench.bench_tts_quality import FALL_SEMITONES, Judge, bad_split, frame_db, last_voiced_fall, split_time
from bench.dev_split_endings import dev_texts
from engines import registry
from engines.tts.common import TTSRequest
from engines.tts.text import spoken_form, split_chunks


def pause_cut(x: np.ndarray, rate: int, end: float, next_start: float | None) -> int:
    """The sample where the pause between a word ending at ``end`` and the next starting at
    ``next_start`` is quietest (10 ms frames); ``end`` itself when Whisper leaves no gap."""
    if next_start is None or next_start <= end + 0.01:
        return int(end * rate)
    a, b = int(end * rate), int(next_start * rate)
    db = frame_db(x[a:b], rate)
    return a + int(np.argmin(db)) * int(0.01 * rate) + int(0.005 * rate)


def main(voices: list[str]) -> None:
    texts = dev_texts()
    engine = registry.get("kokoro")
    engine.load()
    judge = Judge()
    rate = engine.sample_rate
    cases = [(t, c[0]) for t in texts if len(c := split_chunks(t, first_max_chars=engine.first_chunk_chars)) > 1
             and c[0].mid_sentence]
    rows = []
    for voice in voices:
        for text, chunk in cases:
            whole = Audio(engine._render(spoken_form(text), voice, 1.0), rate)
            times = judge.word_times(whole)
            until = split_time(times, spoken_form(chunk.text).split(), spoken_form(text[len(chunk.text):]).split())
            if until is None:
                continue
            end = max((e for _, _, e in times if e <= until + 1e-6), default=0.0)  # the head's last word ends
            nxt = min((b for _, b, _ in times if b >= end - 1e-6 and b > 0), default=None)  # the next one starts
            unsplit = last_voiced_fall(whole.samples, rate, until=until)
            control = last_voiced_fall(whole.samples[:pause_cut(whole.samples, rate, end, nxt)], rate)
            split = last_voiced_fall(np.trim_zeros(engine._render(chunk.render_text, voice, 1.0), "b"), rate)
            first = next(engine.run(engine.check(TTSRequest(text, voice))))  # with its pause: trimmed below
            studio = last_voiced_fall(np.trim_zeros(first.samples, "b"), rate)
            if None in (unsplit, control, split, studio):
                continue
            rows.append((voice, chunk.text[-30:], unsplit, control, split, studio))

    def flagged(fall: float, reference: float) -> bool:
        return bad_split({"kind": "clause", "fall_split": fall, "fall_unsplit": reference})

    unsplit, control, split, studio = (np.array([r[k] for r in rows]) for k in (2, 3, 4, 5))
    print(f"{len(rows)} first-chunk splits of {len(cases)} development sentences, voices {', '.join(voices)}; "
          f"threshold {FALL_SEMITONES} st")
    print(f"control (the unsplit audio cut in the pause) flagged by the judge: "
          f"{sum(flagged(c, u) for c, u in zip(control, unsplit))}")
    print(f"same audio, two measures: median |control - unsplit| {np.median(np.abs(control - unsplit)):.2f} st, "
          f"90th percentile {np.percentile(np.abs(control - unsplit), 90):.2f} st")
    for name, falls in (("first chunk rendered alone", split), ("the studio's first piece", studio)):
        print(f"{name}: flagged against the fall up to Whisper's word end (the benchmark) "
              f"{sum(flagged(s, u) for s, u in zip(falls, unsplit))}, against the unsplit audio cut in the pause "
              f"{sum(flagged(s, c) for s, c in zip(falls, control))}")
    for voice, head, u, c, s, st in rows:
        print(f"  {voice:10s} ...{head:30s} unsplit {u:+6.2f}  control {c:+6.2f}  alone {s:+6.2f}  studio {st:+6.2f}"
              f"{'  CONTROL FLAGGED' if flagged(c, u) else ''}{'  alone flagged' if flagged(s, u) else ''}"
              f"{'  studio flagged' if flagged(st, u) else ''}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["af_heart", "am_michael", "bm_george"])
