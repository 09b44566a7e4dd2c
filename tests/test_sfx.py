"""Sound effects through the studio: checks before any charge, plan, credits, stored variations."""
from __future__ import annotations

import numpy as np
import pytest

from dataclasses import replace

from audiokit import codec, dsp
from audiokit.errors import Cancelled, EngineUnavailable, InvalidInput
from engines.contract import render
from engines.sfx.common import SFXRequest
from engines.sfx.lib import mix
from tests.sfx_fixtures import sfx_assets, sfx_engine  # noqa: F401

USER = "ada"


def test_generate_variations_charges_and_stores_each(studio, sfx_engine):
    before = studio.balance(USER)
    job_id, notices, plan = studio.submit_sfx(USER, "retro laser shot", duration=1.0, variations=2, seed=11)
    row = studio.wait(USER, job_id, timeout=120)
    assert row["status"] == "completed", row["error"]
    cost = studio.sfx_price(1.0, 2)
    assert cost == 2 * (50 + 2 * 1)  # per_generation and per_second apply per variation
    assert row["cost"] == cost and studio.balance(USER) == before - cost
    assert len(row["outputs"]) == 2
    clips = [codec.read_wav(studio.audio(USER, job_id, index=i)) for i in range(2)]
    for clip in clips:
        assert clip.sample_rate == 44_100
        assert abs(clip.duration - 1.0) < 0.01
        assert abs(dsp.loudness(clip.samples, clip.sample_rate) - mix.TARGET_LUFS) <= 1.0
        assert np.max(np.abs(clip.samples)) < 0.99  # nothing clipped
    assert not np.allclose(clips[0].samples, clips[1].samples)  # two different takes
    stored = row["params"]["plan"]
    assert stored["layers"][0]["category"] == "laser"
    assert [v["seed"] for v in stored["variations"]] == [11, 12]
    assert row["params"]["seed"] == 11 and row["title"] == "retro laser shot"


def test_scene_plan_has_layers_room_and_reasons(sfx_engine):
    plan = sfx_engine.check(SFXRequest("heavy rain on a tin roof with distant thunder in a large hall", duration=6, seed=1)).plan
    assert [l["category"] for l in plan["layers"]] == ["rain", "thunder"]
    rain, thunder = plan["layers"]
    assert rain["intensity"] == pytest.approx(0.9) and thunder["distance"] == pytest.approx(0.85)
    assert plan["room"]["id"] == "large_hall"
    assert all(l["why"] and l["score"] > 0.5 for l in plan["layers"])


def test_same_seed_same_clip(sfx_engine):
    request = SFXRequest("a dog barks twice in a large hall", duration=3.0, seed=42)
    a = render(sfx_engine, request)
    b = render(sfx_engine, request)
    assert np.array_equal(a.samples, b.samples)
    assert a.duration == pytest.approx(3.0, abs=0.01)


def test_loop_option_makes_a_seamless_loop(sfx_engine):
    request = SFXRequest("steady rain", duration=4.0, loop=True, seed=3)
    clip = render(sfx_engine, request).samples
    # The jump from the last sample to the first is like any other step inside the clip.
    steps = np.abs(np.diff(clip))
    assert abs(float(clip[-1]) - float(clip[0])) <= np.percentile(steps, 99.9)
    assert len(clip) == 4 * 44_100


def test_cancel_stops_each_take(sfx_engine):
    request = sfx_engine.check(SFXRequest("crackling fire", duration=2.0, variations=3, seed=1))
    for take in range(3):
        with pytest.raises(Cancelled):
            render(sfx_engine, replace(request, take=take), cancel=lambda: True)


def test_takes_differ_and_each_fills_the_length(sfx_engine):
    request = sfx_engine.check(SFXRequest("crackling fire", duration=2.0, variations=2, seed=1))
    a, b = (render(sfx_engine, replace(request, take=t)) for t in range(2))
    assert a.duration == pytest.approx(2.0, abs=0.01) and b.duration == pytest.approx(2.0, abs=0.01)
    assert not np.array_equal(a.samples, b.samples)


@pytest.mark.parametrize("kwargs, field, message", [
    ({"prompt": ""}, "prompt", "The prompt is empty"),
    ({"prompt": "   \n "}, "prompt", "The prompt is empty"),
    ({"prompt": "rain " * 2000}, "prompt", "10,000 characters; the limit is 500"),
    ({"prompt": "屋根に激しい雨"}, "prompt", "English only"),
    ({"prompt": "lluvia fuerte sobre el techo"}, "prompt", "not in English"),
    ({"prompt": "asdfgh qwzxcv plmokn"}, "prompt", "not English words"),
    ({"prompt": "!!! ???"}, "prompt", "no words"),
    ({"prompt": "quarterly tax spreadsheet formulas"}, "prompt", "Nothing in the offline library sounds like"),
    ({"duration": 0.2}, "duration", "0.5–30 seconds, got 0.2"),
    ({"duration": 31}, "duration", "got 31"),
    ({"duration": float("nan")}, "duration", "got nan"),
    ({"variations": 0}, "variations", "1–4, got 0"),
    ({"variations": 5}, "variations", "1–4, got 5"),
    ({"seed": -1}, "seed", "0–4294967295"),
    ({"engine": "kokoro"}, "engine", "Unknown sound-effects engine 'kokoro'"),
])
def test_bad_requests_are_refused_before_any_charge(studio, sfx_engine, kwargs, field, message):
    before = studio.balance(USER)
    args = {"prompt": "coin pickup", **kwargs}
    with pytest.raises(InvalidInput, match=message) as error:
        studio.submit_sfx(USER, **args)
    assert error.value.field == field
    assert studio.balance(USER) == before
    assert studio.history(USER)[1] == 0


def test_best_effort_says_what_it_did(sfx_engine):
    plan = sfx_engine.check(SFXRequest("a cow moos 🐄 and a door creaks open", seed=1)).plan
    assert [l["category"] for l in plan["layers"]] == ["cow"]
    notices = " ".join(plan["notices"])
    assert "Ignored 1 emoji" in notices and "left it out" in notices


def test_audioldm_without_weights_is_unavailable_with_instructions(studio, monkeypatch):
    monkeypatch.setenv("STUDIO_AUDIOLDM_MODEL", "nobody/no-such-audioldm")
    reason = next(i for i in studio.engines("sfx") if i.id == "audioldm").reason
    assert reason and ("download" in reason or "pip install" in reason)
    with pytest.raises(EngineUnavailable, match="unavailable"):
        studio.submit_sfx(USER, "retro laser shot", engine="audioldm")
