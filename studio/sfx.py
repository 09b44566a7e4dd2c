"""Sound effects as a job: check the request, plan it, price it, and render it in the pool.

Everything a person can get wrong is checked, and the plan (which sources, why) is made,
before a credit is spent; the plan is stored with the job so the page and the history can
show what was used. Pricing: every variation is a separate generation of ``duration``
seconds, so ``per_generation`` and ``per_second`` both apply per variation — four
variations of 5 s cost 4 × (50 + 2 × 5) = 240 credits with the default prices.
"""
from __future__ import annotations

from engines import registry
from engines.sfx_common import SFXRequest, check_numbers, check_prompt
from studio import credits
from studio.errors import InvalidInput
from studio.jobs import JobContext, JobSpec

DEFAULT_ENGINE = "sfx_library"
EXAMPLES = (
    "heavy rain on a tin roof with distant thunder",
    "retro laser shot",
    "a dog barks twice in a large hall",
    "crackling campfire with gentle wind",
    "footsteps on gravel, then a door alarm beeps",
    "coin pickup",
    "car engine idling in a tunnel",
    "ocean waves with seagulls far away",
)


def price(prices: dict, duration: float, variations: int) -> int:
    """Credits for ``variations`` clips of ``duration`` seconds (see the module docstring)."""
    return credits.price(prices, "sfx", seconds=duration * variations, generations=variations)


def build_job(engine, prompt: str, duration: float = 5.0, variations: int = 1, loop: bool = False,
              seed: int | None = None, prices: dict | None = None, negative_prompt: str | None = None,
              steps: int | None = None, guidance: float | None = None) -> tuple[JobSpec, tuple[str, ...], dict]:
    """Validate and plan before anything is charged; return (job, notices, plan)."""
    request = SFXRequest(prompt, duration, variations, loop, seed, negative_prompt, steps, guidance)
    plan = engine.plan(request)  # every check of the request happens here, cheap ones first
    cost = price(prices or {"sfx": {}}, plan["duration"], len(plan["variations"]))

    def run(ctx: JobContext):
        return engine.generate(request, plan, progress=ctx.progress, should_stop=ctx.should_stop)

    spec = JobSpec(
        service="sfx", engine=engine.name, title=plan["prompt"][:2000],
        params={"prompt": plan["prompt"], "duration": plan["duration"], "variations": len(plan["variations"]),
                "loop": plan["loop"], "seed": plan["seed"], "plan": plan},
        cost=cost, run=run,
    )
    return spec, tuple(plan["notices"]), plan


def submit(studio, user_id: str, prompt: str, duration: float = 5.0, variations: int = 1, loop: bool = False,
           engine: str = DEFAULT_ENGINE, seed: int | None = None, negative_prompt: str | None = None,
           steps: int | None = None, guidance: float | None = None) -> tuple[str, tuple[str, ...], dict]:
    """Queue a sound-effect job; returns (job id, notices, plan). InvalidInput before any charge."""
    check_numbers(duration, variations, seed)  # cheap checks before an engine is loaded
    check_prompt(prompt)
    known_spec = registry.SPECS.get(engine)
    if known_spec is None or known_spec.kind != "sfx":
        known = ", ".join(n for n, s in registry.SPECS.items() if s.kind == "sfx")
        raise InvalidInput("engine", f"Unknown sound-effects engine {engine!r}; pick one of: {known}.")
    job, notices, plan = build_job(studio.load_engine(engine), prompt, duration, variations, loop, seed,
                                   studio.settings.prices, negative_prompt, steps, guidance)
    return studio.submit(user_id, job), notices, plan
