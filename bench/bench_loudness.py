"""One loudness whatever the voice, no true peak over −1 dBTP, and high-frequency noise per voice
(issue: renders normalised to −16 LUFS, true peak ≤ −1 dBFS; crackle). Writes bench/results/loudness.json.

    .venv/bin/python -m bench.bench_loudness            # every Kokoro voice and Piper
    .venv/bin/python -m bench.bench_loudness --quick    # a smoke test: 3 voices, 2 sentences
    .venv/bin/python -m bench.bench_loudness --noise    # the noise figures that choose the softened
                                                        # voices (engines.tts.kokoro.HF_PEAK_DB)

Texts: Harvard sentences, lists 4–6 (IEEE Recommended Practice for Speech Quality Measurements,
1969; public domain). Not the held-out ``bench/data/tts_sentences.toml``, and not lists 1–3, on
which the take levelling and the filter were developed. Each Kokoro voice speaks
:data:`PER_VOICE` of them in rotation, each as its own take, and one take of three sentences
(several chunks, pauses between); Piper speaks them all. A take is rendered as the studio renders
it (``engine.run`` through ``engines.contract.render``).

Judge, independent of what it grades: loudness by pyloudnorm's ITU-R BS.1770-4 meter called here
(not ``audiokit.dsp.loudness``); true peak by 4× oversampling with scipy's polyphase FIR
(``resample_poly``), not the soxr interpolator the studio's limiter looks through; the
high-frequency noise figure (:func:`hf_noise_db`) is defined here only; Whisper tiny.en
(``engines.whisper``, scored as in ``bench.bench_tts_quality``) checks that the filtered voices are
heard the same as before the filter.

Keys: ``loudness.spread_lu`` (max − min over voices of the integrated loudness of each voice's
takes joined, as ``bench_tts_quality`` measures it), ``loudness.max_take_error_lu`` (the take
furthest from −16 LUFS), ``loudness.max_true_peak_dbfs``, ``loudness.clipped_samples`` (samples at
full scale), ``noise.filtered_voices`` (the voices the engine softens above 9 kHz) with each
voice's figure unfiltered and filtered, ``silence.*`` (edges of the takes: trailing and leading
silence, takes that stop on a sound).
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import numpy as np

from audiokit import Audio, dsp
from bench.bench_tts_quality import Judge, edge_silence, wer
from bench.common import write
from engines import contract
from engines.tts.common import TARGET_LUFS, TTSRequest
from engines.tts.kokoro import CRACKLE_DB, SOFTEN_CUTOFF, SOFTENED
from engines.tts.text import split_chunks

log = logging.getLogger("bench.loudness")

# Harvard sentences, lists 4, 5 and 6.
SENTENCES = [
    "The wide road shimmered in the hot sun.", "The lazy cow lay in the cool grass.",
    "Lift the square stone over the fence.", "The rope will bind the seven books at once.",
    "Hop over the fence and plunge in.", "The friendly gang left the drug store.",
    "Mesh wire keeps chicks inside.", "The frosty air passed through the coat.",
    "The crooked maze failed to fool the mouse.", "Adding fast leads to wrong sums.",
    "The show was a flop from the very start.", "A saw is a tool used for making boards.",
    "The wagon moved on well oiled wheels.", "March the soldiers past the next hill.",
    "A cup of sugar makes sweet fudge.", "Place a rosebush near the porch steps.",
    "Both lost their lives in the raging storm.", "We talked of the side show in the circus.",
    "Use a pencil to write the first draft.", "He ran half way to the hardware store.",
    "The clock struck to mark the third period.", "A small creek cut across the field.",
    "Cars and busses stalled in snow drifts.", "The set of china hit the floor with a crash.",
    "This is a grand season for hikes on the road.", "The dune rose from the edge of the water.",
    "Those words were the cue for the actor to leave.", "A yacht slid around the point into the bay.",
    "The two met while playing on the sand.", "The ink stain dried on the finished page.",
]
# Harvard sentences, lists 1, 2 and 3: what the noise figures that choose the softened voices
# (engines.tts.kokoro.HF_PEAK_DB) are measured on (--noise), apart from the sentences above.
DEV_SENTENCES = [
    "The birch canoe slid on the smooth planks.", "Glue the sheet to the dark blue background.",
    "It's easy to tell the depth of a well.", "These days a chicken leg is a rare dish.",
    "Rice is often served in round bowls.", "The juice of lemons makes fine punch.",
    "The box was thrown beside the parked truck.", "The hogs were fed chopped corn and garbage.",
    "Four hours of steady work faced us.", "A large size in stockings is hard to sell.",
    "The boy was there when the sun rose.", "A rod is used to catch pink salmon.",
    "The source of the huge river is the clear spring.", "Kick the ball straight and follow through.",
    "Help the woman get back to her feet.", "A pot of tea helps to pass the evening.",
    "Smoky fires lack flame and heat.", "The soft cushion broke the man's fall.",
    "The salt breeze came across from the sea.", "The girl at the booth sold fifty bonds.",
    "The small pup gnawed a hole in the sock.", "The fish twisted and turned on the bent hook.",
    "Press the pants and sew a button on the vest.", "The swan dive was far short of perfect.",
    "The beauty of the view stunned the young boy.", "Two blue fish swam in the tank.",
    "Her purse was full of useless trash.", "The colt reared and threw the tall rider.",
    "It snowed, rained, and hailed the same morning.", "Read verse out loud for pleasure.",
]
PER_VOICE = 6
QUICK_VOICES = ["af_heart", "bf_isabella", "bm_fable"]
HF_LOW, SPEECH_BAND = 8000.0, (1000.0, 4000.0)
JUDGE = ("Loudness: pyloudnorm Meter (ITU-R BS.1770-4) called by the bench. True peak: 4x oversampling "
         "by scipy.signal.resample_poly (Kaiser FIR), not the soxr interpolator of the studio's limiter. "
         "High-frequency noise: hf_noise_db of this module. Intelligibility: Whisper tiny.en, "
         "whisper-normalizer EnglishTextNormalizer, jiwer WER.")


# -- the judge's measurements ---------------------------------------------------------------------------

def lufs(x: np.ndarray, rate: int) -> float:
    import pyloudnorm

    return float(pyloudnorm.Meter(rate).integrated_loudness(np.asarray(x, np.float64)))


def true_peak_db(x: np.ndarray, rate: int) -> float:
    from scipy import signal

    over = signal.resample_poly(np.asarray(x, np.float64), 4, 1)
    return float(20 * np.log10(max(np.max(np.abs(over)), 1e-12)))


def _speech_rms(x: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """(20 ms frames of ``x`` with half overlap, which of them are speech: within 40 dB of the loudest)."""
    n = int(0.02 * rate)
    frames = np.lib.stride_tricks.sliding_window_view(np.asarray(x, np.float64), n)[:: n // 2]
    energy = np.mean(frames ** 2, axis=1)
    return frames, energy > energy.max() * 1e-4


def hf_energy_db(x: np.ndarray, rate: int) -> float:
    """Energy above 8 kHz against the 1–4 kHz band (dB), summed over the speech: hiss and
    sibilance together (a bright voice's sibilants count here as much as noise)."""
    frames, speech = _speech_rms(x, rate)
    spectra = np.abs(np.fft.rfft(frames[speech] * np.hanning(frames.shape[1]), axis=1)) ** 2
    freqs = np.fft.rfftfreq(frames.shape[1], 1 / rate)
    high = spectra[:, freqs >= HF_LOW].sum()
    band = spectra[:, (freqs >= SPEECH_BAND[0]) & (freqs < SPEECH_BAND[1])].sum()
    return float(10 * np.log10(high / band + 1e-20))


def hf_peak_db(x: np.ndarray, rate: int) -> float:
    """Crackle: the 99.99th percentile of the magnitude of ``x`` above 8 kHz (8th-order
    Butterworth high-pass, zero phase) against the RMS of its speech (dB). Clicks are short and
    loud in that band; sibilants, however bright, are not."""
    from scipy import signal

    frames, speech = _speech_rms(x, rate)
    rms = np.sqrt(np.mean(frames[speech] ** 2))
    high = signal.sosfiltfilt(signal.butter(8, HF_LOW, "high", fs=rate, output="sos"), np.asarray(x, np.float64))
    return float(20 * np.log10(np.percentile(np.abs(high), 99.99) / rms))


def noise(x: np.ndarray, rate: int) -> dict:
    return {"hf_peak_db": round(hf_peak_db(x, rate), 1), "hf_energy_db": round(hf_energy_db(x, rate), 1)}


def stops_on_a_sound(x: np.ndarray, rate: int) -> bool:
    """The last 30 ms louder than −45 dBFS: the take was cut inside speech."""
    tail = x[-int(0.03 * rate):].astype(np.float64)
    return bool(20 * np.log10(np.sqrt(np.mean(tail ** 2)) + 1e-12) > -45)


# -- the run ---------------------------------------------------------------------------------------------

def picks(i: int, per_voice: int, n: int = len(SENTENCES), seed: int = 0) -> list[int]:
    """Which of ``n`` sentences voice number ``i`` speaks: ``per_voice`` of them, drawn for it."""
    return sorted(int(j) for j in np.random.default_rng(seed + i).choice(n, min(per_voice, n), replace=False))


def measure_voice(engine, voice: str, texts: list[str], unfiltered_engine=None) -> dict:
    """Takes of ``texts`` (each its own take, and the first three as one take of several chunks)
    by ``voice``; for a softened voice, ``unfiltered_engine`` renders the same takes without the
    filter, for the noise figure and Whisper's transcripts before it."""
    rate = engine.sample_rate
    rows, takes = [], []
    for text in texts + ([" ".join(texts[:3])] if len(texts) >= 3 else []):
        t0 = time.perf_counter()
        x = contract.render(engine, TTSRequest(text, voice)).samples
        lead, trail = edge_silence(x, rate)
        rows.append({"text": text, "seconds": round(len(x) / rate, 2),
                     "render_seconds": round(time.perf_counter() - t0, 1),
                     "lufs": round(lufs(x, rate), 2), "true_peak_db": round(true_peak_db(x, rate), 2),
                     "clipped": int(np.sum(np.abs(x) >= 1.0)), "leading_s": round(lead, 3),
                     "trailing_s": round(trail, 3), "stops_on_a_sound": stops_on_a_sound(x, rate)})
        if text in texts:
            takes.append(x)
    joined = np.concatenate(takes)
    raws = [contract.render(unfiltered_engine, TTSRequest(t, voice)).samples
            for t in texts] if unfiltered_engine else []
    unfiltered = np.concatenate(raws) if raws else joined
    out = {
        "lufs": round(lufs(joined, rate), 2),
        "max_take_error_lu": round(max(abs(r["lufs"] - TARGET_LUFS) for r in rows), 2),
        "max_true_peak_db": max(r["true_peak_db"] for r in rows),
        "clipped_samples": sum(r["clipped"] for r in rows),
        "noise": {"as_rendered": noise(joined, rate), "unfiltered": noise(unfiltered, rate),
                  "if_filtered": noise(dsp.soften_highs(unfiltered, rate, SOFTEN_CUTOFF), rate)},
        "takes": rows,
    }
    if raws:
        out["whisper"] = {"texts": texts, "filtered": [Audio(t, rate) for t in takes],
                          "unfiltered": [Audio(r, rate) for r in raws]}
    print(f"{engine.id}/{voice}: {out['lufs']:.2f} LUFS (takes within ±{out['max_take_error_lu']} LU), "
          f"true peak {out['max_true_peak_db']:.2f} dB, crackle {out['noise']['as_rendered']['hf_peak_db']:.1f} dB",
          file=sys.stderr, flush=True)
    return out


def main(quick: bool = False, per_voice: int = PER_VOICE) -> Path:
    logging.basicConfig(level=logging.WARNING)
    from engines.tts.kokoro import KokoroEngine
    from engines.tts.piper import PiperEngine

    started = time.perf_counter()
    kokoro = KokoroEngine().load()
    voices = QUICK_VOICES if quick else [v.id for v in kokoro.voices()]
    per_voice = 2 if quick else per_voice
    filtered = sorted(SOFTENED)
    results: dict[str, dict] = {}
    unfiltered = KokoroEngine(softened=frozenset()).load() if filtered else None  # the engine without its filter
    for i, voice in enumerate(voices):
        texts = [SENTENCES[j] for j in picks(i, per_voice)]
        results[f"kokoro/{voice}"] = measure_voice(kokoro, voice, texts, unfiltered if voice in filtered else None)
    piper = PiperEngine().load()
    results["piper/joe"] = measure_voice(piper, "joe", SENTENCES[:2] if quick else SENTENCES)

    judge = Judge()
    heard = {}
    for name, r in results.items():
        w = r.pop("whisper", None)
        if not w:
            continue
        refs = [judge.words(t) for t in w["texts"]]
        before = [judge.words(judge.hear(a)) for a in w["unfiltered"]]
        after = [judge.words(judge.hear(a)) for a in w["filtered"]]
        heard[name] = {"wer_unfiltered": round(wer(refs, before), 4), "wer_filtered": round(wer(refs, after), 4),
                       "same_transcripts": sum(a == b for a, b in zip(before, after)), "takes": len(refs),
                       "differences": [{"unfiltered": b, "filtered": a} for a, b in zip(after, before) if a != b]}

    joined = [r["lufs"] for r in results.values()]
    takes = [t for r in results.values() for t in r["takes"]]
    out = {
        "judge": JUDGE,
        "mode": "quick" if quick else "full",
        "texts": "Harvard sentences, lists 4-6 (public domain); not the held-out bench/data/tts_sentences.toml",
        "sentences_per_kokoro_voice": per_voice,
        "note": "measured on a 2-core machine shared with other agents' work",
        "loudness": {"target_lufs": TARGET_LUFS, "spread_lu": round(max(joined) - min(joined), 2),
                     "min_lufs": min(joined), "max_lufs": max(joined),
                     "max_take_error_lu": max(r["max_take_error_lu"] for r in results.values()),
                     "max_true_peak_dbfs": max(r["max_true_peak_db"] for r in results.values()),
                     "clipped_samples": sum(r["clipped_samples"] for r in results.values()),
                     "voice_lufs": {v: r["lufs"] for v, r in results.items()}},
        "noise": {"filtered_voices": filtered, "whisper_on_filtered_voices": heard,
                  "crackle_db": CRACKLE_DB, "voices": {v: r.pop("noise") for v, r in results.items()}},
        "silence": {"max_trailing_seconds": max(t["trailing_s"] for t in takes),
                    "max_leading_seconds": max(t["leading_s"] for t in takes),
                    "takes_stopping_on_a_sound": sum(t["stops_on_a_sound"] for t in takes)},
        "targets": {"loudness.spread_lu": 1.0, "loudness.max_take_error_lu": 0.5, "loudness.max_true_peak_dbfs": -1.0,
                    "loudness.clipped_samples": 0, "silence.max_trailing_seconds": 0.2,
                    "silence.takes_stopping_on_a_sound": 0},
        "voices": results,
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    print(f"spread {out['loudness']['spread_lu']} LU, worst take {out['loudness']['max_take_error_lu']} LU off, "
          f"true peak {out['loudness']['max_true_peak_dbfs']} dB, filtered {filtered}", file=sys.stderr)
    return write("loudness_quick" if quick else "loudness", out)


def measure_noise(per_voice: int = PER_VOICE) -> Path:
    """The noise figures of every Kokoro voice's own output (no filter, no gain) on the development
    sentences: printed as engines.tts.kokoro.HF_PEAK_DB, and written to bench/results/hf_noise.json."""
    from engines.tts.kokoro import VOICES, KokoroEngine

    logging.basicConfig(level=logging.WARNING)
    kokoro = KokoroEngine().load()
    figures = {}
    for i, voice in enumerate(VOICES):
        texts = [DEV_SENTENCES[j] for j in picks(i, per_voice, len(DEV_SENTENCES), seed=1000)]
        x = np.concatenate([kokoro.render_style(c.render_text, voice, 1.0, british=voice.startswith("b"))
                            for t in texts for c in split_chunks(t)])
        softened = dsp.soften_highs(x, kokoro.sample_rate, SOFTEN_CUTOFF)
        figures[voice] = {**noise(x, kokoro.sample_rate), "if_filtered": noise(softened, kokoro.sample_rate)}
        print(f"{voice}: {figures[voice]}", file=sys.stderr, flush=True)
    print("HF_PEAK_DB = " + repr({v: f["hf_peak_db"] for v, f in figures.items()}))
    return write("hf_noise", {"judge": JUDGE, "texts": "Harvard sentences, lists 1-3 (development)",
                              "sentences_per_voice": per_voice, "crackle_db": CRACKLE_DB, "voices": figures})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 voices, 2 sentences: a smoke test")
    parser.add_argument("--per-voice", type=int, default=PER_VOICE, help="sentences per Kokoro voice")
    parser.add_argument("--noise", action="store_true",
                        help="only the noise figures of the voices' own output, on the development sentences")
    args = parser.parse_args()
    print(measure_noise(args.per_voice) if args.noise else main(quick=args.quick, per_voice=args.per_voice))
