"""AudioLDM through diffusers: a tiny, randomly initialised pipeline built here, saved to a folder
and loaded through the engine's own loader (as diffusers' fast tests do); full weights are
used only when present."""
from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="AudioLDM needs torch: pip install -r requirements-audioldm.txt")
diffusers = pytest.importorskip("diffusers", reason="pip install -r requirements-audioldm.txt")
transformers = pytest.importorskip("transformers", reason="pip install -r requirements-audioldm.txt")

from dataclasses import replace  # noqa: E402

from audiokit import dsp  # noqa: E402
from audiokit.errors import Cancelled, InvalidInput  # noqa: E402
from engines.contract import render  # noqa: E402
from engines.sfx import audioldm  # noqa: E402
from engines.sfx.common import SFXRequest  # noqa: E402
from engines.sfx.lib import mix  # noqa: E402


@pytest.fixture(scope="module")
def tiny_pipeline(tmp_path_factory):
    from tests import audioldm_tiny

    return audioldm_tiny.build(tmp_path_factory.mktemp("audioldm"))


@pytest.fixture(scope="module")
def engine(tiny_pipeline):
    return audioldm.AudioLDMEngine(model=tiny_pipeline).load()


def test_constructing_is_cheap_and_loading_finds_the_rate(tiny_pipeline):
    fresh = audioldm.AudioLDMEngine(model=tiny_pipeline)
    assert (fresh.id, fresh.kind) == ("audioldm", "sfx") and "CC-BY-NC-SA" in fresh.licence
    assert not fresh.loaded and fresh.pipe is None and fresh.info.available
    assert fresh.load() is fresh and fresh.loaded and fresh.sample_rate == 16_000


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
    assert "python -m engines.sfx.audioldm download" in audioldm.probe()
    monkeypatch.setenv("STUDIO_AUDIOLDM_MODEL", str(tiny_pipeline))
    assert audioldm.probe() is None


def test_generates_variations_with_progress_per_step(engine):
    request = SFXRequest("a hammer hitting a wooden surface", duration=0.5, variations=2, seed=7, steps=2,
                         guidance=3.0, negative_prompt="low quality")
    checked = engine.check(request)
    plan = checked.plan
    assert plan["steps"] == 2 and plan["negative_prompt"] == "low quality"
    assert engine.check(checked) is checked  # a planned request is returned as it is
    calls = []
    clips = [render(engine, replace(checked, take=i), progress=lambda f, m, i=i: calls.append((i, f, m)))
             for i in range(len(plan["variations"]))]
    assert [(i, m) for i, _, m in calls if "step" in m] == [
        (0, "step 1 of 2"), (0, "step 2 of 2"), (1, "step 1 of 2"), (1, "step 2 of 2")]
    for take in (0, 1):
        fractions = [f for i, f, _ in calls if i == take]
        assert fractions == sorted(fractions) and 0.0 <= fractions[0] and fractions[-1] == 1.0  # 0→1 per take
    assert calls[-1][1] == 1.0
    assert len(clips) == 2
    for clip in clips:
        assert clip.sample_rate == 16_000 and len(clip.samples) == 8_000
        assert np.isfinite(clip.samples).all() and np.max(np.abs(clip.samples)) <= dsp.CEILING + 1e-6
        assert np.std(clip.samples) > 1e-3  # a random model makes noise, brought up to the target loudness
    assert not np.allclose(clips[0].samples, clips[1].samples)
    again = render(engine, replace(checked, take=0))
    assert np.array_equal(again.samples, clips[0].samples)  # the seed fixes the result


def test_defaults_follow_the_issue(engine):
    plan = engine.check(SFXRequest("rain", duration=2.0)).plan
    assert plan["steps"] == 100 and plan["guidance"] == 3.0 and isinstance(plan["seed"], int)


def test_cancel_during_steps(engine):
    request = SFXRequest("thunder", duration=0.5, steps=3, seed=1)
    calls = []
    with pytest.raises(Cancelled):
        render(engine, request, cancel=lambda: calls.append(1) or len(calls) > 1)
    assert len(calls) == 2  # stopped at the first step, not after the whole take


def test_take_outside_the_plan_is_named(engine):
    with pytest.raises(InvalidInput) as error:
        engine.check(SFXRequest("rain", duration=0.5, variations=2, take=2))
    assert error.value.field == "take"
    checked = engine.check(SFXRequest("rain", duration=0.5, variations=2, steps=1))
    with pytest.raises(InvalidInput) as error:
        render(engine, replace(checked, take=5))
    assert error.value.field == "take"


@pytest.mark.parametrize("kwargs, field", [({"steps": 0}, "steps"), ({"steps": 501}, "steps"), ({"guidance": -1.0}, "guidance"),
                                           ({"guidance": float("inf")}, "guidance"), ({"duration": 40.0}, "duration")])
def test_bad_settings_are_named(engine, kwargs, field):
    with pytest.raises(InvalidInput) as error:
        engine.check(SFXRequest("rain", **kwargs))
    assert error.value.field == field


@pytest.mark.full_weights
def test_full_audioldm_weights_generate_sound():
    reason = audioldm.probe()
    if reason:
        pytest.skip(f"full AudioLDM weights absent: {reason}")
    engine = audioldm.AudioLDMEngine()
    request = SFXRequest("a dog barking", duration=2.0, steps=20, seed=0)
    clip = render(engine, request)
    assert clip.duration == pytest.approx(2.0, abs=0.01)
    assert abs(dsp.loudness(clip.samples, clip.sample_rate) - mix.TARGET_LUFS) <= 1.0
