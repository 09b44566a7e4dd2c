"""Sound effects as a job: check the request, plan it, price it, and render it in the pool.

Everything a person can get wrong is checked, and the plan (which sources, why) is made,
before a credit is spent; the plan is stored with the job so the page and the history can
show what was used. A plan that is not a confident match (``needs_confirmation``) is only
queued with ``accept_closest``: otherwise :class:`NeedsConfirmation` is raised, carrying the
plan, and nothing is charged.

Pricing is for what is delivered: every variation is a separate generation of the plan's
delivered duration — the requested length, or a single event's own length when the plan
says so (``plan["variations"][i]["duration"]``) — so ``per_generation`` and ``per_second``
both apply per variation: four variations of 5 s cost 4 × (50 + 2 × 5) = 240 credits with
the default prices, and one 1.6 s gunshot costs 50 + 2 × 1.6 → 54.
"""
from __future__ import annotations

from dataclasses import replace

from engines import registry
from engines.contract import render
from engines.sfx.common import (DURATION_MAX, DURATION_MIN, MAX_PROMPT_CHARS, VARIATIONS_MAX, VARIATIONS_MIN,
                                NeedsConfirmation, SFXRequest, check_numbers, check_prompt)
from studio import credits
from studio.errors import InvalidInput
from studio.jobs import JobContext, JobSpec

__all__ = ["DURATION_MAX", "DURATION_MIN", "EXAMPLES", "MAX_PROMPT_CHARS", "NeedsConfirmation", "VARIATIONS_MAX",
           "VARIATIONS_MIN", "build_job", "check_engine", "plan_price", "price"]

DEFAULT_ENGINE = "sfx_library"
EXAMPLES = (
    "heavy rain on a tin roof with distant thunder",
    "retro laser shot",
    "a dog barks twice in a large hall",
    "crackling campfire with gentle wind",
    "footsteps on gravel, then a door alarm beeps",
    "coin pickup",
    "car engine idling in a tunnel",
    "ocean waves with birds far away",
    "someone knocking on a door, then footsteps on a wooden floor",
    "a single gunshot",
)


def price(prices: dict, duration: float, variations: int) -> int:
    """Credits for ``variations`` clips of ``duration`` seconds (see the module docstring)."""
    return credits.price(prices, "sfx", seconds=duration * variations, generations=variations)


def plan_price(prices: dict, plan: dict) -> int:
    """Credits for what ``plan`` delivers: each variation's own duration where the plan measured
    it (single events), else the plan's duration, per variation."""
    takes = plan["variations"]
    seconds = sum(float(v.get("duration", plan["duration"])) for v in takes)
    return credits.price(prices, "sfx", seconds=seconds, generations=len(takes))


def check_engine(engine_id: str) -> str:
    """``engine_id`` if it names a sound-effects engine; InvalidInput listing them otherwise."""
    known = [i.id for i in registry.info("sfx")]
    if engine_id not in known:
        raise InvalidInput("engine", f"Unknown sound-effects engine {str(engine_id)[:40]!r}; pick one of: {', '.join(known)}.")
    return engine_id


def precheck(prompt: str, duration, variations, seed) -> None:
    """The checks that need no engine, so a bad request never waits for a model to load."""
    check_numbers(duration, variations, seed)
    check_prompt(prompt)


def build_job(engine, prompt: str, duration: float = 5.0, variations: int = 1, loop: bool = False,
              seed: int | None = None, prices: dict | None = None, negative_prompt: str | None = None,
              steps: int | None = None, guidance: float | None = None,
              accept_closest: bool = False) -> tuple[JobSpec, tuple[str, ...], dict]:
    """Validate and plan before anything is charged; return (job, notices, plan).

    NeedsConfirmation (an InvalidInput carrying the plan) when the closest available sound is a
    loose match and ``accept_closest`` is false."""
    request = engine.check(SFXRequest(prompt, duration, variations, loop, seed, negative_prompt, steps, guidance,
                                      accept_closest=bool(accept_closest)))
    plan = request.plan
    takes = len(plan["variations"])
    cost = plan_price(prices or {"sfx": {}}, plan)

    def run(ctx: JobContext):
        out = []
        for take in range(takes):
            def progress(fraction: float, message: str, take=take) -> None:
                ctx.progress((take + fraction) / takes, f"Variation {take + 1} of {takes}: {message}" if takes > 1 else message)

            out.append(render(engine, replace(request, take=take), progress, ctx.should_stop))
        return out

    spec = JobSpec(
        service="sfx", engine=engine.id, title=plan["prompt"][:2000],
        params={"prompt": plan["prompt"], "duration": plan["duration"], "variations": takes,
                "loop": plan["loop"], "seed": plan["seed"], "plan": plan},
        cost=cost, run=run,
    )
    return spec, tuple(plan["notices"]), plan
