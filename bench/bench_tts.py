"""Text-to-speech figures (issue: studio core + TTS). Writes bench/results/tts.json.

- real-time factor of each engine (compute seconds / audio seconds), on a ~900-character text;
- app overhead: submit → completed through jobs, storage and database, over calling the engine
  directly on the same text, in the same run (median of alternating repeats);
- time to first playable audio for a 2,000-character text (submit → first part stored);
- four concurrent jobs against the same four one by one (total wall time ratio).
"""
from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import Timer, text_of, write
from engines.tts.common import TTSRequest
from studio.config import Settings
from studio.core import Studio

log = logging.getLogger("bench.tts")
VOICE = {"kokoro": "af_heart", "piper": "joe"}


def direct(engine, text: str, voice: str) -> tuple[float, float]:
    with Timer() as t:
        n = sum(len(a.samples) for a in engine.run(engine.check(TTSRequest(text, voice))))
    return t.seconds, n / engine.sample_rate


def through_studio(studio: Studio, engine: str, text: str, voice: str) -> float:
    with Timer() as t:
        job_id, _ = studio.submit_tts("bench", text, voice, engine)
        row = studio.wait("bench", job_id, timeout=900, )
    if row["status"] != "completed":
        raise RuntimeError(row["error"])
    return t.seconds


def first_audio(studio: Studio, text: str) -> float:
    start = time.perf_counter()
    job_id, _ = studio.submit_tts("bench", text, "af_heart", "kokoro")
    while True:
        row = studio.job("bench", job_id)
        if row["preview_key"] or row["status"] == "completed":
            elapsed = time.perf_counter() - start
            break
        if row["status"] in ("failed", "cancelled"):
            raise RuntimeError(row["error"])
        time.sleep(0.005)
    studio.wait("bench", job_id, timeout=900)
    return elapsed


def main(repeats: int = 3) -> Path:
    logging.basicConfig(level=logging.WARNING)
    text = text_of(900)
    results: dict = {"text_chars": len(text), "engines": {}}
    with tempfile.TemporaryDirectory() as tmp:
        studio = Studio(Settings(data_dir=Path(tmp) / "data", workers=4, starting_credits=10**9))
        for name in ("kokoro", "piper"):
            info = next(i for i in studio.engines("tts") if i.id == name)
            if not info.available:
                results["engines"][name] = {"available": False, "reason": info.reason}
                continue
            engine = studio.engine(name)
            direct(engine, "Warm up.", VOICE[name])
            through_studio(studio, name, "Warm up.", VOICE[name])
            d_times, s_times, audio_s = [], [], 0.0
            for _ in range(repeats):  # alternate, so drift on a shared machine hits both sides
                secs, audio_s = direct(engine, text, VOICE[name])
                d_times.append(secs)
                s_times.append(through_studio(studio, name, text, VOICE[name]))
            d, s = statistics.median(d_times), statistics.median(s_times)
            results["engines"][name] = {
                "available": True, "device": engine.device, "audio_seconds": round(audio_s, 2),
                "direct_seconds": [round(x, 3) for x in d_times], "studio_seconds": [round(x, 3) for x in s_times],
                "real_time_factor": round(d / audio_s, 3),
                "app_overhead_ratio": round(s / d, 3),
            }
            print(f"{name}: RTF {d / audio_s:.3f}, overhead ratio {s / d:.3f}", file=sys.stderr)

        long_text = text_of(2000)
        firsts = [first_audio(studio, long_text) for _ in range(repeats)]
        results["first_audio_2000_chars"] = {"chars": len(long_text), "seconds": [round(x, 3) for x in firsts],
                                             "median_seconds": round(statistics.median(firsts), 3), "target_seconds": 2.0}
        print(f"first audio: {statistics.median(firsts):.2f} s", file=sys.stderr)

        four = [text_of(400 + 10 * i) for i in range(4)]
        with Timer() as seq:
            for t in four:
                through_studio(studio, "kokoro", t, "af_heart")
        with Timer() as par:
            ids = [studio.submit_tts("bench", t, "af_heart", "kokoro")[0] for t in four]
            rows = [studio.wait("bench", i, timeout=900) for i in ids]
        assert all(r["status"] == "completed" for r in rows)
        results["concurrency"] = {"workers": studio.settings.workers, "one_by_one_seconds": round(seq.seconds, 3),
                                  "four_at_once_seconds": round(par.seconds, 3),
                                  "ratio": round(par.seconds / seq.seconds, 3), "target_ratio": 1.0}
        print(f"concurrency ratio {par.seconds / seq.seconds:.3f}", file=sys.stderr)
        studio.shutdown()
    return write("tts", results)


if __name__ == "__main__":
    print(main())
