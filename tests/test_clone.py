"""The voice cloner's engine side: clip checks on bad clips, the designer's blend, the search's
result (shape, finiteness, speech a recogniser understands), progress and Cancel.

Real speech comes from Debian's asterisk-core-sounds-en-wav (one professional speaker,
CC-BY-SA-3.0); a "second speaker" is that speaker moved a long way by the WORLD vocoder (pitch
×0.55, formants ×0.8), which the speaker encoder hears as another person. Music is synthesised
(harmonic notes and chords), and the packaged music-on-hold tracks are used where installed.
"""
from __future__ import annotations

import glob
import io
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audiokit import Audio
from audiokit.errors import Cancelled, InvalidInput, UnsupportedAudio
from engines import speaker

SOUNDS = Path("/usr/share/asterisk/sounds/en")
MOH = Path("/usr/share/asterisk/moh")
STOCK = ["af_heart", "af_bella", "am_michael", "bf_emma"]  # a small stock table: measured in seconds, not minutes

needs_encoder = pytest.mark.skipif(speaker.probe() is not None, reason=f"speaker encoder: {speaker.probe()}")


# -- material ---------------------------------------------------------------------------------
def prompts(seconds: float, start: int = 0) -> tuple[np.ndarray, int]:
    """``seconds`` of the asterisk speaker: prompts end to end (8 kHz)."""
    files = sorted(glob.glob(str(SOUNDS / "*.wav")))
    if not files:
        pytest.fail("asterisk-core-sounds-en-wav is not installed: run `make system-deps`")
    out, total = [], 0
    for f in files[start:]:
        x, rate = sf.read(f, dtype="float32")
        out.append(x)
        total += len(x)
        if total >= seconds * rate:
            break
    return np.concatenate(out)[: int(seconds * rate)], rate


def wav(x: np.ndarray, rate: int) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, np.asarray(x, np.float32), rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def another_person(x: np.ndarray, rate: int) -> np.ndarray:
    """The same recording spoken by "someone else": pitch ×0.55, formants ×0.8 (WORLD)."""
    import pyworld

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f0, sp, ap = pyworld.wav2world(x.astype(np.float64), rate, frame_period=5.0)
    n = sp.shape[1]
    idx = np.clip(np.arange(n) / 0.8, 0, n - 1)
    lo = np.floor(idx).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    frac = idx - lo
    warp = lambda m: np.ascontiguousarray(m[:, lo] * (1 - frac) + m[:, hi] * frac)  # noqa: E731
    y = pyworld.synthesize(np.ascontiguousarray(f0 * 0.55), warp(sp), warp(ap), rate, 5.0)
    return y.astype(np.float32)


def music(seconds: float = 20.0, rate: int = 16_000, seed: int = 0) -> np.ndarray:
    """Notes of a major scale with five harmonics, a decaying envelope and a chord under each."""
    rng = np.random.default_rng(seed)
    out = np.zeros(int(seconds * rate), np.float32)
    at = 0.0
    while at < seconds:
        length = float(rng.choice([0.25, 0.5, 0.5, 0.75, 1.0]))
        f = 220 * 2 ** (rng.choice([0, 2, 4, 5, 7, 9, 11, 12]) / 12)
        t = np.arange(int(length * rate)) / rate
        env = np.minimum(1, t / 0.02) * np.exp(-1.5 * t)
        note = sum(np.sin(2 * np.pi * f * k * t) / k for k in range(1, 6)) * env
        chord = 0.3 * sum(np.sin(2 * np.pi * f * r * t) for r in (0.5, 0.75))
        s = int(at * rate)
        seg = out[s:s + len(t)]
        seg += (0.2 * (note + chord))[: len(seg)].astype(np.float32)
        at += length
    return out


# -- clip checks --------------------------------------------------------------------------------
@needs_encoder
def test_a_good_clip_passes_with_its_measures():
    from engines.clone.clip import check_clip

    x, rate = prompts(25)
    clip = check_clip(wav(x, rate), "me.wav")
    assert clip.audio.sample_rate == 24_000 and 24 < clip.audio.duration <= 25.1
    assert clip.source_rate == 8000
    assert clip.speech_seconds >= 15
    assert clip.measures["speakers"] == 1
    assert clip.notices == ()


@needs_encoder
def test_a_clip_may_come_as_audio_with_its_recording_rate():
    from audiokit import Audio
    from engines.clone.clip import check_clip

    x, rate = prompts(15)
    clip = check_clip(Audio(x, rate))
    assert clip.source_rate == 8000 and clip.audio.sample_rate == 24_000
    with pytest.raises(UnsupportedAudio, match="is silent"):
        check_clip(Audio(np.zeros(20 * rate, np.float32), rate))


def _silence():
    return wav(np.zeros(16_000 * 20, np.float32), 16_000)


def _short():
    return wav(*prompts(2))


def _ten_minutes():
    x, rate = prompts(30)
    return wav(np.tile(x, 20), rate)


def _corrupt():
    return wav(*prompts(20))[:6000]


def _not_audio():
    return b"%PDF-1.7 this is a document, not a recording" * 50


def _noise():
    return wav((np.random.default_rng(0).standard_normal(16_000 * 20) * 0.05).astype(np.float32), 16_000)


def _music():
    return wav(music(), 16_000)


def _tone():
    t = np.arange(16_000 * 20) / 16_000
    return wav((0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16_000)


def _clipped():
    x, rate = prompts(20)
    return wav(np.clip(x * 8, -1, 1), rate)


def _quiet():
    x, rate = prompts(20)
    return wav(x * 0.03, rate)


@needs_encoder
@pytest.mark.parametrize("make, message", [
    (_silence, "is silent"),
    (_short, r"only \d\.\d s of speech; cloning needs at least 10 s"),
    (_ten_minutes, "10:00 min long; the limit is 5:00 min"),
    (_corrupt, "truncated"),
    (_not_audio, "not an audio file"),
    (_noise, "no speech"),
    (_music, "music"),
    (_tone, "steady tone or music"),
    (_clipped, "clipped"),
    (_quiet, "too quiet"),
], ids=["silence", "2 s", "10 minutes", "corrupt", "not audio", "noise", "music", "tone", "clipped", "quiet"])
def test_bad_clips_are_refused_with_the_fix(make, message):
    from engines.clone.clip import check_clip

    with pytest.raises(UnsupportedAudio, match=message) as error:
        check_clip(make(), "clip.wav")
    assert "clip.wav" in str(error.value)


@needs_encoder
def test_two_speakers_are_refused():
    from engines.clone.clip import check_clip

    a, rate = prompts(24, start=100)
    b = another_person(prompts(24, start=200)[0], rate)
    seg = 4 * rate
    both = np.concatenate([np.concatenate([a[i:i + seg], 0.8 * b[i:i + seg]]) for i in range(0, len(a), seg)])
    with pytest.raises(UnsupportedAudio, match="more than one person"):
        check_clip(wav(both, rate), "interview.wav")
    check_clip(wav(a, rate), "one.wav")  # the first speaker alone passes


@pytest.mark.skipif(not (MOH / "manolo_camp-morning_coffee.wav").exists(), reason="asterisk-moh-opsound-wav not installed")
@pytest.mark.parametrize("track", ["macroform-cold_day", "macroform-robot_dity", "manolo_camp-morning_coffee",
                                   "reno_project-system"])
def test_real_music_is_refused(track):
    from engines.clone.clip import check_clip

    x, rate = sf.read(str(MOH / f"{track}.wav"), dtype="float32")
    with pytest.raises(UnsupportedAudio, match="music"):
        check_clip(wav(x[: 30 * rate], rate), f"{track}.wav", speakers=False)


@needs_encoder
def test_a_long_clip_is_trimmed_to_its_best_minute_with_a_notice():
    from engines.clone.clip import check_clip

    x, rate = prompts(60)
    padded = np.concatenate([np.zeros(30 * rate, np.float32), x, np.zeros(10 * rate, np.float32)])
    clip = check_clip(wav(padded, rate), "long.wav")
    assert abs(clip.audio.duration - 60) < 0.1
    assert len(clip.notices) == 1 and "1:40 min long" in clip.notices[0]
    start = clip.notices[0].split("(")[1].split("–")[0]
    assert start in ("0:29", "0:30", "0:31")


# -- the designer -----------------------------------------------------------------------------
def test_a_design_normalises_its_weights():
    from engines.clone.design import blend, check_design

    d = check_design({"af_heart": 2, "am_michael": 1, "bf_emma": 1}, 1.1)
    assert d.weights == (0.5, 0.25, 0.25) and d.speed == 1.1 and not d.british
    styles = {v: np.full((510, 1, 256), i, np.float32) for i, v in enumerate(d.voices)}
    assert np.allclose(blend(styles, d), 0 * 0.5 + 1 * 0.25 + 2 * 0.25)
    assert check_design([("bf_emma", 3), ("af_heart", 1)]).british


@pytest.mark.parametrize("mix, speed, message", [
    ({"af_heart": 1}, 1.0, "Blend 2–4 different voices"),
    ({"af_heart": 1, "af_bella": 1, "af_sky": 1, "am_adam": 1, "bf_emma": 1}, 1.0, "got 5"),
    ({"af_heart": 1, "af_bella": -1}, 1.0, "must be a number ≥ 0"),
    ({"af_heart": 1, "af_bella": 0}, 1.0, "weights above 0; got 1"),
    ({"af_heart": 1, "nobody": 1}, 1.0, "Unknown voice 'nobody'"),
    ({"af_heart": 1, "af_bella": float("nan")}, 1.0, "must be a number"),
    ({"af_heart": 1, "af_bella": 1}, 3.0, "Speed must be between 0.7 and 1.3"),
])
def test_bad_designs_are_refused(mix, speed, message):
    from engines.clone.design import check_design

    with pytest.raises(InvalidInput, match=message):
        check_design(mix, speed, known=["af_heart", "af_bella", "af_sky", "am_adam", "bf_emma"])


def test_a_designed_voice_speaks(kokoro, whisper):
    from engines import whisper as asr
    from engines.clone.design import design_voice
    from engines.clone.render import render_style

    style, design = design_voice(kokoro, {"af_heart": 1, "am_michael": 1})
    assert style.shape == (510, 1, 256) and style.dtype == np.float32 and np.all(np.isfinite(style))
    audio = render_style(kokoro, "The garden is green in the spring.", style, design.speed, design.british)
    assert audio.sample_rate == 24_000 and 1.0 < audio.duration < 5.0
    heard = asr.transcribe(audio, whisper=whisper).lower()
    assert "garden" in heard and "spring" in heard


def test_a_style_of_the_wrong_shape_is_refused(kokoro):
    from engines.clone.render import render_style

    with pytest.raises(InvalidInput, match=r"\(510, 1, 256\)"):
        render_style(kokoro, "Hello.", np.zeros((510, 256), np.float32))
    with pytest.raises(InvalidInput, match="not finite"):
        render_style(kokoro, "Hello.", np.full((510, 1, 256), np.nan, np.float32))


# -- the search ---------------------------------------------------------------------------------
def test_wer_and_simplex_weights():
    from engines.clone.search import simplex_weights, wer

    assert wer("The boy was there.", "the boy was there") == 0.0
    assert wer("the boy was there", "the toy was here now") == 0.75
    E = np.eye(4, dtype=np.float32)
    w = simplex_weights(E, np.array([0.6, 0.4, 0, 0], np.float32))
    assert np.isclose(w.sum(), 1) and np.allclose(w, [0.6, 0.4, 0, 0], atol=1e-3)


def test_the_pitch_model_moves_only_the_prosody_half_by_the_semitones_asked():
    from engines.clone.search import PROSODY, PitchModel, semitones

    rng = np.random.default_rng(1)
    styles = rng.standard_normal((8, 510, 1, 256)).astype(np.float32)
    direction = rng.standard_normal((510, 1, 128)).astype(np.float32) / 200
    pitch = 40 + np.array([float(np.sum(s[:, :, PROSODY] * direction)) for s in styles])  # semitones
    model = PitchModel.fit(styles, 2 ** (pitch / 12))
    assert [semitones(hz) for hz in 2 ** (pitch / 12)] == pytest.approx(pitch)
    assert [model.predict(s) for s in styles] == pytest.approx(pitch, abs=0.5)  # a ridge fits the voices
    style = styles[0]
    up = model.shift(style, 3.0)
    assert model.predict(up) == pytest.approx(model.predict(style) + 3.0, abs=1e-3)
    assert np.array_equal(up[:, :, :128], style[:, :, :128])  # the decoder's half: the timbre is untouched
    step = model.without_pitch(rng.standard_normal(style.shape).astype(np.float32))
    assert model.predict(style + step) == pytest.approx(model.predict(style), abs=1e-3)


@pytest.fixture(scope="module")
def cloner(kokoro):
    if speaker.probe():
        pytest.skip(f"speaker encoder: {speaker.probe()}")
    from engines.clone.kokoro_clone import KokoroCloneEngine

    engine = KokoroCloneEngine(kokoro=kokoro, stock=STOCK).load()
    engine.prepare()  # measured once, cached under models/clone/
    return engine


def test_the_engine_tells_what_it_is_without_loading():
    from engines.clone.kokoro_clone import KokoroCloneEngine

    info = KokoroCloneEngine().info
    assert (info.id, info.kind) == ("kokoro_clone", "clone")
    assert info.available == (speaker.probe() is None)


def test_a_bad_budget_is_refused(cloner):
    from engines.clone.kokoro_clone import CloneRequest

    with pytest.raises(InvalidInput, match="quick"):
        cloner.check(CloneRequest(b"", budget="forever"))


def test_a_clone_is_a_finite_voice_that_speaks(cloner, kokoro, whisper):
    from engines import whisper as asr
    from engines.clone.kokoro_clone import CloneRequest
    from engines.clone.render import render_style

    x, rate = prompts(20)
    seen = []
    result = cloner.fit(CloneRequest(wav(x, rate), "me.wav", "quick", max_seconds=10),
                        progress=lambda f, m: seen.append((f, m)))
    assert result.style.shape == (510, 1, 256) and result.style.dtype == np.float32
    assert np.all(np.isfinite(result.style))
    assert result.report["nearest_stock"] in STOCK and result.report["candidates"] >= 1
    assert -1 <= result.report["similarity"] <= 1
    assert result.report["score"] >= result.report["nearest_stock_score"] - 1e-6
    assert result.report["clip_pitch_hz"] > 60 and result.report["pitch_hz"] > 60
    assert seen and all(0 <= f <= 1 for f, _ in seen)
    assert result.preview.duration > 2 and np.max(np.abs(result.preview.samples)) > 0.1
    audio = render_style(kokoro, "Please call me back after lunch.", result.style, 1.0, result.british,
                         result.gain_db)
    heard = asr.transcribe(audio, whisper=whisper).lower()
    assert "call" in heard and "lunch" in heard


def test_the_search_listens_with_the_encoder_it_is_given(kokoro):
    """The voice benchmark compares encoders by passing one in; every embedding of the fit must
    come from it, and the stock table keeps its embeddings apart from the default encoder's."""
    if speaker.probe():
        pytest.skip(f"speaker encoder: {speaker.probe()}")
    from engines.clone.kokoro_clone import CloneRequest, KokoroCloneEngine

    class Counting:
        name = "counting GE2E"

        def __init__(self):
            self.calls = 0

        def embed(self, audio, source_rate=None):
            self.calls += 1
            return speaker.encoder().embed(audio, source_rate)

    counting = Counting()
    engine = KokoroCloneEngine(kokoro=kokoro, stock=STOCK, encoder=counting).load()
    x, rate = prompts(20)
    result = engine.fit(CloneRequest(wav(x, rate), "me.wav", "quick", max_seconds=10))
    assert result.report["encoder"] == "counting GE2E"
    # the clip, each stock voice once, and each candidate heard
    assert counting.calls >= 1 + len(STOCK) + result.report["candidates"] - 1
    table = engine.prepare()
    assert table.embeddings(None, counting) is not table.embeddings(None)


def test_a_voice_put_in_a_higher_register_is_heard_higher(cloner):
    """The pitch model the search uses, fitted on the real stock voices, moves real speech."""
    from engines.clone import search

    table = cloner.prepare()
    model = table.pitch_model()
    style = table.styles[table.ids.index("am_michael")]
    before = search.voice_features(search.render_probe(cloner.kokoro, style, False))["f0_median"]
    after = search.voice_features(search.render_probe(cloner.kokoro, model.shift(style, 4.0), False))["f0_median"]
    assert search.semitones(after) - search.semitones(before) > 1.5


def test_a_voice_drowned_in_noise_is_refused_as_unclear(cloner, whisper):
    """The clarity guard on real speech: a stock voice's probe sentences pass; the same speech
    under noise as loud as itself is heard less surely than the stock voices' lower quartile."""
    from engines import whisper as asr
    from engines.clone import search

    table = cloner.prepare()
    text = " ".join(search.PROBE_TEXTS)
    clean = table.renders[table.ids.index("af_heart")]
    noisy = clean + np.random.default_rng(0).normal(0, np.sqrt(np.mean(clean ** 2)), clean.shape).astype(np.float32)
    score = lambda audio, t: asr.reference_logprob(audio, t, whisper=whisper)  # noqa: E731
    assert score(Audio(clean, 24_000), text) > score(Audio(clean, 24_000), "Glue the sheet to the dark blue background.")
    s = search.Search(cloner.kokoro, table, np.zeros(256, np.float32), None, 0.0, score_text=score)
    assert s.intelligible(search.Candidate(clean, 0.5, {}, "clean", audio=clean))
    assert not s.intelligible(search.Candidate(noisy, 0.5, {}, "noisy", audio=noisy))
    assert s.refused["intelligibility"] == 1


def test_cancel_stops_the_search(cloner):
    from engines.clone.kokoro_clone import CloneRequest

    x, rate = prompts(15)
    with pytest.raises(Cancelled):
        cloner.fit(CloneRequest(wav(x, rate), "me.wav", "quick", max_seconds=30), cancel=lambda: True)
