"""Sound-effects figures (issues 4 and 13). Writes bench/results/sfx.json.

- generation time per second of audio: the offline engine (plan + render, one variation) on
  ten prompts at 5 s and three at 30 s; the AudioLDM engine on a tiny random pipeline (the
  plumbing only: a real AudioLDM is far slower and needs weights that cannot be installed here);
- relevance, judged by ``bench/data/sfx_prompts.toml``: prompts written the way people describe
  sounds, each labelled with the category a listener would accept (or "uncovered"), committed
  before the catalogue was extended and by another author than the catalogue's. They are read
  here only; no prompt text is printed or written to the results, only counts. For each prompt
  the plan (5 s, seed 1) is served, flagged ``needs_confirmation`` or refused:
  ``served_correct_rate`` = covered prompts served whose main layer has the label's category ÷
  covered prompts; ``served_wrong_rate`` = prompts (covered or not) served with another
  category ÷ all prompts; ``uncovered_refused_rate`` = uncovered prompts refused or flagged ÷
  uncovered prompts;
- duration: every covered prompt not marked ``single`` rendered at 5 s (the closest accepted
  where a confirmation was asked): the longest run of silence (50 ms windows more than 50 dB
  under the clip's peak) ÷ the requested 5 s;
- loop: the same prompts rendered with ``loop=True``: the level jump (dB) between the last and the
  first 50 ms (levels floored 60 dB under the clip's peak, so two inaudible windows do not "jump");
- loudness of every offline clip made above: share within ±1 LU of the target, and clipped samples.

Silence and seam levels are measured here, not with the engine's own helpers.
"""
from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path

import numpy as np

from bench.common import Timer, write
from audiokit import dsp
from audiokit.errors import InvalidInput
from engines import registry
from engines.contract import render
from engines.sfx.common import NeedsConfirmation, SFXRequest
from engines.sfx.lib import mix

log = logging.getLogger("bench.sfx")

PROMPTS = Path(__file__).resolve().parent / "data" / "sfx_prompts.toml"
SECONDS = 5.0
TIMING_PROMPTS = [
    "heavy rain on a tin roof with distant thunder", "retro laser shot", "a dog barks twice in a large hall",
    "crackling campfire with gentle wind", "car engine idling in a tunnel", "footsteps on gravel",
    "ocean waves", "police siren far away", "coin pickup", "a cat meows, then a horse neighs",
]
LONG_PROMPTS = ["heavy rain on a tin roof with distant thunder", "crackling fire in a small room", "wind and ocean waves"]


def offline_timing(engine) -> tuple[dict, list]:
    clips, rows = [], []
    for prompt, seconds in [(p, 5.0) for p in TIMING_PROMPTS] + [(p, 30.0) for p in LONG_PROMPTS]:
        request = SFXRequest(prompt, duration=seconds, seed=1, accept_closest=True)
        with Timer() as t:
            audio = render(engine, request)
        rows.append({"prompt": prompt, "seconds": seconds, "compute_s": round(t.seconds, 3),
                     "per_audio_second": round(t.seconds / audio.duration, 4)})
        clips.append(audio)
    per_second = [r["per_audio_second"] for r in rows]
    return {"runs": rows, "median_s_per_audio_s": round(statistics.median(per_second), 4),
            "max_s_per_audio_s": round(max(per_second), 4)}, clips


def audioldm_tiny_timing() -> tuple[dict, list]:
    try:
        import diffusers  # noqa: F401

        from tests import audioldm_tiny
    except ImportError as error:
        return {"skipped": f"torch/diffusers/transformers not installed ({error}); pip install -r requirements-audioldm.txt"}, []
    from engines.sfx.audioldm import AudioLDMEngine

    with tempfile.TemporaryDirectory() as tmp:
        folder = audioldm_tiny.build(Path(tmp))
        with Timer() as load:
            engine = AudioLDMEngine(model=folder).load()
        rows, clips = [], []
        for seconds, steps in ((1.0, 2), (1.0, 4), (2.0, 2)):
            request = SFXRequest("a hammer hitting a wooden surface", duration=seconds, steps=steps, seed=0)
            with Timer() as t:
                audio = render(engine, request)
            rows.append({"seconds": seconds, "steps": steps, "compute_s": round(t.seconds, 3),
                         "per_audio_second": round(t.seconds / audio.duration, 3),
                         "per_audio_second_per_step": round(t.seconds / audio.duration / steps, 3)})
            clips.append(audio)
    return {"note": "tiny random pipeline (diffusers fast-test sizes): measures the engine's plumbing, not AudioLDM's speed",
            "load_s": round(load.seconds, 2), "runs": rows}, clips


def longest_silence_s(samples: np.ndarray, rate: int, window: float = 0.05, below_db: float = -50.0) -> float:
    level = np.abs(samples) if samples.ndim == 1 else np.max(np.abs(samples), axis=1)
    w = int(window * rate)
    frames = len(level) // w
    if frames == 0:
        return 0.0
    rms = np.sqrt(np.mean(level[: frames * w].reshape(frames, w).astype(np.float64) ** 2, axis=1))
    quiet = rms < float(level.max()) * 10 ** (below_db / 20)
    run = best = 0
    for q in quiet:
        run = run + 1 if q else 0
        best = max(best, run)
    return best * window


def seam_jump_db(samples: np.ndarray, rate: int, window: float = 0.05) -> float:
    n = int(window * rate)
    power = np.square(samples.astype(np.float64))
    floor = float(power.max()) * 1e-6 + 1e-20
    first, last = max(float(power[:n].mean()), floor), max(float(power[-n:].mean()), floor)
    return abs(10 * np.log10(first) - 10 * np.log10(last))


def outcome(engine, text: str, **kwargs) -> tuple[str, dict | None]:
    """("served" | "confirm" | "refused", plan) for a prompt."""
    try:
        return "served", engine.check(SFXRequest(text, duration=SECONDS, seed=1, **kwargs)).plan
    except NeedsConfirmation as error:
        return "confirm", error.plan
    except InvalidInput:
        return "refused", None


def relevance(engine, prompts: list[dict]) -> tuple[dict, list[dict]]:
    rows = []
    for item in prompts:
        result, plan = outcome(engine, item["text"])
        main = plan["layers"][0]["category"] if plan and plan["layers"] else None
        rows.append({"label": item["category"], "single": bool(item.get("single", False)), "outcome": result,
                     "category": main, "confidence": plan.get("confidence") if plan else None, "text": item["text"]})
    covered = [r for r in rows if r["label"] != "uncovered"]
    uncovered = [r for r in rows if r["label"] == "uncovered"]
    correct = [r for r in covered if r["outcome"] == "served" and r["category"] == r["label"]]
    wrong = [r for r in rows if r["outcome"] == "served" and r["category"] != r["label"]]
    flagged = [r for r in uncovered if r["outcome"] != "served"]
    per_label: dict[str, Counter] = {}
    for r in covered:
        verdict = ("correct" if r["category"] == r["label"] else "wrong") if r["outcome"] == "served" else r["outcome"]
        per_label.setdefault(r["label"], Counter())[verdict] += 1
    confirm_right = [r for r in covered if r["outcome"] == "confirm" and r["category"] == r["label"]]
    return {
        "judge": {"prompts_file": "bench/data/sfx_prompts.toml",
                  "written": "before the catalogue was extended (commit 832efb0), by a separate author; labels are "
                             "the category a listener would accept, or 'uncovered'",
                  "prompts": len(rows), "covered": len(covered), "uncovered": len(uncovered)},
        "served_correct_rate": round(len(correct) / max(1, len(covered)), 3),
        "served_wrong_rate": round(len(wrong) / max(1, len(rows)), 3),
        "uncovered_refused_rate": round(len(flagged) / max(1, len(uncovered)), 3),
        "covered_needs_confirmation_rate": round(sum(r["outcome"] == "confirm" for r in covered) / max(1, len(covered)), 3),
        "covered_refused_rate": round(sum(r["outcome"] == "refused" for r in covered) / max(1, len(covered)), 3),
        "covered_confirmation_offers_right_category": len(confirm_right),
        "served_wrong": {"covered": sum(r["label"] != "uncovered" for r in wrong),
                         "uncovered": sum(r["label"] == "uncovered" for r in wrong)},
        "goals": {"served_wrong_rate": "<= 0.05", "uncovered_refused_rate": ">= 0.9"},
        "per_label": {label: dict(sorted(c.items())) for label, c in sorted(per_label.items())},
    }, rows


def filling(engine, rows: list[dict]) -> tuple[dict, dict, list]:
    """Silence in 5 s renders, and seam jumps in 5 s loops, of covered prompts not marked single."""
    fractions, seams, clips, skipped = [], [], [], 0
    for r in rows:
        if r["label"] == "uncovered" or r["single"] or r["outcome"] == "refused":
            skipped += r["label"] != "uncovered" and not r["single"]
            continue
        request = SFXRequest(r["text"], duration=SECONDS, seed=1, accept_closest=True)
        audio = render(engine, request)
        fractions.append(longest_silence_s(audio.samples, audio.sample_rate) / SECONDS)
        looped = render(engine, SFXRequest(r["text"], duration=SECONDS, seed=1, loop=True, accept_closest=True))
        seams.append(float(seam_jump_db(looped.samples, looped.sample_rate)))
        clips.extend([audio, looped])
    duration = {"requested_s": SECONDS, "rendered": len(fractions), "refused_not_rendered": skipped,
                "max_silence_fraction": round(max(fractions), 3) if fractions else None,
                "median_silence_fraction": round(statistics.median(fractions), 3) if fractions else None,
                "over_0_1": int(sum(f > 0.1 for f in fractions)), "goal": "max_silence_fraction <= 0.1"}
    loop = {"rendered": len(seams), "max_seam_jump_db": round(max(seams), 2) if seams else None,
            "median_seam_jump_db": round(statistics.median(seams), 2) if seams else None,
            "over_1_db": int(sum(s > 1.0 for s in seams)), "goal": "max_seam_jump_db <= 1"}
    return duration, loop, clips


def loudness(clips: list) -> dict:
    levels = [dsp.loudness(c.samples, c.sample_rate) for c in clips]
    within = [abs(level - mix.TARGET_LUFS) <= 1.0 for level in levels]
    peaks = [float(np.max(np.abs(c.samples))) for c in clips]
    return {"target_lufs": mix.TARGET_LUFS, "clips": len(clips), "within_1_lu": round(sum(within) / len(clips), 3),
            "lufs_min": round(min(levels), 2), "lufs_max": round(max(levels), 2),
            "max_peak_dbfs": round(20 * np.log10(max(peaks)), 2),
            "clipped_samples": int(sum(int(np.sum(np.abs(c.samples) >= 1.0)) for c in clips))}


def main() -> str:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    engine = registry.load("sfx_library")
    offline, clips = offline_timing(engine)
    tiny, tiny_clips = audioldm_tiny_timing()
    prompts = tomllib.loads(PROMPTS.read_text())["prompt"]
    judged, rows = relevance(engine, prompts)
    duration, loop, rendered = filling(engine, rows)
    data = {"offline_engine": offline, "audioldm_tiny": tiny, "relevance": judged, "duration": duration, "loop": loop,
            "loudness_offline": loudness(clips + rendered)}
    if tiny_clips:
        data["loudness_audioldm_tiny"] = loudness(tiny_clips)
    return str(write("sfx", data))


if __name__ == "__main__":
    print(main(), file=sys.stderr)
