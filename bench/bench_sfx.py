"""Sound-effects figures (issue 4). Writes bench/results/sfx.json.

- generation time per second of audio: the offline engine (plan + render, one variation) on
  ten prompts at 5 s and three at 30 s; the AudioLDM engine on a tiny random pipeline (the
  plumbing only: a real AudioLDM is far slower and needs weights that cannot be installed here);
- relevance on 30 fixed prompts, each with the category a person would expect: how often the
  top retrieved source has that category — straight from the catalogue search and through the
  whole plan (scene splitting, rooms) — against picking a catalogue entry at random;
- loudness of every clip made above: share within ±1 LU of the target, and clipped samples.
"""
from __future__ import annotations

import logging
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

from bench.common import Timer, write
from audiokit import dsp
from engines import registry
from engines.contract import render
from engines.sfx.common import SFXRequest
from engines.sfx.lib import mix

log = logging.getLogger("bench.sfx")

TIMING_PROMPTS = [
    "heavy rain on a tin roof with distant thunder", "retro laser shot", "a dog barks twice in a large hall",
    "crackling campfire with gentle wind", "car engine idling in a tunnel", "footsteps on gravel",
    "ocean waves", "police siren far away", "coin pickup", "a cat meows, then a horse neighs",
]
LONG_PROMPTS = ["heavy rain on a tin roof with distant thunder", "crackling fire in a small room", "wind and ocean waves"]

# (prompt, the category a person would expect), worded unlike the catalogue's own texts where possible.
RELEVANCE = [
    ("rain pattering on a metal roof", "rain"), ("a light drizzle outside the window", "rain"),
    ("gusts on a mountain top", "wind"), ("logs crackling in the fireplace", "fire"),
    ("thunder rolling across the valley", "thunder"), ("a truck engine idling at a stoplight", "engine"),
    ("something flying past very fast", "whoosh"), ("someone walking down a hallway", "footsteps"),
    ("boots crunching through snow", "footsteps"), ("the microwave has finished", "beep"),
    ("a wailing ambulance", "siren"), ("the alarm clock goes off in the morning", "alarm"),
    ("a bomb detonates", "explosion"), ("waves crashing on the shore", "waves"),
    ("a grandfather clock", "clock"), ("a puppy yapping at the mailman", "dog"),
    ("a kitten asking for food", "cat"), ("cattle in a pasture", "cow"), ("a stallion in the stable", "horse"),
    ("a night bird calling in the woods", "owl"), ("the farm wakes up at dawn", "rooster"),
    ("a hog snorting in the mud", "pig"), ("ducks on the lake", "duck"), ("a swamp at night", "frog"),
    ("a lamb calling for its mother", "sheep"), ("the spaceship fires its blaster", "laser"),
    ("the player grabs a gold coin in a platformer", "coin"), ("the hero leaps onto a platform", "jump"),
    ("wrong answer on a quiz show", "error"), ("the player runs out of lives", "gameover"),
]


def offline_timing(engine) -> tuple[dict, list]:
    clips, rows = [], []
    for prompt, seconds in [(p, 5.0) for p in TIMING_PROMPTS] + [(p, 30.0) for p in LONG_PROMPTS]:
        request = SFXRequest(prompt, duration=seconds, seed=1)
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


def relevance(engine) -> dict:
    catalog = engine.catalog
    counts = catalog.categories()
    n = len(catalog.entries)
    searched = catalog.search([p for p, _ in RELEVANCE], k=3)
    rows, top1, top3, planned = [], 0, 0, 0
    for (prompt, category), found in zip(RELEVANCE, searched):
        plan = engine.check(SFXRequest(prompt, seed=1)).plan
        plan_category = plan["layers"][0]["category"] if plan["layers"] else None
        hit = found[0].entry.category == category
        top1 += hit
        top3 += any(m.entry.category == category for m in found)
        planned += plan_category == category
        rows.append({"prompt": prompt, "expected": category, "top": found[0].entry.id, "score": round(found[0].score, 3),
                     "hit": hit, "plan_top": plan["layers"][0]["entry"] if plan["layers"] else None})
    random_pick = statistics.mean(counts.get(c, 0) / n for _, c in RELEVANCE)
    return {"prompts": len(RELEVANCE), "top1_category_match": round(top1 / len(RELEVANCE), 3),
            "top3_category_match": round(top3 / len(RELEVANCE), 3),
            "plan_first_layer_match": round(planned / len(RELEVANCE), 3),
            "random_pick_expected_match": round(random_pick, 3), "catalogue_entries": n, "rows": rows}


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
    data = {"offline_engine": offline, "audioldm_tiny": tiny, "relevance": relevance(engine),
            "loudness_offline": loudness(clips)}
    if tiny_clips:
        data["loudness_audioldm_tiny"] = loudness(tiny_clips)
    return str(write("sfx", data))


if __name__ == "__main__":
    print(main(), file=sys.stderr)
