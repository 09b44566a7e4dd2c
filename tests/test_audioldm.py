"""AudioLDM through diffusers: a tiny, randomly initialised pipeline built here, saved to a folder
and loaded through the engine's own loader (as diffusers' fast tests do); full weights are
used only when present."""
from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="AudioLDM needs torch: pip install -r requirements-audioldm.txt")
diffusers = pytest.importorskip("diffusers", reason="pip install -r requirements-audioldm.txt")
transformers = pytest.importorskip("transformers", reason="pip install -r requirements-audioldm.txt")

from engines import audioldm  # noqa: E402
from engines.base import Cancelled  # noqa: E402
from engines.sfx_common import SFXRequest  # noqa: E402
from engines.sfxlib import mix  # noqa: E402
from studio.errors import InvalidInput  # noqa: E402


@pytest.fixture(scope="module")
def tiny_pipeline(tmp_path_factory):
    from tests import audioldm_tiny

    return audioldm_tiny.build(tmp_path_factory.mktemp("audioldm"))


@pytest.fixture(scope="module")
def engine(tiny_pipeline):
    return audioldm.AudioLDMEngine(model=tiny_pipeline)


def test_folder_is_recognised_complete_or_not(tiny_pipeline, tmp_path):
    assert audioldm.missing_parts(tiny_pipeline) == []
    assert audioldm.missing_parts(tmp_path) == ["model_index.json"]
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model_index.json").write_text((tiny_pipeline / "model_index.json").read_text())
    missing = audioldm.missing_parts(broken)
    assert "unet weights" in missing and "vocoder/config.json" in missing


def test_probe_names_the_fix_when_weights_are_absent(monkeypatch, tmp_path, tiny_pipeline):
    monkeypatch.setenv("STUDIO_AUDIOLDM_MODEL", "nobody/no-such-audioldm")
    assert "python -m engines.audioldm download" in audioldm.probe()
    monkeypatch.setenv("STUDIO_AUDIOLDM_MODEL", str(tiny_pipeline))
    assert audioldm.probe() is None


def test_generates_variations_with_progress_per_step(engine):
    request = SFXRequest("a hammer hitting a wooden surface", duration=0.5, variations=2, seed=7, steps=2,
                         guidance=3.0, negative_prompt="low quality")
    plan = engine.plan(request)
    assert plan["steps"] == 2 and plan["negative_prompt"] == "low quality"
    calls = []
    clips = engine.generate(request, plan, progress=lambda f, m: calls.append((f, m)))
    assert [m for _, m in calls if "step" in m] == [
        "Variation 1 of 2: step 1 of 2", "Variation 1 of 2: step 2 of 2",
        "Variation 2 of 2: step 1 of 2", "Variation 2 of 2: step 2 of 2"]
    assert calls[-1][0] == 1.0
    assert len(clips) == 2
    for clip in clips:
        assert clip.sample_rate == 16_000 and len(clip.samples) == 8_000
        assert np.isfinite(clip.samples).all() and np.max(np.abs(clip.samples)) <= mix.CEILING + 1e-6
        assert np.std(clip.samples) > 1e-3  # a random model makes noise, brought up to the target loudness
    assert not np.allclose(clips[0].samples, clips[1].samples)
    again = engine.generate(request, plan)
    assert np.array_equal(again[0].samples, clips[0].samples)  # the seed fixes the result


def test_defaults_follow_the_issue(engine):
    plan = engine.plan(SFXRequest("rain", duration=2.0))
    assert plan["steps"] == 100 and plan["guidance"] == 3.0 and isinstance(plan["seed"], int)


def test_cancel_during_steps(engine):
    request = SFXRequest("thunder", duration=0.5, steps=3, seed=1)
    calls = []
    with pytest.raises(Cancelled):
        engine.generate(request, engine.plan(request), should_stop=lambda: calls.append(1) or len(calls) > 1)


@pytest.mark.parametrize("kwargs, field", [({"steps": 0}, "steps"), ({"steps": 501}, "steps"), ({"guidance": -1.0}, "guidance"),
                                           ({"guidance": float("inf")}, "guidance"), ({"duration": 40.0}, "duration")])
def test_bad_settings_are_named(engine, kwargs, field):
    with pytest.raises(InvalidInput) as error:
        engine.plan(SFXRequest("rain", **kwargs))
    assert error.value.field == field


@pytest.mark.full_weights
def test_full_audioldm_weights_generate_sound():
    reason = audioldm.probe()
    if reason:
        pytest.skip(f"full AudioLDM weights absent: {reason}")
    engine = audioldm.AudioLDMEngine()
    request = SFXRequest("a dog barking", duration=2.0, steps=20, seed=0)
    clip = engine.generate(request, engine.plan(request))[0]
    assert clip.duration == pytest.approx(2.0, abs=0.01)
    assert abs(mix.loudness(clip.samples, clip.sample_rate) - mix.TARGET_LUFS) <= 1.0
