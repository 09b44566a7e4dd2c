"""Text-to-speech quality (issue: speech that reads real text right). Writes bench/results/tts_quality.json.

    .venv/bin/python -m bench.bench_tts_quality            # the full run (every voice)
    .venv/bin/python -m bench.bench_tts_quality --quick    # a smoke test: 2 voices, 4 sentences
    .venv/bin/python -m bench.bench_tts_quality --compare-g2p   # misaki vs espeak on our own
                                                                # development sentences → tts_g2p.json

The held-out sentences of ``bench/data/tts_sentences.toml`` (written before the normaliser; only
this benchmark reads them) are rendered by every Kokoro voice and by Piper, as the studio renders
a take, and transcribed by the judge: Whisper tiny.en (``engines.whisper``), scored with jiwer
after whisper-normalizer's ``EnglishTextNormalizer`` on both sides. The reference is each
sentence's ``spoken`` field. The judge is independent of what it grades: the studio's own
normaliser never touches the references or the transcripts.

Whisper writes what it hears in either form ("555-0134", "www.example.org", "September 9"), and
whisper-normalizer does not always bring the two together ("five five five, zero one three four"
becomes "5550134", "555-0134" becomes "555 134"; "dot" stays a word). So each figure is also given
``_either_form``: a take scored against whichever of its sentence's two hand-written forms, as
written (``text``) or as spoken (``spoken``), it matches better (multiple references, as NIST's
sclite allows alternatives). The plain keys, against ``spoken`` alone, are the issue's figures.

On two shared cores every voice cannot speak every sentence in a reasonable time, so each Kokoro
voice speaks ``--per-voice`` sentences (default 8: with 4, one misheard sentence moved a voice's
WER by up to 0.25, and the worst voice was mostly which voice drew it), taken in rotation so that
every sentence is spoken by several voices and each voice gets sentences of every genre;
``--per-voice 0`` renders them all. Piper speaks every sentence. About 27 minutes here.

Keys: ``kokoro.pooled_wer``, ``kokoro.worst_voice_wer``, ``piper.pooled_wer``,
``loudness.spread_lu`` (max − min integrated loudness over voices), ``loudness.clipped_samples``
(samples at full scale), ``silence.max_trailing_seconds``, ``silence.cut_endings`` (a take louder than −45 dBFS in its last 30 ms, or, against Kokoro's own
trimmed output of its last chunk (checked for the four F0 voices, to save renders), with less
decay kept from the last sample within 45 dB of the peak to the last within 60 dB, by more than
20 ms, up to the 0.18 s the studio keeps: a quieter tail is breath or noise and is cut so no take
trails more than 0.2 s; until 2026-11-30 the decay ran to the end of Kokoro's output, silence
more than 60 dB down included, which flagged takes that lost nothing but that silence;
``silence.shorter_than_own_output`` counts, by the issue's plain definition, takes whose tail after
the last frame within 40 dB of the loudest is more than 20 ms shorter than Kokoro's own),
``chunks.bad_splits``
(a split inside a sentence neither at clause punctuation nor before a conjunction, relative pronoun
or preposition, or spoken with a final fall: F0 (pyworld) over the last voiced 200 ms before the
split falls, and by more than 2.5 semitones beyond the same words in the sentence rendered whole,
located by Whisper's word times; :func:`bad_split`),
``first_audio.median_seconds`` (2,000 characters through a real Studio, median of 3;
``first_audio.live_stall_seconds``: the silences a live player would then fall into while the
rest renders).
"""
from __future__ import annotations

import argparse
import logging
import re
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import numpy as np

from audiokit import Audio, dsp
from bench.common import text_of, write
from engines import contract, whisper
from engines.tts.common import QUIET_KEEP, TTSRequest
from engines.tts.text import sentence_groups, spoken_form, split_chunks

log = logging.getLogger("bench.tts_quality")
DATA = Path(__file__).resolve().parent / "data" / "tts_sentences.toml"
JUDGE = ("Whisper tiny.en (faster-whisper, int8, beam 5, engines.whisper) transcribes; "
         "whisper-normalizer EnglishTextNormalizer on reference and transcript; jiwer WER. "
         "Reference: each sentence's `spoken` field; *_either_form: whichever of `text` and `spoken` "
         "the transcript matches better.")
QUICK_VOICES = ["af_heart", "bf_isabella"]
F0_VOICES = ["af_heart", "am_michael", "bf_emma", "bm_george"]
# The judge's own idea of a phrase boundary (independent of engines/tts/text.py's lists).
JUDGE_PHRASE_WORDS = {
    "and", "but", "or", "nor", "yet", "so", "because", "although", "though", "while", "whereas", "unless",
    "since", "if", "once", "whether", "until", "after", "before", "when", "where", "who", "whom", "whose",
    "which", "that", "as", "in", "on", "at", "by", "for", "with", "from", "into", "onto", "about", "above",
    "across", "against", "along", "among", "around", "behind", "below", "beneath", "beside", "besides",
    "between", "beyond", "during", "except", "inside", "near", "over", "through", "throughout", "toward",
    "towards", "under", "underneath", "upon", "within", "without", "via", "despite", "of", "to", "than",
    "like", "then",
}
FALL_SEMITONES = 2.5  # a split spoken this much more falling than the same words unsplit is a final fall


def load_sentences() -> list[dict]:
    with DATA.open("rb") as f:
        return tomllib.load(f)["sentence"]


# -- the judge --------------------------------------------------------------------------------------

class Judge:
    def __init__(self) -> None:
        from whisper_normalizer.english import EnglishTextNormalizer

        self.normalize = EnglishTextNormalizer()
        self.model = whisper.model(threads=2)

    def hear(self, audio: Audio) -> str:
        return whisper.transcribe(audio, whisper=self.model, beam_size=5, condition_on_previous_text=False)

    def words(self, text: str) -> str:
        return " ".join(self.normalize(text).split())

    def word_times(self, audio: Audio) -> list[tuple[str, float, float]]:
        """Each word Whisper hears, with its start and end (seconds)."""
        x = dsp.resample(audio.samples, audio.sample_rate, whisper.SAMPLE_RATE)
        segments, _ = self.model.transcribe(np.asarray(x, np.float32), language="en", beam_size=5,
                                            word_timestamps=True, condition_on_previous_text=False)
        return [(w.word, w.start, w.end) for s in segments for w in (s.words or [])]


def wer(refs: list[str], hyps: list[str]) -> float:
    import jiwer

    pairs = [(r, h) for r, h in zip(refs, hyps) if r]
    if not pairs:
        return float("nan")
    return float(jiwer.wer([r for r, _ in pairs], [h or "<silence>" for _, h in pairs]))


# -- measurements on a take -----------------------------------------------------------------------------

def frame_db(x: np.ndarray, rate: int, frame: float = 0.01) -> np.ndarray:
    n = max(1, int(frame * rate))
    usable = len(x) // n * n
    rms = np.sqrt(np.mean(x[:usable].reshape(-1, n).astype(np.float64) ** 2, axis=1) + 1e-20)
    return 20 * np.log10(rms)


def tail_after_audible(x: np.ndarray, rate: int, below_max_db: float = 40.0) -> float:
    """Seconds from the end of the last 10 ms frame within ``below_max_db`` of the loudest frame
    to the end of ``x``."""
    db = frame_db(x, rate)
    loud = np.flatnonzero(db > db.max() - below_max_db)
    return (len(x) - (loud[-1] + 1) * int(0.01 * rate)) / rate if len(loud) else len(x) / rate


def decay_after(x: np.ndarray, threshold: float, floor: float = 0.0) -> int:
    """Samples from the last one above ``threshold`` to the last one above ``floor`` (0: to the
    end of ``x``): the decay of the last word."""
    loud = np.flatnonzero(np.abs(x) > threshold)
    if not len(loud):
        return len(x)
    above = np.flatnonzero(np.abs(x) > floor) if floor > 0 else [len(x) - 1]
    return int(above[-1] - loud[-1])


def edge_silence(x: np.ndarray, rate: int) -> tuple[float, float]:
    """(leading, trailing) seconds more than 50 dB under the loudest 10 ms frame."""
    db = frame_db(x, rate)
    loud = np.flatnonzero(db > db.max() - 50)
    if not len(loud):
        return len(x) / rate, len(x) / rate
    step = int(0.01 * rate)
    return loud[0] * step / rate, (len(x) - (loud[-1] + 1) * step) / rate


def true_peak_db(x: np.ndarray, rate: int) -> float:
    over = dsp.resample(x, rate, rate * 4)
    return float(20 * np.log10(max(np.max(np.abs(over)), 1e-12)))


def crackle(x: np.ndarray, rate: int) -> tuple[float, float]:
    """(high-frequency level, clickiness) of a voice's speech: energy above 7 kHz against the whole
    (dB), and the 99th percentile crest factor (dB) of that band in 5 ms frames: clicks and crackle
    are short peaks over a quiet band."""
    spectrum = np.fft.rfft(x.astype(np.float64))
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    high = np.fft.irfft(np.where(freqs >= 7000, spectrum, 0), len(x))
    level = 10 * np.log10(np.sum(high ** 2) / (np.sum(x.astype(np.float64) ** 2) + 1e-20) + 1e-20)
    n = int(0.005 * rate)
    frames = high[: len(high) // n * n].reshape(-1, n)
    rms = np.sqrt(np.mean(frames ** 2, axis=1)) + 1e-12
    crest = 20 * np.log10(np.max(np.abs(frames), axis=1) / rms)
    keep = rms > rms.max() * 10 ** (-40 / 20)
    return float(level), float(np.percentile(crest[keep], 99)) if keep.any() else 0.0


PITCH_FRAME = 0.005  # seconds per frame of the split judge's pitch track


def pitch_track(x: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """(F0 in Hz, 0 where unvoiced; frame times) of ``x`` every :data:`PITCH_FRAME` s, by pyworld's
    DIO + StoneMask: the split judge's pitch."""
    import pyworld

    d = np.asarray(x, np.float64)
    f0, t = pyworld.dio(d, rate, frame_period=PITCH_FRAME * 1000)
    return pyworld.stonemask(d, f0, t, rate), t


def last_voiced_fall(x: np.ndarray, rate: int, until: float | None = None, window: float = 0.2) -> float | None:
    """Semitones the pitch falls over the last ``window`` s of voiced speech before ``until``
    (a line fitted to log F0 of :func:`pitch_track`); None without enough voicing."""
    if until is not None:
        x = x[: int(until * rate)]
    if len(x) < int(0.1 * rate):
        return None
    f0, t = pitch_track(x, rate)
    voiced = np.flatnonzero(f0 > 0)
    frames = int(window / PITCH_FRAME)
    if len(voiced) < frames // 2:
        return None
    idx = voiced[-frames:]
    semitones = 12 * np.log2(f0[idx])
    slope = np.polyfit(t[idx], semitones, 1)[0]
    return float(-slope * (t[idx[-1]] - t[idx[0]]))


def judge_split_kind(head: str, following: str) -> str:
    if re.search(r"[,;:]$|\s[—–-]{1,2}$|[—–]$", head.rstrip()):
        return "clause"
    first = re.sub(r"\W+$", "", following.split()[0].lower()) if following.split() else ""
    return "phrase" if first in JUDGE_PHRASE_WORDS else "other"


# -- the run ---------------------------------------------------------------------------------------------

def assign(sentences: list[dict], voices: list[str], per_voice: int) -> dict[str, list[int]]:
    """Which sentences each voice speaks: all of them, or ``per_voice`` in rotation."""
    n = len(sentences)
    if per_voice <= 0 or per_voice >= n:
        return {v: list(range(n)) for v in voices}
    step = n / per_voice
    return {v: sorted({int((k * step + i * 7) % n) for k in range(per_voice)}) for i, v in enumerate(voices)}


def render(engine, text: str, voice: str) -> Audio:
    return contract.render(engine, TTSRequest(text, voice))


def take(engine, text: str, voice: str) -> tuple[Audio, Audio]:
    """(the whole take, its first yielded piece) of ``text``, as the studio renders it."""
    pieces = list(engine.run(engine.check(TTSRequest(text, voice))))
    return Audio(np.concatenate([p.samples for p in pieces]), engine.sample_rate), pieces[0]


def bad_split(split: dict, falling_only: bool = True) -> bool:
    """A split neither at clause punctuation nor at a phrase boundary, or one whose piece ends in a
    final fall: its pitch falls over its last voiced 200 ms, and by more than
    :data:`FALL_SEMITONES` beyond the same words spoken unsplit. A piece whose pitch rises at its end
    is not a final fall, however much more the unsplit words rise (``falling_only=False``: the
    excess alone, this benchmark's definition until 2026-11-30)."""
    if split["kind"] == "other":
        return True
    fall, unsplit = split["fall_split"], split["fall_unsplit"]
    return fall is not None and unsplit is not None and (fall > 0 or not falling_only) and fall - unsplit > FALL_SEMITONES


def check_split(engine, judge: Judge, text: str, voice: str, first_piece: Audio) -> list[dict]:
    """Each split inside the sentence ``text``: where it lies, and the pitch fall before it, as the
    studio renders it (``first_piece``: the first chunk, yielded alone) and within the sentence
    rendered whole."""
    chunks = split_chunks(text, first_max_chars=engine.first_chunk_chars)
    inside = [(i, c) for i, c in enumerate(chunks[:-1]) if c.mid_sentence]
    if not inside:
        return []
    out = []
    whole = Audio(engine._render(spoken_form(text), voice, 1.0), engine.sample_rate)  # the same words, unsplit
    times = judge.word_times(whole)
    for i, chunk in inside:
        kind = judge_split_kind(chunk.text, chunks[i + 1].text)
        entry = {"voice": voice, "head": chunk.text[-40:], "next": chunks[i + 1].text[:30], "kind": kind,
                 "fall_split": None, "fall_unsplit": None}
        if i == 0:
            piece = np.trim_zeros(first_piece.samples, "b")
            entry["fall_split"] = last_voiced_fall(piece, engine.sample_rate)
            until = split_time(times, spoken_form(chunk.text).split(), spoken_form(chunks[i + 1].text).split())
            if until is not None:  # where the same words end in the sentence spoken whole
                entry["fall_unsplit"] = last_voiced_fall(whole.samples, engine.sample_rate, until=until)
        entry["bad"] = bad_split(entry)
        out.append(entry)
    return out


def split_time(times: list[tuple[str, float, float]], head_words: list[str], next_words: list[str]) -> float | None:
    """Where the head's words end in the sentence spoken whole, by Whisper's word times: the end
    of the heard word that is the head's last (the occurrence nearest its place); where Whisper
    writes that word otherwise (a number in digits), the start of the next piece's first word,
    found the same way; else the end of the word at the head's place by count."""
    def letters(word: str) -> str:
        return re.sub(r"[^a-z']", "", word.lower())

    heard = [letters(w) for w, _, _ in times]

    def nearest(target: str, place: int) -> int | None:
        matches = [j for j, w in enumerate(heard) if target and w == target]
        return min(matches, key=lambda j: abs(j - place)) if matches else None

    j = nearest(letters(head_words[-1]), len(head_words) - 1)
    if j is not None:
        return times[j][2]
    k = nearest(letters(next_words[0]), len(head_words)) if next_words else None
    if k is not None:
        return times[k][1]
    j = len(head_words) - 1
    return times[j][2] if 0 <= j < len(times) else None


def own_tail(engine, text: str, voice: str) -> tuple[float, float, float, float] | None:
    """Kokoro's own trimmed output of the take's last sentence, as the studio gives it to the model
    (its chunks' spoken forms joined: a sentence cut for a quick start is predicted whole since
    2026-11-30, before which this was its last chunk alone): (its tail after the last frame within
    40 dB of the loudest, its decay from the last sample within 45 dB of its peak to the last
    within 60 dB (what is quieter is silence, trimmed in the studio as in any editor), in seconds;
    those two levels times the voice's gain: the same levels in the take)."""
    kokoro = getattr(engine, "_kokoro", None)
    if kokoro is None:
        return None
    last = list(sentence_groups(split_chunks(text, first_max_chars=engine.first_chunk_chars)))[-1]
    phonemes = " ".join(engine.phonemes(c.render_text, voice) for c in last)
    samples, rate = kokoro.create(phonemes, voice=voice, is_phonemes=True, trim=True)
    peak = float(np.max(np.abs(samples)))
    threshold, floor = peak * 10 ** (-45 / 20), peak * 10 ** (-60 / 20)
    return (tail_after_audible(samples, rate), decay_after(samples, threshold, floor) / rate,
            threshold * engine.gain(voice), floor * engine.gain(voice))


def measure_engine(engine, judge: Judge, sentences: list[dict], plan: dict[str, list[int]], f0_voices: set[str]) -> dict:
    per_voice: dict[str, dict] = {}
    splits: list[dict] = []
    refs_all, hyps_all, either_all = [], [], []
    for voice, picks in plan.items():
        refs, hyps, either, takes, rows = [], [], [], [], []
        for i in picks:
            s = sentences[i]
            t0 = time.perf_counter()
            audio, first_piece = take(engine, s["text"], voice)
            render_s = time.perf_counter() - t0
            heard = judge.hear(audio)
            ref, hyp = judge.words(s["spoken"]), judge.words(heard)
            refs.append(ref)
            hyps.append(hyp)
            either.append(min((ref, judge.words(s["text"])), key=lambda r: wer([r], [hyp])))
            takes.append(audio.samples)
            lead, trail = edge_silence(audio.samples, audio.sample_rate)
            ours = tail_after_audible(audio.samples, audio.sample_rate)
            own = own_tail(engine, s["text"], voice) if voice in f0_voices else None
            tail30 = float(20 * np.log10(np.sqrt(np.mean(audio.samples[-int(0.03 * audio.sample_rate):] ** 2)) + 1e-12))
            decay = None if own is None else decay_after(audio.samples, own[2], own[3]) / audio.sample_rate
            rows.append({
                "id": s["id"], "wer": wer([ref], [hyp]), "wer_either_form": wer([either[-1]], [hyp]), "heard": heard.strip(), "render_seconds": round(render_s, 2),
                "lufs": round(dsp.loudness(audio.samples, audio.sample_rate), 2),
                "clipped": int(np.sum(np.abs(audio.samples) >= 1.0)),
                "true_peak_db": round(true_peak_db(audio.samples, audio.sample_rate), 2),
                "leading_s": round(lead, 3), "trailing_s": round(trail, 3),
                "tail_s": round(ours, 3), "own_tail_s": None if own is None else round(own[0], 3),
                "decay_s": None if decay is None else round(decay, 3), "own_decay_s": None if own is None else round(own[1], 3),
                "last_30ms_dbfs": round(tail30, 1),
                # the definition: shorter at the end than Kokoro's own trimmed output by > 20 ms
                "shorter_than_own": bool(own is not None and ours < own[0] - 0.020),
                # what is kept on purpose: the decay down to 45 dB under the peak, then up to 0.18 s
                "cut_ending": bool((own is not None and decay < min(own[1], QUIET_KEEP) - 0.020) or tail30 > -45.0),
            })
            if voice in f0_voices:
                splits += check_split(engine, judge, s["text"], voice, first_piece)
        refs_all += refs
        hyps_all += hyps
        either_all += either
        joined = np.concatenate(takes)
        hf_level, clicks = crackle(joined, engine.sample_rate)
        per_voice[voice] = {
            "high_frequency_db": round(hf_level, 1), "crackle_crest_db": round(clicks, 1),
            "sentences": len(picks), "wer": round(wer(refs, hyps), 4),
            "wer_either_form": round(wer(either, hyps), 4),
            "lufs": round(dsp.loudness(joined, engine.sample_rate), 2),
            "clipped_samples": int(sum(r["clipped"] for r in rows)),
            "max_true_peak_db": max(r["true_peak_db"] for r in rows),
            "max_trailing_seconds": max(r["trailing_s"] for r in rows),
            "max_leading_seconds": max(r["leading_s"] for r in rows),
            "cut_endings": sum(r["cut_ending"] for r in rows),
            "takes": rows,
        }
        print(f"{engine.id}/{voice}: WER {per_voice[voice]['wer']:.3f}, {per_voice[voice]['lufs']:.2f} LUFS, "
              f"cut endings {per_voice[voice]['cut_endings']}", file=sys.stderr)
    return {"pooled_wer": round(wer(refs_all, hyps_all), 4), "pooled_wer_either_form": round(wer(either_all, hyps_all), 4),
            "voices": per_voice, "splits": splits}


def first_audio(repeats: int = 3) -> dict:
    from studio.config import Settings
    from studio.core import Studio

    text = text_of(2000)
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        studio = Studio(Settings(data_dir=Path(tmp) / "data", workers=2, starting_credits=10**9))
        engine = studio.engine("kokoro")
        render(engine, "Warm up.", "af_heart")  # load the model, the G2P and the voice's gain first
        for _ in range(repeats):
            start = time.perf_counter()
            job_id, _ = studio.submit_tts("bench", text, "af_heart", "kokoro")
            while True:
                row = studio.job("bench", job_id)
                if row["preview_key"] or row["status"] == "completed":
                    times.append(time.perf_counter() - start)
                    studio.cancel("bench", job_id)  # the rest of the take is not what is measured
                    break
                if row["status"] in ("failed", "cancelled"):
                    raise RuntimeError(row["error"])
                time.sleep(0.005)
            studio.wait("bench", job_id, timeout=900)
            time.sleep(8.0)  # the cancelled job finishes the chunk it was rendering: keep it out of the next repeat
        stalls = live_stalls(studio, text)
        studio.shutdown()
    return {"chars": len(text), "seconds": [round(x, 3) for x in times],
            "median_seconds": round(statistics.median(times), 3), "target_seconds": 2.0,
            "live_stall_seconds": round(sum(stalls), 2), "live_stalls": stalls}


def live_stalls(studio, text: str) -> list[float]:
    """The silences a live player would fall into while the whole ``text`` renders: it starts
    playing the first piece on arrival and plays each later one as soon as the previous ends; a
    piece arriving after that leaves a gap (seconds, in order)."""
    start = time.perf_counter()
    job_id, _ = studio.submit_tts("bench", text, "af_heart", "kokoro", live=True)
    plays_until, stalls = None, []
    for audio in studio.follow("bench", job_id):
        now = time.perf_counter() - start
        if plays_until is not None and now > plays_until:
            stalls.append(round(now - plays_until, 2))
        plays_until = max(now, plays_until or now) + audio.duration
    return stalls


def main(quick: bool = False, per_voice: int = 8) -> Path:
    logging.basicConfig(level=logging.WARNING)
    from engines.tts.kokoro import KokoroEngine
    from engines.tts.piper import PiperEngine

    started = time.perf_counter()
    sentences = load_sentences()
    if quick:
        sentences = sentences[:4]
    judge = Judge()
    kokoro = KokoroEngine().load()
    voices = QUICK_VOICES if quick else [v.id for v in kokoro.voices()]
    plan = assign(sentences, voices, 0 if quick else per_voice)
    f0_voices = set(QUICK_VOICES if quick else F0_VOICES)
    k = measure_engine(kokoro, judge, sentences, plan, f0_voices)
    piper = PiperEngine().load()
    p = measure_engine(piper, judge, sentences, {"joe": list(range(len(sentences)))}, {"joe"})

    voices_all = {**{f"kokoro/{v}": r for v, r in k["voices"].items()}, **{f"piper/{v}": r for v, r in p["voices"].items()}}
    lufs = [r["lufs"] for r in voices_all.values()]
    takes = [t for r in voices_all.values() for t in r["takes"]]
    splits = k["splits"] + p["splits"]
    fa = first_audio()
    results = {
        "judge": JUDGE,
        "mode": "quick" if quick else "full",
        "note": "measured on a 2-core machine shared with other agents' work; timings are noisy",
        "sentences": len(sentences),
        "kokoro": {"pooled_wer": k["pooled_wer"], "worst_voice_wer": max(r["wer"] for r in k["voices"].values()),
                   "g2p": kokoro.g2p, "sentences_per_voice": {v: r["sentences"] for v, r in k["voices"].items()},
                   "voice_wer": {v: r["wer"] for v, r in k["voices"].items()},
                   "pooled_wer_either_form": k["pooled_wer_either_form"],
                   "worst_voice_wer_either_form": max(r["wer_either_form"] for r in k["voices"].values())},
        "piper": {"pooled_wer": p["pooled_wer"], "pooled_wer_either_form": p["pooled_wer_either_form"]},
        "loudness": {"target_lufs": -16.0, "spread_lu": round(max(lufs) - min(lufs), 2),
                     "min_lufs": min(lufs), "max_lufs": max(lufs),
                     "clipped_samples": sum(r["clipped_samples"] for r in voices_all.values()),
                     "max_true_peak_db": max(r["max_true_peak_db"] for r in voices_all.values()),
                     "voice_lufs": {v: r["lufs"] for v, r in voices_all.items()}},
        "silence": {"max_trailing_seconds": max(t["trailing_s"] for t in takes),
                    "max_leading_seconds": max(t["leading_s"] for t in takes),
                    "cut_endings": sum(t["cut_ending"] for t in takes),
                    "shorter_than_own_output": sum(t["shorter_than_own"] for t in takes),
                    "own_output_checked": sum(t["own_tail_s"] is not None for t in takes),
                    "cut_ending_takes": [t["id"] for t in takes if t["cut_ending"]]},
        "chunks": {"splits_checked": len(splits), "bad_splits": sum(s["bad"] for s in splits),
                   "bad_splits_by_excess_alone": sum(bad_split(s, falling_only=False) for s in splits),
                   "fall_semitones_threshold": FALL_SEMITONES, "splits": splits},
        "first_audio": fa,
        "targets": {"kokoro.pooled_wer": 0.03, "kokoro.worst_voice_wer": 0.06, "loudness.spread_lu": 1.0,
                    "loudness.clipped_samples": 0, "silence.max_trailing_seconds": 0.2, "silence.cut_endings": 0,
                    "chunks.bad_splits": 0, "first_audio.median_seconds": 2.0},
        "voices": voices_all,
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    print(f"kokoro WER {k['pooled_wer']:.4f} (worst voice {results['kokoro']['worst_voice_wer']:.4f}; either form "
          f"{k['pooled_wer_either_form']:.4f}, worst {results['kokoro']['worst_voice_wer_either_form']:.4f}), "
          f"piper WER {p['pooled_wer']:.4f} (either form {p['pooled_wer_either_form']:.4f}), spread {results['loudness']['spread_lu']} LU, "
          f"bad splits {results['chunks']['bad_splits']}/{len(splits)}, first audio {fa['median_seconds']} s",
          file=sys.stderr)
    return write("tts_quality_quick" if quick else "tts_quality", results)


def rescore() -> Path:
    """The stored splits judged again by :func:`bad_split` (no rendering): for a change to the judge."""
    import json

    path = Path(__file__).resolve().parent / "results" / "tts_quality.json"
    results = json.loads(path.read_text())
    chunks = results["chunks"]
    for split in chunks["splits"]:
        split["bad"] = bad_split(split)
    chunks["bad_splits"] = sum(s["bad"] for s in chunks["splits"])
    chunks["bad_splits_by_excess_alone"] = sum(bad_split(s, falling_only=False) for s in chunks["splits"])
    from datetime import datetime, timezone

    results["rescored"] = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                           "what": "chunks: bad_split applied again to the stored pitch measures"}
    return write("tts_quality", results)


# -- misaki against espeak, on our own development sentences (not the held-out set) --------------------

# Heteronyms: the sentence, and the readings (regexes over simplified phonemes, in order) a
# reader would give the ambiguous words. US English (af_heart).
HETERONYMS = [
    ("I read the letter yesterday, and I will read it again tomorrow.", [r"ɹɛd", r"ɹid"]),
    ("She had read every book in the house before she turned ten.", [r"ɹɛd"]),
    ("The wind was so strong that we had to wind the rope around the post.", [r"wɪnd", r"waɪnd"]),
    ("He wound the clock before he dressed the wound on his arm.", [r"waʊnd", r"wund"]),
    ("They will lead the parade past the old lead mine.", [r"lid", r"lɛd"]),
    ("Please close the door; the station is close to the river.", [r"kloʊz", r"kloʊs"]),
    ("The bass player caught a huge bass in the lake last summer.", [r"beɪs", r"bæs"]),
    ("We must record the new record before the end of the month.", [r"ɹ[ɪəi]kɔɹ?d", r"ɹɛkəɹ?d"]),
    ("I object to that strange object on the table.", [r"əbdʒɛkt", r"ɑbdʒ[ɛɪə]kt"]),
    ("The farm was used to produce fresh produce for the market.", [r"pɹədus", r"pɹoʊdus"]),
    ("She shed a tear when she saw the tear in her favourite dress.", [r"t(ɪɹ|iəɹ|iɹ)", r"tɛ(ə)?ɹ"]),
    ("The invalid could not sign the invalid form.", [r"ɪnvəlɪd", r"ɪnvælɪd"]),
    ("Does he know how many does live in the forest?", [r"dʌz", r"doʊz"]),
    ("A minute later, she found a minute crack in the glass.", [r"mɪnɪt", r"maɪnj?ut"]),
    ("The soldier decided to desert his post in the desert.", [r"d[ɪə]z(ɜɹ|əɹ)t", r"dɛzəɹt"]),
    ("After the present was opened, we had to present our report.", [r"pɹɛzənt", r"pɹ[ɪiə]zɛnt"]),
    ("Live music is what we love; we live for it.", [r"laɪv", r"lɪv"]),
    ("The content of the letter made him content.", [r"kɑntɛnt", r"kəntɛnt"]),
]
# Ordinary sentences of our own (not the held-out set), for intelligibility.
DEV_SENTENCES = [
    "The committee met on Tuesday to discuss the budget for the coming year.",
    "Our support team usually answers within one business day.",
    "Preheat the oven and grease a baking tray with a little butter.",
    "The train to Edinburgh was delayed by almost forty minutes.",
    "Anna walked along the quiet beach, listening to the waves.",
    "Thank you for your patience while we look into this problem.",
    "The museum in Worcester reopened after a long renovation.",
    "Researchers in Copenhagen published the results on Thursday.",
    "Whisk the eggs with the sugar until the mixture is pale and fluffy.",
    "The old lighthouse keeper told us stories about shipwrecks.",
    "I read the letter yesterday, and I will read it again tomorrow.",
    "Please close the door; the station is close to the river.",
]
_SIMPLIFY = [("ˈ", ""), ("ˌ", ""), ("ː", ""), ("A", "eɪ"), ("I", "aɪ"), ("O", "oʊ"), ("W", "aʊ"), ("Y", "ɔɪ"),
             ("Q", "əʊ"), ("ʤ", "dʒ"), ("ʧ", "tʃ"), ("ᵊ", "ə"), ("ɚ", "əɹ"), ("ɐ", "ə"), ("ɜ", "ɜ"), ("T", "t"),
             ("ɾ", "t"), ("ɝ", "ɜɹ")]


def simplify(phonemes: str) -> str:
    for old, new in _SIMPLIFY:
        phonemes = phonemes.replace(old, new)
    return phonemes


def heteronyms_right(phonemes: str, readings: list[str]) -> bool:
    text, at = simplify(phonemes), 0
    for reading in readings:
        m = re.compile(reading).search(text, at)
        if not m:
            return False
        at = m.end()
    return True


def compare_g2p(voices: tuple[str, ...] = ("af_heart", "bm_george")) -> Path:
    """misaki against espeak phonemes: heteronyms read right (phonemes against the readings a
    person gives, no audio), and WER of our own development sentences rendered by ``voices``
    and heard by the judge. Writes bench/results/tts_g2p.json."""
    from engines.tts.kokoro import KokoroEngine

    logging.basicConfig(level=logging.WARNING)
    judge = Judge()
    results: dict = {"judge": JUDGE.replace("each sentence's `spoken` field", "the sentence itself")
                     + " Heteronyms: phonemes (af_heart, US) matched against the expected readings, in order.",
                     "voices": list(voices), "g2p": {}}
    for name in ("espeak", "misaki"):
        engine = KokoroEngine(g2p=name).load()
        checks = [{"text": text, "phonemes": engine.phonemes(text, "af_heart"),
                   "right": heteronyms_right(engine.phonemes(text, "af_heart"), readings)}
                  for text, readings in HETERONYMS]
        t0 = time.perf_counter()
        refs, hyps, per_voice, rows = [], [], {}, []
        for voice in voices:
            vr, vh = [], []
            for text in DEV_SENTENCES:
                heard = judge.hear(render(engine, text, voice))
                vr.append(judge.words(text))
                vh.append(judge.words(heard))
                rows.append({"voice": voice, "text": text, "heard": heard.strip()})
            per_voice[voice] = round(wer(vr, vh), 4)
            refs += vr
            hyps += vh
        results["g2p"][name] = {
            "heteronyms_right": sum(c["right"] for c in checks), "heteronym_sentences": len(checks),
            "dev_pooled_wer": round(wer(refs, hyps), 4), "dev_voice_wer": per_voice,
            "render_and_judge_seconds": round(time.perf_counter() - t0, 1),
            "heteronyms": checks, "takes": rows,
        }
        print(f"{name}: heteronyms {results['g2p'][name]['heteronyms_right']}/{len(checks)}, "
              f"dev WER {results['g2p'][name]['dev_pooled_wer']}", file=sys.stderr)
    return write("tts_g2p", results)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 voices, 4 sentences: a smoke test")
    parser.add_argument("--per-voice", type=int, default=8, help="sentences per Kokoro voice (0: all)")
    parser.add_argument("--compare-g2p", action="store_true", help="misaki vs espeak on the development sentences")
    parser.add_argument("--rescore", action="store_true",
                        help="apply the split judge (bad_split) again to the splits stored in tts_quality.json")
    args = parser.parse_args()
    if args.rescore:
        print(rescore())
    else:
        print(compare_g2p() if args.compare_g2p else main(quick=args.quick, per_voice=args.per_voice))
