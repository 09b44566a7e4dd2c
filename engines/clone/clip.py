"""The clip a voice is cloned from: checked before anything is charged.

A clip must hold 10–60 s of one person speaking, at a usable level, with no music. Each
check that fails raises :class:`audiokit.errors.UnsupportedAudio` saying what was found and
what to do. In order:

1. **decodes** (:func:`audiokit.decode.decode`: empty, not audio, damaged, truncated, silent);
2. **length**: uploads up to :data:`MAX_UPLOAD_SECONDS` (5 minutes) are accepted and, past
   :data:`MAX_SECONDS`, trimmed to the 60 s that hold the most speech, with a notice; longer
   files are refused (a long recording is rarely one speaker throughout — cut the part you want);
3. **level**, on the samples as recorded: clipped (more than 0.1 % of the speech at full
   scale), too quiet (speech under −42 dBFS), too loud (speech over −6 dBFS: crushed);
4. **speech present**: voice activity (webrtcvad) that is also voiced (a pitch, pyworld DIO);
5. **not music**, two simple measures that held on real recordings (28 windows of speech: five
   speakers of Debian's asterisk prompts, 8 kHz, and 14 Kokoro voices; 39 windows of 30 s from
   the five asterisk music-on-hold tracks): music holds notes — the share of voiced 10 ms
   frames inside a 250 ms stretch whose pitch stays within 0.6 semitone (speech ≤ 0.03, music
   0.00–0.48) — and, where it does not, it is loud without a pitch (drums, pads, noise): the
   share of 30 ms frames above the median level −5 dB with no pitch (speech ≤ 0.26, music
   ≥ 0.32 wherever its notes were not held). A clip is refused when either passes its limit
   (:data:`STEADY_MAX`, :data:`UNVOICED_LOUD_MAX`); every music window was refused and no
   speech window was;
6. **enough speech**: at least :data:`MIN_SPEECH_SECONDS` of it;
7. **one speaker**: the speech is cut in 1.6 s windows, each embedded by the speaker encoder
   (:mod:`engines.speaker`), and split in two by k-means; two groups that each hold a fair share
   and whose windows sit clearly nearer their own centre than the other's (by
   :data:`TWO_SPEAKERS_MARGIN` on average) are two people.
"""
from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field

import numpy as np

from audiokit import Audio, dsp
from audiokit.decode import active_rms_db, decode, display_name, normalize_loudness
from audiokit.errors import UnsupportedAudio

log = logging.getLogger(__name__)

SAMPLE_RATE = 24_000  # what the clip is kept at (Kokoro's rate)
ANALYSIS_RATE = 16_000
MIN_SPEECH_SECONDS = 10.0
MAX_SECONDS = 60.0
MAX_UPLOAD_SECONDS = 300.0
CLIPPED_SHARE = 0.001  # of the speech samples at full scale
CLIP_LEVEL = 0.985
QUIET_DBFS = -42.0
LOUD_DBFS = -6.0
VOICED_SHARE_MIN = 0.15  # of the active frames: less is noise or hum, not a voice
STEADY_MAX = 0.12  # share of voiced frames in held notes: more is music or singing
UNVOICED_LOUD_MAX = 0.30  # share of loud frames without a pitch: more is drums, pads or noise
# Two people: each 1.6 s window is, on average, this much closer (cosine) to its own group's centre
# than to the other's. Measured on the five asterisk speakers: one speaker 0.044–0.097, two
# speakers alternating every 5 s 0.145–0.263 (all ten pairs, a man and four women).
TWO_SPEAKERS_MARGIN = 0.12
SECOND_SPEAKER_SHARE = 0.2  # of the windows, for the smaller group to count as a second person
HOW = "Record 10–60 s of one person reading aloud in a quiet room, about a hand's width from the microphone."


@dataclass(frozen=True)
class Clip:
    """A checked clip: mono float32 at 24 kHz, loudness-normalised, at most 60 s."""

    audio: Audio
    source_rate: int  # the rate it was recorded at: a band limit the cloner matches
    speech_seconds: float
    notices: tuple[str, ...] = ()
    measures: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Measures:
    speech: np.ndarray  # per 30 ms frame: voice activity on a frame that is not near-silent
    voiced_share: float  # of the active frames, the share with a pitch
    steady: float  # share of voiced 10 ms frames in a held note
    pauses: float  # share of 30 ms frames 10 dB under the median level
    unvoiced_loud: float = 0.0  # share of 30 ms frames above the median level −5 dB with no pitch
    frame_seconds: float = 0.03

    @property
    def speech_seconds(self) -> float:
        return float(self.speech.sum() * self.frame_seconds)


def measure(audio: Audio) -> Measures:
    """Voice activity, voicing, held notes and pauses of ``audio`` (any rate, mono)."""
    import pyworld
    import webrtcvad

    x = dsp.resample(audio.mono().samples, audio.sample_rate, ANALYSIS_RATE) if audio.sample_rate != ANALYSIS_RATE \
        else audio.mono().samples
    x = np.asarray(x, np.float64)
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    if peak <= 1e-7:
        return Measures(np.zeros(0, bool), 0.0, 0.0, 0.0, 0.0)
    x = x * (0.5 / peak)
    n = int(0.03 * ANALYSIS_RATE)
    m = len(x) // n
    frames = x[: m * n].reshape(m, n)
    energy = np.mean(frames ** 2, axis=1) + 1e-12
    audible = energy > np.max(energy) * 10 ** (-45 / 10)
    vad = webrtcvad.Vad(2)
    pcm = (np.clip(x[: m * n], -1, 1) * 32767).astype("<i2").tobytes()
    active = np.array([vad.is_speech(pcm[i * n * 2:(i + 1) * n * 2], ANALYSIS_RATE) for i in range(m)], bool) & audible
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f0, t = pyworld.dio(x, ANALYSIS_RATE, f0_floor=60.0, f0_ceil=600.0, frame_period=10.0)
        f0 = pyworld.stonemask(x, f0, t, ANALYSIS_RATE)
    voiced = f0 > 0
    # per 30 ms frame: voiced if any of its 10 ms pitch frames is; speech = active, voiced nearby (±150 ms)
    v30 = np.zeros(m, bool)
    idx = np.minimum((np.arange(len(f0)) * 10) // 30, m - 1) if m else np.zeros(0, int)
    v30[idx[voiced]] = True
    near = np.convolve(v30.astype(float), np.ones(11), mode="same") > 0
    speech = active & near
    voiced_share = float(v30[active].mean()) if active.any() else 0.0
    # held notes: 250 ms of voiced frames within 0.6 semitone
    semis = np.where(voiced, 12 * np.log2(np.maximum(f0, 1.0) / 100.0), np.nan)
    w = 25
    held = np.zeros(len(semis), bool)
    if len(semis) > w:
        windows = np.lib.stride_tricks.sliding_window_view(semis, w)
        ok = np.all(np.isfinite(windows), axis=1)
        spread = np.full(len(windows), np.inf)
        spread[ok] = np.max(windows[ok], axis=1) - np.min(windows[ok], axis=1)
        for start in np.flatnonzero(spread < 0.6):
            held[start:start + w] = True
    steady = float(held.sum() / max(int(voiced.sum()), 1))
    level = np.median(energy[audible]) if audible.any() else 1.0
    pauses = float(np.mean(energy < level * 0.1))
    # loud but unpitched: drums, cymbals, hiss (speech: its fricatives only)
    unvoiced_loud = float(np.mean((energy > level * 0.3) & ~v30))
    return Measures(speech, voiced_share, steady, pauses, unvoiced_loud)


def best_window(speech: np.ndarray, frame_seconds: float, seconds: float) -> tuple[float, float]:
    """(start, end) in seconds of the ``seconds``-long stretch holding the most speech frames."""
    span = int(round(seconds / frame_seconds))
    if len(speech) <= span:
        return 0.0, len(speech) * frame_seconds
    counts = np.convolve(speech.astype(float), np.ones(span), mode="valid")
    start = int(np.argmax(counts))
    return start * frame_seconds, (start + span) * frame_seconds


def _mmss(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}:{s:02d}"


def check_clip(data: bytes | Audio, filename: str | None = None, *, speakers: bool = True,
               source_rate: int | None = None) -> Clip:
    """Decode and check a clip (bytes of an upload or recording, or Audio); UnsupportedAudio
    naming what is wrong and the fix. ``speakers=False`` skips the one-speaker check (it needs
    the speaker encoder)."""
    name = display_name(filename) if filename else "The clip"
    if isinstance(data, Audio):
        raw = Audio(dsp.resample(data.mono().samples, data.sample_rate, SAMPLE_RATE), SAMPLE_RATE) \
            if data.sample_rate != SAMPLE_RATE else data.mono()
        rate = source_rate or data.sample_rate
        if raw.duration > MAX_UPLOAD_SECONDS + 0.05:
            raise _too_long(name, raw.duration)
        if raw.duration < 0.5:
            raise UnsupportedAudio(f"{name} is only {raw.duration:.1f} s long. {HOW}")
        if active_rms_db(raw.samples, SAMPLE_RATE) < -55:
            raise UnsupportedAudio(f"{name} is silent. Check the microphone and record again.")
    else:
        try:
            decoded = decode(data, filename, SAMPLE_RATE, max_seconds=MAX_UPLOAD_SECONDS, normalize=False, field="clip")
        except UnsupportedAudio as error:
            if "the limit is" in str(error):
                raise UnsupportedAudio(f"{error} Cloning uses 10–60 s of one speaker; clips up to "
                                       f"{_mmss(MAX_UPLOAD_SECONDS)} min are trimmed to their best minute.") from error
            raise
        raw, rate = decoded.audio, decoded.source_rate
    notices: list[str] = []

    measures = measure(raw)
    if raw.duration > MAX_SECONDS:
        start, end = best_window(measures.speech, measures.frame_seconds, MAX_SECONDS)
        notices.append(f"The clip is {_mmss(raw.duration)} min long; the {MAX_SECONDS:.0f} s with the most speech "
                       f"({_mmss(start)}–{_mmss(end)}) are used.")
        raw = Audio(raw.samples[int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)], SAMPLE_RATE)
        measures = measure(raw)

    # level, as recorded
    x = raw.samples
    speech_mask = _sample_mask(measures.speech, measures.frame_seconds, len(x))
    spoken = x[speech_mask] if speech_mask.any() else x
    clipped = float(np.mean(np.abs(spoken) >= CLIP_LEVEL))
    if clipped > CLIPPED_SHARE:
        raise UnsupportedAudio(f"{name} is clipped: {clipped:.1%} of the speech sits at full scale, which distorts "
                               "the voice. Record again with the input level lower or a little further from the microphone.")
    level = active_rms_db(x, SAMPLE_RATE)
    if level < QUIET_DBFS:
        raise UnsupportedAudio(f"{name} is too quiet (speech at {level:.0f} dBFS; it should be above {QUIET_DBFS:.0f}). "
                               "Move closer to the microphone or raise its input level, and record again.")
    if level > LOUD_DBFS:
        raise UnsupportedAudio(f"{name} is too loud (speech at {level:.0f} dBFS, squashed against full scale). "
                               "Lower the input level and record again.")

    report = {"seconds": round(raw.duration, 2), "source_rate": int(rate), "level_dbfs": round(level, 1),
              "clipped_share": round(clipped, 5), "voiced_share": round(measures.voiced_share, 3),
              "steady": round(measures.steady, 3), "pauses": round(measures.pauses, 3),
              "unvoiced_loud": round(measures.unvoiced_loud, 3),
              "speech_seconds": round(measures.speech_seconds, 1)}
    log.info("clip measures: %s", report)
    if measures.speech_seconds < 1.0 or measures.voiced_share < VOICED_SHARE_MIN:
        if measures.steady >= STEADY_MAX:
            raise UnsupportedAudio(f"{name} holds a steady tone or music, not speech. {HOW}")
        raise UnsupportedAudio(f"{name} has no speech in it (noise or hum only). {HOW}")
    if measures.steady >= STEADY_MAX or measures.unvoiced_loud >= UNVOICED_LOUD_MAX:
        raise UnsupportedAudio(f"{name} sounds like music, singing or a loud background (held notes in "
                               f"{measures.steady:.0%} of its voiced sound, loud sound without a voice in "
                               f"{measures.unvoiced_loud:.0%} of it; plain speech has under 5 % and 25 %). Cloning "
                               f"needs plain speech with nothing behind it. {HOW}")
    if measures.speech_seconds < MIN_SPEECH_SECONDS:
        raise UnsupportedAudio(f"{name} has only {measures.speech_seconds:.1f} s of speech; cloning needs at least "
                               f"{MIN_SPEECH_SECONDS:.0f} s (a short paragraph read aloud takes about 30 s). {HOW}")
    if speakers:
        groups = speaker_groups(raw)
        report.update(groups)
        if groups.get("speakers", 1) > 1:
            raise UnsupportedAudio(f"{name} seems to have more than one person speaking ({groups['second_share']:.0%} "
                                   "of it sounds like a different voice). Use a clip of one speaker only.")
    audio, _ = normalize_loudness(raw.samples, SAMPLE_RATE)
    return Clip(Audio(audio, SAMPLE_RATE), int(rate), measures.speech_seconds, tuple(notices), report)


def _sample_mask(frames: np.ndarray, frame_seconds: float, n: int) -> np.ndarray:
    per = int(round(frame_seconds * SAMPLE_RATE))
    mask = np.repeat(frames, per)[:n]
    return np.pad(mask, (0, max(0, n - len(mask))))


def _too_long(name: str, seconds: float) -> UnsupportedAudio:
    return UnsupportedAudio(f"{name} is {_mmss(seconds)} min long; the limit is {_mmss(MAX_UPLOAD_SECONDS)} min. "
                            "Cut the part where only the voice you want speaks (10–60 s is enough) and upload that.")


def two_means(x: np.ndarray, iterations: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """k-means with k = 2 on unit rows (cosine): (labels, the two unit centres). Starts from the
    two rows farthest apart, so the result is deterministic."""
    sims = x @ x.T
    i, j = np.unravel_index(np.argmin(sims), sims.shape)
    centres = x[[i, j]].copy()
    labels = np.zeros(len(x), int)
    for _ in range(iterations):
        new = np.argmax(x @ centres.T, axis=1)
        for k in (0, 1):
            if np.any(new == k):
                c = x[new == k].mean(axis=0)
                centres[k] = c / (np.linalg.norm(c) + 1e-9)
        if np.array_equal(new, labels):
            break
        labels = new
    return labels, centres


def speaker_groups(audio: Audio) -> dict:
    """How many people speak in ``audio`` (1 or 2) by clustering 1.6 s window embeddings, with
    the measures behind the answer."""
    from engines import speaker

    windows = speaker.encoder().windows(audio, rate=0.7)  # a window every ~1.4 s
    if len(windows) < 6:
        return {"speakers": 1, "windows": int(len(windows))}
    labels, centres = two_means(windows)
    share = float(min(np.mean(labels == 0), np.mean(labels == 1)))
    sims = windows @ centres.T
    own = sims[np.arange(len(windows)), labels]
    margin = float(np.mean(own - sims[np.arange(len(windows)), 1 - labels]))
    two = share >= SECOND_SPEAKER_SHARE and margin >= TWO_SPEAKERS_MARGIN
    return {"speakers": 2 if two else 1, "windows": int(len(windows)), "second_share": round(share, 3),
            "margin": round(margin, 3), "centre_cosine": round(float(centres[0] @ centres[1]), 3)}
