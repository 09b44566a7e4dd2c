"""Voice-changer figures (issue 3). Writes bench/results/vc.json.

Source: one real human speaker (Debian asterisk-core-sounds-en-wav, 8 kHz, CC-BY-SA-3.0),
converted to four stock voices, two female and two male (the source speaker is female, so
the male ones are the cross-gender targets). For each mode:

- speaker similarity to the target before and after (resemblyzer GE2E cosine; the target's
  embedding comes from a different Kokoro utterance than the reference clip the converter sees);
- word error rate of the result against the source's own transcript (both by Whisper tiny.en);
- real-time factor: conversion seconds / source seconds (target reference already cached).

Needs the bench extras: `pip install -r requirements-bench.txt` (torch CPU wheel, resemblyzer).
"""
from __future__ import annotations

import logging
import os
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

from bench.common import Timer, write
from audiokit import Audio, codec
from audiokit.decode import decode
from engines import whisper
from engines.contract import render
from engines.tts.common import TTSRequest
from engines.vc.common import VCRequest
from studio.config import Settings
from studio.core import Studio

log = logging.getLogger("bench.vc")
SOUNDS = Path("/usr/share/asterisk/sounds/en")
SOURCES = ["demo-abouttotry", "conf-usermenu"]  # ~29 s of one speaker
TARGETS = {"af_heart": "female", "bf_emma": "female", "am_michael": "male", "bm_george": "male"}
SOURCE_GENDER = "female"
# Harvard sentences not in the converter's reference text: what the target "sounds like" to the judge.
EMBED_TEXT = ("A large size in stockings is hard to sell. The boy was there when the sun rose. "
              "A rod is used to catch pink salmon. The source of the huge river is the clear spring. "
              "Kick the ball straight and follow through. Help the woman get back to her feet.")
GOALS = {"world": {"wer_max": 0.15, "cross_gender_gain_min": 0.10, "rtf_max": 0.5},
         "revoice": {"wer_max": 0.10, "similarity_min": 0.75, "rtf_max": 0.5}}


def _encoder():
    try:
        from resemblyzer import VoiceEncoder, preprocess_wav
    except ImportError as error:
        raise RuntimeError("resemblyzer is missing: `.venv/bin/pip install -r requirements-bench.txt`") from error
    encoder = VoiceEncoder("cpu", verbose=False)

    def embed(audio: Audio) -> np.ndarray:
        return encoder.embed_utterance(preprocess_wav(audio.samples, source_sr=audio.sample_rate))

    return embed


def _wer(reference: str, hypothesis: str) -> float:
    import re

    import jiwer

    norm = lambda t: " ".join(re.sub(r"[^a-z0-9' ]", " ", t.lower()).split())  # noqa: E731
    return float(jiwer.wer(norm(reference), norm(hypothesis) or "-"))


def main() -> Path:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    warnings.simplefilter("ignore")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    load_before = os.getloadavg()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-vc-"))
    studio = Studio(Settings(data_dir=data_dir))
    embed, transcribe = _encoder(), whisper.transcribe
    kokoro = studio.engine("kokoro")
    engines = {}
    for mode in ("world", "revoice"):
        with Timer() as t:
            engines[mode] = studio.engine(studio.vc_modes()[mode].engine)
        engines[mode + "_load_seconds"] = t.seconds

    sources = [decode((SOUNDS / f"{name}.wav").read_bytes(), f"{name}.wav", 24_000).audio for name in SOURCES]
    source_text = [transcribe(a) for a in sources]
    source_emb = [embed(a) for a in sources]
    log.info("sources: %s", source_text)

    targets, kokoro_rtf = {}, []
    for voice in TARGETS:
        reference = codec.read_wav(studio.stock_reference_wav(voice))  # what the converters see (rendered once, cached)
        with Timer() as t:
            judge = render(kokoro, TTSRequest(EMBED_TEXT, voice))
        kokoro_rtf.append(t.seconds / judge.duration)  # re-voice cannot be faster than Kokoro itself
        targets[voice] = (studio.vc_target("bench", f"kokoro:{voice}"), embed(judge), reference.duration)
        engines["world"].profile(reference, f"kokoro:{voice}")  # cache the profile, as a running studio has

    results: dict = {}
    for mode in ("world", "revoice"):
        engine = engines[mode]
        per_target = {}
        for voice, (target, target_emb, _) in targets.items():
            rows = []
            for audio, text, emb in zip(sources, source_text, source_emb):
                with Timer() as t:
                    out = render(engine, VCRequest(audio, target))
                rows.append({
                    "similarity_before": float(emb @ target_emb),
                    "similarity_after": float(embed(out) @ target_emb),
                    "wer": _wer(text, transcribe(out)),
                    "rtf": t.seconds / audio.duration,
                    "length_ratio": out.duration / audio.duration,
                })
            per_target[voice] = {k: round(float(np.mean([r[k] for r in rows])), 4) for k in rows[0]}
            per_target[voice]["gender"] = TARGETS[voice]
            per_target[voice]["cross_gender"] = TARGETS[voice] != SOURCE_GENDER
            log.info("%s → %s: %s", mode, voice, per_target[voice])
        keys = ("similarity_before", "similarity_after", "wer", "rtf", "length_ratio")
        cross = [v for v in per_target.values() if v["cross_gender"]]
        results[mode] = {
            "engine": studio.vc_modes()[mode].engine,
            "load_seconds": round(engines[mode + "_load_seconds"], 2),
            "per_target": per_target,
            "mean": {k: round(float(np.mean([v[k] for v in per_target.values()])), 4) for k in keys},
            "cross_gender_similarity_gain": round(float(np.mean([v["similarity_after"] - v["similarity_before"] for v in cross])), 4),
            "goals": GOALS[mode],
        }
    seed_vc = next(i for i in studio.engines("vc") if i.id == "seed_vc")
    path = write("vc", {
        "source": {"speaker": "Debian asterisk-core-sounds-en-wav (one female speaker, 8 kHz, CC-BY-SA-3.0)",
                   "clips": SOURCES, "seconds": [round(a.duration, 2) for a in sources], "transcripts": source_text},
        "targets": {v: {"gender": g, "reference_seconds": round(targets[v][2], 2)} for v, g in TARGETS.items()},
        "judge": "resemblyzer 0.1.4 GE2E cosine to a different Kokoro utterance of the target; WER by Whisper tiny.en (beam 5)",
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "kokoro_rtf_same_run": round(float(np.mean(kokoro_rtf)), 3),
        "modes": results,
        "seed_vc": {"available": seed_vc.available, "reason": seed_vc.reason},
    })
    studio.shutdown()
    log.info("wrote %s", path)
    return path


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
