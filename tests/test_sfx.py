"""Sound effects through the studio: checks before any charge, the plan and its confidence,
credits for what is delivered, filling the length, loops, stereo, stored variations."""
from __future__ import annotations

import numpy as np
import pytest

from dataclasses import replace

from audiokit import codec, dsp
from audiokit.errors import Cancelled, EngineUnavailable, InvalidInput
from engines.contract import render
from engines.sfx.common import NeedsConfirmation, SFXRequest
from engines.sfx.lib import mix
from tests.sfx_fixtures import sfx_assets, sfx_engine  # noqa: F401
from tests.test_sfx_synth import longest_silence

USER = "ada"
LOOSE = "a violin solo"  # the library has no instruments: its closest source is a loose match


def test_generate_variations_charges_and_stores_each(studio, sfx_engine):
    before = studio.balance(USER)
    job_id, notices, plan = studio.submit_sfx(USER, "rain on a tin roof", duration=1.0, variations=2, seed=11)
    row = studio.wait(USER, job_id, timeout=120)
    assert row["status"] == "completed", row["error"]
    cost = studio.sfx_price(1.0, 2)
    assert cost == 2 * (50 + 2 * 1)  # per_generation and per_second apply per variation
    assert row["cost"] == cost and studio.balance(USER) == before - cost
    assert len(row["outputs"]) == 2
    clips = [codec.read_wav(studio.audio(USER, job_id, index=i), mono=False) for i in range(2)]
    for clip in clips:
        assert clip.sample_rate == 44_100
        assert abs(clip.duration - 1.0) < 0.01
        assert abs(dsp.loudness(clip.samples, clip.sample_rate) - mix.TARGET_LUFS) <= 1.0
        assert np.max(np.abs(clip.samples)) < 0.99  # nothing clipped
    assert not np.allclose(clips[0].samples, clips[1].samples)  # two different takes
    assert clips[0].samples.shape == (44_100, 2)  # stereo, and wide: the sides differ
    assert not np.allclose(clips[0].samples[:, 0], clips[0].samples[:, 1])
    stored = row["params"]["plan"]
    assert stored["layers"][0]["category"] == "rain" and stored["channels"] == 2
    assert [v["seed"] for v in stored["variations"]] == [11, 12]
    assert row["params"]["seed"] == 11 and row["title"] == "rain on a tin roof"


def test_a_single_event_is_delivered_and_charged_at_its_own_length(studio, sfx_engine):
    before = studio.balance(USER)
    plan, quoted = studio.plan_sfx("a single gunshot", duration=10.0, seed=4)
    assert plan["single"] and plan["requested_duration"] == 10.0 and 0.5 < plan["duration"] < 3.0
    assert any("at its own length" in n and "charged for" in n for n in plan["notices"])
    assert quoted == studio.price("sfx", seconds=plan["duration"], generations=1) < studio.sfx_price(10.0, 1)
    job_id, _, _ = studio.submit_sfx(USER, "a single gunshot", duration=10.0, seed=4)
    row = studio.wait(USER, job_id, timeout=120)
    assert row["status"] == "completed", row["error"]
    assert row["cost"] == quoted and studio.balance(USER) == before - quoted
    clip = codec.read_wav(studio.audio(USER, job_id), mono=False)
    assert clip.duration == pytest.approx(plan["duration"], abs=0.011)
    assert longest_silence(clip.samples) < 0.15  # no tail of silence: it ends when the sound does


def test_a_loose_match_needs_confirmation_and_costs_nothing(studio, sfx_engine):
    before = studio.balance(USER)
    with pytest.raises(NeedsConfirmation, match="closest available: .+ \\(similarity") as error:
        studio.submit_sfx(USER, LOOSE, duration=2.0, seed=1)
    assert error.value.field == "prompt" and isinstance(error.value, InvalidInput)
    plan = error.value.plan
    assert plan["needs_confirmation"] and plan["confidence"] < 0.5 and plan["closest"]
    assert studio.balance(USER) == before and studio.history(USER)[1] == 0
    previewed, cost = studio.plan_sfx(LOOSE, duration=2.0, seed=1)  # the preview shows it, free
    assert previewed["needs_confirmation"] and cost > 0 and studio.balance(USER) == before
    job_id, notices, served = studio.submit_sfx(USER, LOOSE, duration=2.0, seed=1, accept_closest=True)
    assert served["accepted_closest"] and any("closest available sound, as asked" in n for n in notices)
    row = studio.wait(USER, job_id, timeout=120)
    assert row["status"] == "completed", row["error"]
    assert studio.balance(USER) == before - row["cost"]


def test_nothing_close_is_refused_with_suggestions(sfx_engine):
    with pytest.raises(InvalidInput, match="Nearest: .+nothing was charged") as error:
        sfx_engine.check(SFXRequest("quarterly tax spreadsheet formulas", seed=1))
    assert not isinstance(error.value, NeedsConfirmation)


def test_a_part_the_library_lacks_is_not_dropped_silently(sfx_engine):
    with pytest.raises(NeedsConfirmation, match="has no music") as error:
        sfx_engine.check(SFXRequest("a cow moos and a violin plays", seed=1))
    assert error.value.plan["missing"] or error.value.plan["confidence"] < 0.5
    plan = sfx_engine.check(SFXRequest("a cow moos and a violin plays", seed=1, accept_closest=True)).plan
    assert plan["layers"][0]["category"] == "cow"


@pytest.mark.parametrize("prompt", ["someone knocking on a door", "footsteps on a wooden floor", "water dripping",
                                    "a clock ticking", "someone typing on a keyboard", "a dog barking", "a phone ringing"])
def test_repeating_sounds_fill_the_whole_length(sfx_engine, prompt):
    clip = render(sfx_engine, SFXRequest(prompt, duration=5.0, seed=2))
    assert clip.duration == pytest.approx(5.0, abs=0.01)
    assert longest_silence(clip.samples) <= 0.1 * 5.0
    assert sfx_engine.check(SFXRequest(prompt, duration=5.0, seed=2)).plan["layers"][0]["fill"] == "fill"


def test_counted_events_come_at_their_own_length(sfx_engine):
    plan = sfx_engine.check(SFXRequest("a dog barks twice", duration=8.0, seed=42)).plan
    assert plan["layers"][0]["fill"] == "count" and plan["layers"][0]["count"] == 2
    assert plan["single"] and plan["duration"] < 8.0
    clip = render(sfx_engine, SFXRequest("a dog barks twice", duration=8.0, seed=42))
    assert clip.duration == pytest.approx(plan["duration"], abs=0.011)


def test_several_gunshots_fill_the_length(sfx_engine):
    plan = sfx_engine.check(SFXRequest("gunshots", duration=4.0, seed=1)).plan
    assert plan["layers"][0]["fill"] == "fill" and not plan["single"] and plan["duration"] == 4.0


def test_placement_words_pan_a_layer(sfx_engine):
    clip = render(sfx_engine, SFXRequest("someone knocking on the left", duration=3.0, seed=5))
    left, right = np.sum(clip.samples[:, 0] ** 2), np.sum(clip.samples[:, 1] ** 2)
    assert left > 2 * right


def test_scene_plan_has_layers_room_and_reasons(sfx_engine):
    plan = sfx_engine.check(SFXRequest("heavy rain on a tin roof with distant thunder in a large hall", duration=6, seed=1)).plan
    assert [l["category"] for l in plan["layers"]] == ["rain", "thunder"]
    rain, thunder = plan["layers"]
    assert rain["intensity"] == pytest.approx(0.9) and thunder["distance"] == pytest.approx(0.85)
    assert plan["room"]["id"] == "large_hall"
    assert all(l["why"] and l["score"] > 0.5 for l in plan["layers"])


def test_same_seed_same_clip(sfx_engine):
    request = SFXRequest("a dog barking in a large hall", duration=3.0, seed=42)
    a = render(sfx_engine, request)
    b = render(sfx_engine, request)
    assert np.array_equal(a.samples, b.samples)
    assert a.duration == pytest.approx(3.0, abs=0.01) and a.samples.shape[1] == 2


@pytest.mark.parametrize("prompt", ["steady rain", "crackling fire", "a crowd murmuring", "footsteps on gravel"])
def test_loop_option_makes_a_seamless_loop(sfx_engine, prompt):
    request = SFXRequest(prompt, duration=4.0, loop=True, seed=3)
    clip = render(sfx_engine, request).samples
    # The jump from the last sample to the first is like any other step inside the clip …
    steps = np.abs(np.diff(clip, axis=0))
    assert np.all(np.abs(clip[-1] - clip[0]) <= np.percentile(steps, 99.9, axis=0) + 1e-6)
    # … and the level where it starts again does not jump.
    assert mix.seam_jump_db(clip, 44_100) <= 1.0
    assert clip.shape == (4 * 44_100, 2)


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
    ({"prompt": LOOSE}, "prompt", "closest available:"),
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
    plan = sfx_engine.check(SFXRequest("a cow moos 🐄 and a door creaks open, for my indie film", seed=1)).plan
    assert [l["category"] for l in plan["layers"]] == ["cow", "door_creak"]
    notices = " ".join(plan["notices"])
    assert "Ignored 1 emoji" in notices and "left it out" in notices  # words that name no sound
    assert not plan["needs_confirmation"]


def test_audioldm_without_weights_is_unavailable_with_instructions(studio, monkeypatch):
    monkeypatch.setenv("STUDIO_AUDIOLDM_MODEL", "nobody/no-such-audioldm")
    reason = next(i for i in studio.engines("sfx") if i.id == "audioldm").reason
    assert reason and ("download" in reason or "pip install" in reason)
    with pytest.raises(EngineUnavailable, match="unavailable"):
        studio.submit_sfx(USER, "retro laser shot", engine="audioldm")
