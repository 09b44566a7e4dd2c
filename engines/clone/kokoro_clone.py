"""Instant voice cloning for Kokoro: a style tensor fitted to a 10–60 s clip, offline on the CPU.

A Kokoro voice is a style tensor (510 × 1 × 256). :meth:`KokoroCloneEngine.fit` makes one that
sounds like the clip's speaker to a speaker encoder (resemblyzer's GE2E, :mod:`engines.speaker`):

0. **pitch**: the clip's median pitch is measured; every candidate is scored by its cosine to
   the clip less a cost for each semitone its pitch strays from the clip's register, and is put
   in that register before it is heard (:class:`~engines.clone.search.PitchModel`), since the
   encoder, hearing an 8 kHz clip, barely minds pitch;
1. **blend**: the stock voices nearest the clip (cosine of their embeddings on fixed sentences,
   measured once and cached, less the pitch cost) are mixed: the nearest voice with a quarter
   of the second or third, the simplex blend whose embedding is nearest the clip's, then random
   blends around the best so far; the best one heard is kept (it may be the nearest voice);
2. **refine**: first one step further from the average stock voice (what makes the blend
   distinctive, exaggerated by 20 %), then a (1+1) evolution strategy walks from the blend
   through the space the 28 stock voices span (their principal directions, each step scaled by
   the voices' own spread, with its pitch component removed; a step that helped is tried again
   in the same direction), with the one-fifth rule setting the step size: a step that sounds
   more like the clip is kept, unless Whisper mishears it or hears it less clearly than three
   stock voices in four, or its loudness, pitch or flatness leave the stock voices' range
   (:mod:`engines.clone.search`);
3. **validate**: the refined voice must beat the blend on a sentence the search never heard,
   else the blend is kept (a search that fits its own sentences only is not trusted).

It runs for a wall-clock budget the caller picks (:data:`BUDGETS`), reports progress, and stops
between candidates when cancelled. The result (:class:`CloneResult`) is the tensor, whether
it speaks with British phonemes, its gain, a preview take and a report of the search.

**Request and result.** ``fit(request, progress, cancel) -> CloneResult`` is the call that
keeps the voice (the studio's clone job uses it). ``run`` honours the engine contract — it yields
the preview take — for callers that only want to hear the voice; the tensor is not audio, so it
does not belong in a stream of Audio chunks, and a mutable "result holder" in a frozen request
would hide an output in an input.
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

import numpy as np

from audiokit import Audio, Cancel, Progress
from audiokit.errors import InvalidInput
from engines import assets, registry, speaker
from engines.clone import clip as clip_mod
from engines.clone import render as render_mod
from engines.clone import search as search_mod
from engines.contract import Engine, stop_if

log = logging.getLogger(__name__)

BUDGETS: dict[str, float] = {"quick": 45.0, "standard": 150.0, "thorough": 420.0}  # wall-clock seconds
BLEND_SHARE = 0.3  # of the budget spent on blends at most
TOP_K = 5  # stock voices in a blend
STEP_START, STEP_MIN, STEP_MAX = 0.12, 0.03, 0.6  # in units of the stock voices' spread
CARICATURE = 0.2  # the first refinement: this much further from the stock voices' mean
PREVIEW_TEXT = "Hello! This is my new voice. I can read anything you type, in my own way."


@dataclass(frozen=True)
class CloneRequest:
    clip: clip_mod.Clip | bytes | Audio  # bytes or Audio until checked; a Clip after check()
    filename: str | None = None
    budget: str = "standard"  # quick / standard / thorough
    max_seconds: float | None = None  # a cap under the budget's time (tests, benchmarks)
    seed: int = 0
    preview_text: str = PREVIEW_TEXT

    @property
    def seconds(self) -> float:
        cap = BUDGETS[self.budget]
        return min(cap, self.max_seconds) if self.max_seconds else cap


@dataclass
class CloneResult:
    style: np.ndarray  # (510, 1, 256) float32
    british: bool  # speak with British phonemes
    gain_db: float  # to the studio's loudness (measured on the preview)
    preview: Audio
    report: dict = field(default_factory=dict)


def check_budget(budget: str, max_seconds: float | None = None) -> None:
    if budget not in BUDGETS:
        raise InvalidInput("budget", f"Pick a budget of {', '.join(f'{k} ({v:.0f} s)' for k, v in BUDGETS.items())}; "
                                     f"got {str(budget)[:20]!r}.")
    if max_seconds is not None and (isinstance(max_seconds, bool) or not isinstance(max_seconds, (int, float))
                                    or not math.isfinite(max_seconds) or max_seconds <= 0):
        raise InvalidInput("max_seconds", f"max_seconds must be a number of seconds above 0, got {max_seconds!r}.")


class KokoroCloneEngine(Engine):
    id = "kokoro_clone"
    kind = "clone"
    title = "Voice cloning — a Kokoro voice fitted to your clip"
    licence = "Apache-2.0 (Kokoro-82M, resemblyzer GE2E)"
    sample_rate = 24_000

    def __init__(self, kokoro=None, cache_dir: Path | None = None, transcribe=None, stock: list[str] | None = None,
                 score_text=None, encoder=None):
        super().__init__()
        # What the search listens with: None is the studio's (resemblyzer GE2E, engines.speaker); the
        # voice benchmark passes another (an object with embed(audio, source_rate) -> unit vector) to
        # compare encoders, each judged by the other.
        self._encoder = encoder
        self._stock = list(stock) if stock else None  # a subset of the stock voices (tests); None: all
        self._kokoro_engine = kokoro
        self._cache_dir = Path(cache_dir) if cache_dir else None
        self._transcribe = transcribe  # Whisper by default
        self._score_text = score_text  # Whisper's teacher-forced log-probability of a text, by default

    def _tts(self):
        return self._kokoro_engine if self._kokoro_engine is not None else registry.get("kokoro")

    @property
    def kokoro(self):
        return self._tts().load()  # once per process: the registry keeps one Kokoro

    @property
    def cache_dir(self) -> Path:
        return self._cache_dir or assets.models_dir() / "clone"

    def probe(self) -> str | None:
        from engines import whisper

        return self._tts().probe() or speaker.probe() or whisper.probe()

    def _load(self) -> None:
        from engines import whisper

        self.kokoro  # noqa: B018 - loads Kokoro
        speaker.encoder()
        if self._transcribe is None:
            model = whisper.model()
            self._transcribe = lambda audio: whisper.transcribe(audio, whisper=model, beam_size=1)
        if self._score_text is None:
            model = whisper.model()
            self._score_text = lambda audio, text: whisper.reference_logprob(audio, text, whisper=model)

    # -- the contract ------------------------------------------------------------------------
    def check(self, request: CloneRequest) -> CloneRequest:
        """The request with its clip checked (decoded, trimmed to 60 s, one speaker, no music),
        or UnsupportedAudio / InvalidInput saying what is wrong and the fix."""
        check_budget(request.budget, request.max_seconds)
        if isinstance(request.clip, clip_mod.Clip):
            return request
        return replace(request, clip=clip_mod.check_clip(request.clip, request.filename))

    def run(self, request: CloneRequest, progress: Progress | None = None, cancel: Cancel | None = None) -> Iterator[Audio]:
        """The preview take of the fitted voice (use :meth:`fit` to keep the voice itself)."""
        yield self.fit(request, progress, cancel).preview

    def prepare(self, progress: Progress | None = None) -> search_mod.StockTable:
        """The stock voices measured once (cached under the models folder)."""
        from engines.assets import kokoro_voices_path

        voices_file = getattr(self.kokoro, "_voices_path", None) or kokoro_voices_path()
        return search_mod.stock_table(self.kokoro, self.cache_dir, Path(voices_file), progress, self._stock)

    # -- the fit -----------------------------------------------------------------------------
    def fit(self, request: CloneRequest, progress: Progress | None = None, cancel: Cancel | None = None) -> CloneResult:
        request = self.check(request)
        self.load()
        clip: clip_mod.Clip = request.clip
        started = time.monotonic()
        budget = request.seconds
        rng = np.random.default_rng(request.seed)

        def report(fraction: float, message: str) -> None:
            if progress:
                progress(min(max(fraction, 0.0), 0.99), message)

        table = self.prepare(lambda f, m: report(0.02 * f, m))
        stop_if(cancel)
        report(0.02, "Listening to your clip")
        encoder = self._encoder or speaker.encoder()
        target = encoder.embed(clip.audio, clip.source_rate)
        clip_hz = search_mod.voice_features(clip.audio.samples, clip.audio.sample_rate)["f0_median"]
        search = search_mod.Search(self.kokoro, table, target, clip.source_rate, started + budget,
                                   target_pitch=search_mod.semitones(clip_hz) if clip_hz > 0 else None,
                                   transcribe=self._transcribe, score_text=self._score_text, cancel=cancel,
                                   encoder=self._encoder)
        pitch = table.pitch_model()

        def tick(message: str) -> None:
            report(0.03 + 0.85 * (time.monotonic() - started) / budget, message)

        # 1. blend ---------------------------------------------------------------------
        E = table.embeddings(clip.source_rate, self._encoder)
        sims = E @ target
        f0 = table.features["f0_median"]
        scores = sims - np.array([search.pitch_cost(float(hz)) for hz in f0])
        order = np.argsort(-scores)
        top = order[:min(TOP_K, len(order))]
        nearest = table.ids[int(order[0])]
        weights = search_mod.simplex_weights(E[top], target)
        british = nearest.startswith("b")  # the accent of the nearest voice: accent is much of who a voice is
        search.british = british
        k = int(order[0])
        nearest_voice = lambda: search_mod.Candidate(table.styles[k], float(scores[k]), {"f0_median": float(f0[k])},  # noqa: E731
                                                     f"stock {nearest}", similarity=float(sims[k]))
        best = nearest_voice()
        search.note(best)
        # The nearest voice in the clip's register first (when it is out of it), small moves from it
        # (a 50/50 mix is rarely nearer than either voice), then the blend a linear encoder would
        # pick, then random blends around the best so far. Each is put in the clip's register
        # before it is heard, and heard once more, corrected, when it lands outside it.
        lean = lambda j: np.eye(len(top))[0] * 0.75 + np.eye(len(top))[j] * 0.25  # noqa: E731
        proposals = [("three quarters nearest, a quarter second", lean(1), 0.0),
                     ("simplex blend", weights, 0.0),
                     ("three quarters nearest, a quarter third", lean(2 if len(top) > 2 else 1), 0.0)]
        if abs(search.pitch_gap(float(f0[order[0]]))) > search_mod.PITCH_TOL:
            proposals.insert(0, ("the nearest voice at your pitch", np.eye(len(top))[0], 0.0))
        proposals = [(label, np.asarray(w, np.float64), shift) for label, w, shift in proposals]
        blend_until = started + budget * BLEND_SHARE
        tried = 0
        while True:  # the first proposal is always heard; the rest as time allows
            if tried and not search.affordable():
                break
            if proposals:
                label, w, shift = proposals.pop(0)
            else:
                if time.monotonic() > blend_until:
                    break
                base = best.weights if best.weights is not None else weights
                w, shift = rng.dirichlet(np.maximum(base, 0.02) * 40), 0.0
                label = "blend variation"
            style = search.in_register(np.tensordot(np.asarray(w, np.float32), table.styles[top], axes=1))
            if shift:
                style = pitch.shift(style, shift)
            elif np.max(w) > 0.999 and int(np.argmax(w)) == 0 and np.array_equal(style, best.style):
                continue  # the nearest stock voice itself: already heard
            tick(f"Blending stock voices (try {tried + 1}; best similarity {best.score:.2f})")
            candidate = search.evaluate(style, label)
            tried += 1
            if candidate is None:
                continue
            candidate.weights = np.asarray(w, np.float64)
            search.note(candidate)
            gap = search.pitch_gap(candidate.features["f0_median"])
            if not shift and abs(gap) > search_mod.PITCH_TOL:
                proposals.insert(0, (f"{label}, pitch corrected", w, -gap))
            if candidate.score > best.score:
                best = candidate
        blend_best = best
        blend_weights = {table.ids[int(i)]: round(float(x), 3)
                         for i, x in zip(top, blend_best.weights if blend_best.weights is not None else np.eye(len(top))[0])
                         if x > 1e-3}

        # 2. refine --------------------------------------------------------------------
        mean, directions, spread = table.basis()
        step, steps, accepted = STEP_START, 0, 0
        if best.wer is None and best.audio is not None and not search.intelligible(best):
            best = blend_best = nearest_voice()
            blend_weights = {nearest: 1.0}
        # First away from the average stock voice (a voice's distinctive part, exaggerated a little),
        # then random steps; a step that helped is tried once more in the same direction. Steps
        # leave the pitch where it is; one that moved it out of the clip's register anyway is
        # followed by a step back into it.
        mean_style = mean.reshape(best.style.shape)
        planned = [(pitch.without_pitch(CARICATURE * (best.style - mean_style)), "away from the average voice")]
        while search.affordable():
            if planned:
                delta, label = planned.pop(0)
            else:
                z = rng.standard_normal(len(spread)).astype(np.float32)
                delta = pitch.without_pitch(((z * spread * step) @ directions).reshape(best.style.shape))
                label = "random step"
            tick(f"Refining the voice (step {steps + 1}; similarity {best.score:.2f})")
            candidate = search.evaluate((best.style + delta).astype(np.float32), f"{label} {steps + 1}")
            steps += 1
            if candidate is not None and candidate.score > best.score and search.intelligible(candidate):
                best = candidate
                accepted += 1
                search.note(best)
                step = min(step * 1.5, STEP_MAX)
                planned = [(delta, "same direction again")]
                gap = search.pitch_gap(best.features["f0_median"])
                if abs(gap) > search_mod.PITCH_TOL:
                    planned.insert(0, (pitch.shift(best.style, -gap) - best.style, "back to your pitch"))
            else:
                step = max(step * 0.9, STEP_MIN)

        # 3. validate and finish -----------------------------------------------------------
        stop_if(cancel)
        report(0.88, "Checking the voice on a new sentence")
        validation = {}
        if best is not blend_best:
            for name, cand in (("refined", best), ("blend", blend_best)):
                samples = search_mod.render_probe(self.kokoro, cand.style, british, (search_mod.VALIDATION_TEXT,))
                hz = search_mod.voice_features(samples)["f0_median"]
                validation[name] = round(search.similarity(samples) - search.pitch_cost(hz), 4)
            if validation["refined"] < validation["blend"]:
                log.info("refined voice lost to the blend on the validation sentence (%s); keeping the blend", validation)
                best = blend_best
        stop_if(cancel)
        report(0.93, "Rendering a preview")
        preview, gain_db = render_mod.preview_style(self.kokoro, request.preview_text, best.style, 1.0, british)
        seconds = time.monotonic() - started
        result_report = {
            "budget": request.budget, "seconds": round(seconds, 1), "budget_seconds": budget,
            "clip_seconds": round(clip.audio.duration, 1), "clip_source_rate": clip.source_rate,
            "nearest_stock": nearest, "nearest_stock_similarity": round(float(sims[order[0]]), 4),
            "nearest_stock_score": round(float(scores[order[0]]), 4), "blend": blend_weights,
            "blend_similarity": round(blend_best.similarity if blend_best.similarity is not None else blend_best.score, 4),
            "similarity": round(best.similarity if best.similarity is not None else best.score, 4),
            "score": round(best.score, 4), "kept": "refined" if best is not blend_best else "blend",
            "clarity": None if best.clarity is None else round(best.clarity, 3),
            "clarity_floor": round(search.clarity_floor(), 3) if best.clarity is not None else None,
            "clip_pitch_hz": round(float(clip_hz), 1), "pitch_hz": round(float(best.features.get("f0_median", 0.0)), 1),
            "validation": validation, "candidates": search.evaluated, "refine_steps": steps,
            "refine_accepted": accepted, "refused": dict(search.refused), "british": british,
            "encoder": "resemblyzer GE2E" if self._encoder is None
                       else getattr(self._encoder, "name", type(self._encoder).__name__),
            "history": search.history[-40:],
        }
        log.info("clone fitted in %.0f s: %s", seconds, {k: v for k, v in result_report.items() if k != "history"})
        return CloneResult(best.style.astype(np.float32), british, float(gain_db), preview, result_report)


if __name__ == "__main__":  # python -m engines.clone.kokoro_clone prepare
    import sys

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if sys.argv[1:] != ["prepare"]:
        sys.exit("usage: python -m engines.clone.kokoro_clone prepare   (measures the stock voices once)")
    engine = KokoroCloneEngine().load()
    table = engine.prepare(lambda f, m: log.info("%s", m))
    log.info("stock table ready: %d voices, ranges %s", len(table.ids), table.ranges())
