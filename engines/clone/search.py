"""The search that fits a Kokoro style tensor to a speaker, and what it measures voices with.

A candidate voice is heard by rendering two fixed sentences (:data:`PROBE_TEXTS`, Harvard
sentences of different lengths, so two different rows of the 510-row tensor speak) and
embedding the speech with the speaker encoder; its score is the cosine to the clip's
embedding, both limited to the clip's band. Two guards keep a candidate a voice and not a
trick on the encoder:

- **intelligibility**: a candidate that would become the best is transcribed by Whisper
  tiny.en; more than :data:`WER_MAX` of the probe words wrong and it is refused. Word errors
  come late (a clone that fooled the encoder kept 16 of 16 probe words yet was misheard on
  35 % of new sentences), so it must also be as clear as most stock voices: the mean
  log-probability Whisper gives the probe text, teacher-forced, at least the stock voices'
  lower quartile (:data:`CLARITY_QUANTILE`);
- **naturalness**: its loudness, median pitch, pitch range (pyworld DIO) and spectral flatness
  must stay inside the range the 28 stock voices span on the same sentences, widened by a
  quarter of that range on each side.

**Pitch register.** The speaker encoder hears an 8 kHz telephone clip and barely minds pitch:
left to it alone, the search cloned a 236 Hz speaker with a 149 Hz voice. So a candidate's
score is its cosine less :data:`PITCH_COST` per semitone that its median pitch lies beyond
:data:`PITCH_TOL` of the clip's, and candidates are put in the clip's register before they are
heard: Kokoro predicts pitch from the second half of each style row, and a ridge regression
over the stock voices (:class:`PitchModel`, leave-one-out error 1.3 semitones against a spread
of 4.6) gives the direction in that half that raises pitch without touching the decoder's half,
which carries the timbre.

:class:`StockTable` holds each stock voice's probe speech, embeddings and features, rendered
once and cached under ``<models>/clone/``.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import re
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from audiokit import Audio, dsp
from engines import speaker

log = logging.getLogger(__name__)

PROBE_TEXTS = ("The boy was there when the sun rose.", "A rod is used to catch pink salmon.")
VALIDATION_TEXT = "Kick the ball straight and follow through, then help the woman get back to her feet."
WER_MAX = 0.2
FINISH_EVALS = 2.5  # validation (two short renders) and the preview, in candidates' worth of time
FEATURES = ("loudness", "f0_median", "pitch_span", "flatness")
RANGE_PAD = 0.25  # of the stock voices' span, added on each side
CACHE_VERSION = 1
SAMPLE_RATE = 24_000
CLARITY_QUANTILE = 0.25  # a candidate is at least as clear as three stock voices in four
PITCH_TOL = 1.0  # semitones from the clip's median pitch that cost nothing
PITCH_COST = 0.02  # similarity lost per semitone beyond PITCH_TOL
PITCH_RIDGE = 1e-2  # of the stock voices' mean squared norm: the pitch regression's ridge
PROSODY = slice(128, 256)  # the half of a style row Kokoro's prosody predictor (duration, pitch) reads


# -- measuring a voice -------------------------------------------------------------------------
def voice_features(samples: np.ndarray, rate: int = SAMPLE_RATE) -> dict[str, float]:
    """Loudness (LUFS, before any gain), median pitch (Hz), pitch range (semitones between the
    5th and 95th percentile) and spectral flatness (mean over the louder frames) of speech."""
    import pyworld

    x = np.asarray(samples, np.float32)
    loudness = dsp.loudness(x, rate) if len(x) else float("-inf")
    y = np.asarray(dsp.resample(x, rate, 16_000), np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f0, t = pyworld.dio(y, 16_000, f0_floor=50.0, f0_ceil=600.0, frame_period=10.0)
        f0 = pyworld.stonemask(y, f0, t, 16_000)
    voiced = f0[f0 > 0]
    if len(voiced) >= 5:
        f0_median = float(np.median(voiced))
        span = float(12 * np.log2(np.percentile(voiced, 95) / np.percentile(voiced, 5)))
    else:
        f0_median, span = 0.0, 0.0
    n = 1024
    if len(x) >= n:
        frames = np.lib.stride_tricks.sliding_window_view(x, n)[:: n // 2]
        power = np.abs(np.fft.rfft(frames * np.hanning(n), axis=1)) ** 2 + 1e-12
        energy = power.sum(axis=1)
        loud = energy > energy.max() * 1e-3
        flat = np.exp(np.mean(np.log(power[loud]), axis=1)) / np.mean(power[loud], axis=1)
        flatness = float(np.mean(flat))
    else:
        flatness = 1.0
    return {"loudness": float(loudness), "f0_median": f0_median, "pitch_span": span, "flatness": flatness}


def semitones(hz: float) -> float:
    """``hz`` on a semitone scale (12 per octave; only differences mean anything)."""
    return float(12 * np.log2(hz)) if hz > 0 else float("nan")


def words_of(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]", " ", text.lower()).split()


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate (edits ÷ reference words) after lower-casing and dropping punctuation."""
    ref, hyp = words_of(reference), words_of(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / len(ref)


# -- the stock voices, measured once ---------------------------------------------------------
@dataclass
class StockTable:
    ids: list[str]
    renders: list[np.ndarray]  # each voice's probe sentences, joined (24 kHz)
    features: dict[str, np.ndarray]  # feature -> value per voice
    styles: np.ndarray  # (n, 510, 1, 256)
    # (encoder, band) -> (n, dims); band is the source rate, 0 = full; encoder None is the default one
    _embeddings: dict[tuple[object, int], np.ndarray] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _pitch: PitchModel | None = None
    _clarity: np.ndarray | None = None

    def embeddings(self, band: int | None, encoder=None) -> np.ndarray:
        """Each stock voice's embedding in ``band`` by ``encoder`` (default: :func:`engines.speaker.encoder`)."""
        key = 0 if not band or band >= speaker.SAMPLE_RATE else int(band)
        with self._lock:
            if (encoder, key) not in self._embeddings:
                enc = encoder or speaker.encoder()
                self._embeddings[encoder, key] = np.stack([enc.embed(Audio(r, SAMPLE_RATE), key or None)
                                                           for r in self.renders])
            return self._embeddings[encoder, key]

    def ranges(self) -> dict[str, tuple[float, float]]:
        out = {}
        for name in FEATURES:
            values = self.features[name]
            low, high = float(np.min(values)), float(np.max(values))
            pad = RANGE_PAD * (high - low)
            out[name] = (low - pad, high + pad)
        return out

    def basis(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(mean style, principal directions (k, 510·256) unit rows, their standard deviations)."""
        flat = self.styles.reshape(len(self.styles), -1).astype(np.float64)
        mean = flat.mean(axis=0)
        _, s, vt = np.linalg.svd(flat - mean, full_matrices=False)
        keep = s > s[0] * 1e-6
        return mean.astype(np.float32), vt[keep].astype(np.float32), (s[keep] / np.sqrt(len(flat) - 1)).astype(np.float32)

    def clarity(self, score_text: Callable[[Audio, str], float]) -> np.ndarray:
        """How clearly each stock voice says the probe text (:func:`engines.whisper.reference_logprob`)."""
        with self._lock:
            if self._clarity is None:
                text = " ".join(PROBE_TEXTS)
                self._clarity = np.array([score_text(Audio(r, SAMPLE_RATE), text) for r in self.renders])
            return self._clarity

    def pitch_model(self) -> "PitchModel":
        with self._lock:
            if self._pitch is None:
                self._pitch = PitchModel.fit(self.styles, self.features["f0_median"])
            return self._pitch


@dataclass(frozen=True)
class PitchModel:
    """Median pitch (semitones) of a style, predicted linearly from the prosody half of its
    rows, and the smallest change to that half that moves it by a given number of semitones."""

    mean: np.ndarray  # (510, 1, 128): the stock voices' mean prosody half
    weights: np.ndarray  # (510, 1, 128): semitones per unit of each entry
    intercept: float  # the stock voices' mean pitch, semitones

    @classmethod
    def fit(cls, styles: np.ndarray, f0_hz: np.ndarray) -> "PitchModel":
        """Ridge regression in the dual (as many equations as voices, not 65,280 unknowns)."""
        X = styles[:, :, :, PROSODY].reshape(len(styles), -1).astype(np.float64)
        y = np.array([semitones(f) for f in f0_hz])
        ok = np.isfinite(y)
        X, y = X[ok], y[ok]
        mean = X.mean(axis=0)
        Xc = X - mean
        K = Xc @ Xc.T
        ridge = PITCH_RIDGE * np.trace(K) / max(len(K), 1)
        w = Xc.T @ np.linalg.solve(K + ridge * np.eye(len(K)), y - y.mean())
        shape = styles.shape[1:3] + (PROSODY.stop - PROSODY.start,)
        return cls(mean.reshape(shape).astype(np.float32), w.reshape(shape).astype(np.float32), float(y.mean()))

    def predict(self, style: np.ndarray) -> float:
        return self.intercept + float(np.sum((style[:, :, PROSODY] - self.mean) * self.weights, dtype=np.float64))

    @functools.cached_property
    def _norm(self) -> float:
        """The squared length of the pitch direction: a step of ``weights / _norm`` is one semitone."""
        return float(np.sum(self.weights.astype(np.float64) ** 2))

    def shift(self, style: np.ndarray, by: float) -> np.ndarray:
        """``style`` with its predicted pitch moved by ``by`` semitones (its timbre half unchanged)."""
        out = np.array(style, np.float32, copy=True)
        if self._norm > 0 and np.isfinite(by) and by:
            out[:, :, PROSODY] += np.float32(by / self._norm) * self.weights
        return out

    def without_pitch(self, delta: np.ndarray) -> np.ndarray:
        """A step ``delta`` with its component along the pitch direction removed."""
        out = np.array(delta, np.float32, copy=True)
        if self._norm > 0:
            along = float(np.sum(out[:, :, PROSODY] * self.weights, dtype=np.float64)) / self._norm
            out[:, :, PROSODY] -= np.float32(along) * self.weights
        return out


def render_probe(kokoro, style: np.ndarray, british: bool, texts=PROBE_TEXTS) -> np.ndarray:
    """``texts`` spoken by ``style`` (raw, no gain), joined with 0.2 s pauses."""
    engine = kokoro.load()
    pieces = []
    for text in texts:
        pieces += [engine.render_style(text, style, 1.0, british), np.zeros(int(0.2 * SAMPLE_RATE), np.float32)]
    return np.concatenate(pieces[:-1])


def _cache_path(cache_dir: Path, voices_file: Path, ids: list[str]) -> Path:
    h = hashlib.sha256()
    h.update(f"{CACHE_VERSION}|{'|'.join(PROBE_TEXTS)}|{','.join(ids)}".encode())
    with open(voices_file, "rb") as f:
        h.update(f.read())
    return cache_dir / f"stock-{h.hexdigest()[:16]}.npz"


_tables: dict[str, StockTable] = {}
_tables_lock = threading.Lock()


def stock_table(kokoro, cache_dir: Path, voices_file: Path,
                progress: Callable[[float, str], None] | None = None, only: list[str] | None = None) -> StockTable:
    """The stock voices' probe speech and features: from the cache, or rendered now (once).
    ``only`` restricts the table to some voices (tests: a small table measures quickly)."""
    from engines.clone.design import stock_styles

    styles = stock_styles(kokoro)
    ids = sorted(v for v in styles if only is None or v in only)
    if len(ids) < 2:
        raise ValueError(f"the stock table needs at least two voices, got {ids}")
    path = _cache_path(cache_dir, voices_file, ids)
    with _tables_lock:
        if str(path) in _tables:
            return _tables[str(path)]
        if path.exists():
            data = np.load(path)
            cached = list(data["ids"])
            if cached == ids:
                lengths = data["lengths"]
                audio = data["audio"].astype(np.float32)
                offsets = np.concatenate([[0], np.cumsum(lengths)])
                table = StockTable(ids, [audio[offsets[i]:offsets[i + 1]] for i in range(len(ids))],
                                   {k: data[k] for k in FEATURES}, np.stack([styles[i] for i in ids]))
                if "emb_0" in data:
                    table._embeddings[None, 0] = data["emb_0"]
                _tables[str(path)] = table
                return table
        log.info("measuring the %d stock voices for cloning (once; cached in %s)", len(ids), path)
        renders, features = [], {k: [] for k in FEATURES}
        for i, voice in enumerate(ids):
            if progress:
                progress(i / len(ids), f"Measuring the stock voices once ({i + 1} of {len(ids)})")
            samples = render_probe(kokoro, styles[voice], voice.startswith("b"))
            renders.append(samples)
            for k, v in voice_features(samples).items():
                features[k].append(v)
        table = StockTable(ids, renders, {k: np.asarray(v) for k, v in features.items()},
                           np.stack([styles[i] for i in ids]))
        emb = table.embeddings(None)
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".part.npz")
            np.savez(tmp, ids=np.array(ids), lengths=np.array([len(r) for r in renders]),
                     audio=np.concatenate(renders).astype(np.float16), emb_0=emb, **table.features)
            tmp.replace(path)
        except OSError as error:  # a read-only models folder: measured again next process
            log.warning("could not cache the stock voice table in %s: %s", cache_dir, error)
        _tables[str(path)] = table
        return table


# -- the search ----------------------------------------------------------------------------
@dataclass
class Candidate:
    style: np.ndarray
    score: float  # similarity less the pitch cost: what the search maximises
    features: dict[str, float]
    label: str
    similarity: float | None = None  # the speaker encoder's cosine alone
    clarity: float | None = None  # Whisper's mean log-probability of the probe text
    wer: float | None = None
    audio: np.ndarray | None = None  # its probe speech, for the intelligibility check
    weights: np.ndarray | None = None  # a blend's weights over the nearest stock voices


@dataclass
class Search:
    """One fit: the target, the stock table, the clock, and the best voice so far."""

    kokoro: object
    table: StockTable
    target: np.ndarray  # the clip's embedding
    band: int | None  # the clip's source rate, for band matching
    deadline: float  # time.monotonic() by which the whole fit (search, validation, preview) should end
    british: bool = False
    target_pitch: float | None = None  # the clip's median pitch in semitones; None: no preference
    transcribe: Callable[[Audio], str] | None = None
    score_text: Callable[[Audio, str], float] | None = None  # Whisper's teacher-forced log-probability
    cancel: Callable[[], bool] | None = None
    encoder: object | None = None  # what hears each candidate; None: engines.speaker's (resemblyzer GE2E)
    evaluated: int = 0
    refused: dict[str, int] = field(default_factory=lambda: {"naturalness": 0, "intelligibility": 0})
    history: list[tuple[float, float, str]] = field(default_factory=list)  # (seconds, score, label)
    started: float = field(default_factory=time.monotonic)
    eval_seconds: float = 3.0  # how long a candidate takes here (a running mean of the measured ones)

    def time_left(self) -> float:
        return self.deadline - time.monotonic()

    def affordable(self, reserve: float = FINISH_EVALS) -> bool:
        """Is there time for one more candidate and then the finishing work (``reserve`` candidates' worth)?"""
        return self.time_left() > self.eval_seconds * (1 + reserve)

    def pitch_gap(self, f0_hz: float) -> float:
        """Semitones from the clip's median pitch (0 when the clip has no measured pitch)."""
        if self.target_pitch is None or not f0_hz > 0:
            return 0.0
        return semitones(f0_hz) - self.target_pitch

    def pitch_cost(self, f0_hz: float) -> float:
        return PITCH_COST * max(0.0, abs(self.pitch_gap(f0_hz)) - PITCH_TOL)

    def in_register(self, style: np.ndarray) -> np.ndarray:
        """``style`` moved to the clip's pitch, as far as the pitch model predicts it."""
        if self.target_pitch is None:
            return style
        model = self.table.pitch_model()
        return model.shift(style, self.target_pitch - model.predict(style))

    def natural(self, features: dict[str, float]) -> str | None:
        """None when every feature is inside the stock voices' range; else which one left it."""
        for name, (low, high) in self.table.ranges().items():
            value = features[name]
            if not np.isfinite(value) or not low <= value <= high:
                return f"{name} {value:.3g} outside {low:.3g}–{high:.3g}"
        return None

    def evaluate(self, style: np.ndarray, label: str) -> Candidate | None:
        """The candidate's score, or None when it fails the naturalness guard."""
        from engines.contract import stop_if

        stop_if(self.cancel)
        began = time.monotonic()
        samples = render_probe(self.kokoro, style, self.british)
        self.evaluated += 1
        features = voice_features(samples)
        why = self.natural(features)
        if why:
            self.refused["naturalness"] += 1
            log.debug("candidate %s refused: %s", label, why)
            return None
        similarity = self.similarity(samples)
        took = time.monotonic() - began
        self.eval_seconds = took if self.evaluated == 1 else 0.7 * self.eval_seconds + 0.3 * took
        return Candidate(style, similarity - self.pitch_cost(features["f0_median"]), features, label,
                         similarity=similarity, audio=samples)

    def similarity(self, samples: np.ndarray) -> float:
        """The speaker encoder's cosine of 24 kHz speech to the clip (in the clip's band)."""
        return float((self.encoder or speaker.encoder()).embed(Audio(samples, SAMPLE_RATE), self.band) @ self.target)

    def intelligible(self, candidate: Candidate) -> bool:
        if self.transcribe is not None:
            heard = self.transcribe(Audio(candidate.audio, SAMPLE_RATE))
            candidate.wer = wer(" ".join(PROBE_TEXTS), heard)
            if candidate.wer > WER_MAX:
                self.refused["intelligibility"] += 1
                log.info("candidate %s refused: WER %.2f (%r)", candidate.label, candidate.wer, heard)
                return False
        if self.score_text is not None:
            candidate.clarity = self.score_text(Audio(candidate.audio, SAMPLE_RATE), " ".join(PROBE_TEXTS))
            floor = self.clarity_floor()
            if candidate.clarity < floor:
                self.refused["intelligibility"] += 1
                log.info("candidate %s refused: clarity %.3f under the stock voices' %.3f",
                         candidate.label, candidate.clarity, floor)
                return False
        return True

    def clarity_floor(self) -> float:
        return float(np.quantile(self.table.clarity(self.score_text), CLARITY_QUANTILE))

    def note(self, candidate: Candidate) -> None:
        self.history.append((round(time.monotonic() - self.started, 2), round(candidate.score, 4), candidate.label))


def simplex_weights(E: np.ndarray, target: np.ndarray, iterations: int = 500) -> np.ndarray:
    """Weights ≥ 0 summing to 1 whose blend of the rows of ``E`` is nearest ``target`` (projected
    gradient on the simplex): the blend a linear encoder would pick."""
    k = len(E)
    w = np.full(k, 1.0 / k)
    G = E @ E.T
    b = E @ target
    lr = 1.0 / (np.linalg.norm(G, 2) + 1e-9)
    for _ in range(iterations):
        w = _project_simplex(w - lr * (G @ w - b))
    return w


def _project_simplex(v: np.ndarray) -> np.ndarray:
    u = np.sort(v)[::-1]
    css = np.cumsum(u)
    rho = np.nonzero(u * np.arange(1, len(v) + 1) > (css - 1))[0][-1]
    theta = (css[rho] - 1) / (rho + 1.0)
    return np.maximum(v - theta, 0)
