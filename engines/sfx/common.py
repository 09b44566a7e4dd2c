"""The sound-effects request, its checks, and the plan every sound-effects engine fills in.

Checks run before any heavy work and raise :class:`audiokit.errors.InvalidInput` naming the
field, what was received and what to do. The prompt checks catch what a text-to-sound
model cannot use: nothing to say, an essay, another language, or a keyboard mash.

An engine's ``check(request)`` returns the request with ``plan`` filled in: what will be
made and why (JSON-able, stored with the job and shown by the page), including one entry
per variation in ``plan["variations"]``. A plan says how sure it is: ``confidence`` (0–1),
``closest`` (what would be served) and ``needs_confirmation``; when that is true and the
request does not say ``accept_closest``, ``check`` raises :class:`NeedsConfirmation`, which
carries the plan so the caller can show "closest available: …" and let the person decide.
``plan["duration"]`` is the length delivered (a single event comes at its own length). ``run(request)`` renders the one variation named
by ``request.take``; :func:`take_of` finds it and says what is wrong when it cannot.
"""
from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass

from audiokit.errors import InvalidInput

MAX_PROMPT_CHARS = 500
DURATION_MIN, DURATION_MAX = 0.5, 30.0
VARIATIONS_MIN, VARIATIONS_MAX = 1, 4
SEED_MAX = 2**32 - 1
EXAMPLE = "heavy rain on a tin roof with distant thunder"

# Function words tell English from its neighbours better than spelling does.
_ENGLISH = {"the", "a", "an", "of", "on", "in", "with", "and", "to", "at", "from", "by", "into", "over", "is",
            "are", "then", "far", "near", "some", "its", "it", "that", "this", "under", "through", "while"}
_OTHER = {"el", "la", "los", "las", "del", "una", "sobre", "con", "y", "lluvia", "le", "les", "des", "et", "du",
          "sur", "avec", "une", "der", "die", "das", "und", "mit", "auf", "ein", "eine", "il", "di", "della", "che",
          "per", "nel", "em", "uma", "não", "och", "het", "een", "niet", "op", "ist", "dans", "est", "très"}
# Sound words a general vocabulary lacks; the engines add the words of their own catalogues.
ONOMATOPOEIA = frozenset("""whoosh swoosh swish woosh zap pew boom kaboom bang thud thump clang clank
    clink ding dong bling boing sizzle fizz buzz whirr whir hiss crackle rumble beep bleep blip chirp tweet
    woof meow moo oink baa quack neigh hoot croak ribbit tick tock ding-dong splash splosh plop drip
    swooshes whooshes zaps booms thuds clangs dings beeps blips chirps""".split())


@dataclass(frozen=True)
class SFXRequest:
    prompt: str
    duration: float = 5.0  # seconds, 0.5–30
    variations: int = 1  # 1–4, each from its own seed
    loop: bool = False  # make every variation a seamless loop
    seed: int | None = None  # None: a fresh random seed (the plan records the one used)
    negative_prompt: str | None = None  # AudioLDM only: what to steer away from
    steps: int | None = None  # AudioLDM only; None: the engine's default (100)
    guidance: float | None = None  # AudioLDM only; None: the engine's default (3.0)
    take: int = 0  # which variation of the plan ``run`` renders, 0 … variations - 1
    plan: dict | None = None  # filled by the engine's ``check``: what will be made, and why
    accept_closest: bool = False  # serve the closest available sound even when the match is loose


class NeedsConfirmation(InvalidInput):
    """The closest available sound is not a confident match; ``plan`` says what would be served."""

    def __init__(self, message: str, plan: dict):
        super().__init__("prompt", message)
        self.plan = plan


def check_take(take, variations: int) -> int:
    """``take`` if it names one of ``variations`` variations; InvalidInput with the range otherwise."""
    if isinstance(take, bool) or not isinstance(take, int) or not 0 <= take < variations:
        allowed = "0" if variations == 1 else f"a whole number 0–{variations - 1}"
        raise InvalidInput("take", f"Take must be {allowed}, one per variation of the {variations} requested; got {take!r}.")
    return take


def take_of(request: SFXRequest, engine_id: str) -> dict:
    """The variation of ``request.plan`` that ``request.take`` names, for engine ``engine_id``."""
    plan = request.plan
    if plan is None:
        raise ValueError("the request has no plan: pass it through the engine's check() first")
    if plan.get("engine") != engine_id:
        raise ValueError(f"plan is for engine {plan.get('engine')!r}, not {engine_id!r}")
    return plan["variations"][check_take(request.take, len(plan["variations"]))]


@functools.lru_cache(maxsize=1)
def english_vocabulary() -> frozenset[str]:
    """Whole words of the MiniLM WordPiece vocabulary (uncased English); empty if not fetched."""
    from engines.sfx.lib import assets

    path = assets.library_dir("minilm") / "vocab.txt"
    if not path.exists():
        return frozenset()
    return frozenset(w for w in path.read_text(encoding="utf-8").split() if w.isalpha())


def _known(word: str, vocab: frozenset[str]) -> bool:
    if word in vocab:
        return True
    for suffix in ("ing", "ed", "es", "s", "ly", "er", "ers", "y"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            if stem in vocab or stem + "e" in vocab or (len(stem) > 3 and stem[-1] == stem[-2] and stem[:-1] in vocab):
                return True
    return False


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    first = name.split(" ")[0] if name else "unknown"
    return {"CJK": "Chinese/Japanese (CJK)", "LATIN": "Latin"}.get(first, first.title())


def check_prompt(raw: str | None, vocab: frozenset[str] | None = None) -> tuple[str, tuple[str, ...]]:
    """A tidy prompt and notices, or InvalidInput saying what is wrong and how to fix it."""
    if raw is None or not str(raw).strip():
        raise InvalidInput("prompt", f"The prompt is empty. Describe the sound, e.g. “{EXAMPLE}”.")
    raw = str(raw)
    if len(raw) > MAX_PROMPT_CHARS:
        raise InvalidInput(
            "prompt",
            f"The prompt is {len(raw):,} characters; the limit is {MAX_PROMPT_CHARS}. "
            "Describe one sound or scene in a sentence or two.",
        )
    notices: list[str] = []
    text = unicodedata.normalize("NFC", raw)
    kept, dropped = [], 0
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] in "LNPZ" or ch in "-'&+/" or (cat[0] == "M" and kept and kept[-1].isalpha()):
            kept.append(ch if cat[0] != "Z" else " ")
        else:
            dropped += 1
            kept.append(" ")
    text = re.sub(r"\s+", " ", "".join(kept)).strip()
    if dropped:
        notices.append(f"Ignored {dropped} emoji, symbol or control character{'s' * (dropped != 1)} in the prompt.")
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        raise InvalidInput("prompt", f"The prompt has no words, only {raw.strip()[:40]!r}. Describe the sound, e.g. “{EXAMPLE}”.")
    non_latin = [ch for ch in letters if _script(ch) != "Latin"]
    if len(non_latin) > 0.3 * len(letters):
        script = max({_script(ch) for ch in non_latin}, key=lambda s: sum(_script(ch) == s for ch in non_latin))
        raise InvalidInput(
            "prompt",
            f"The prompt is written in {script} script ({text[:30]!r}); the sound models understand English only. "
            f"Describe the sound in English, e.g. “{EXAMPLE}”.",
        )
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    foreign = [w for w in words if w in _OTHER]
    english = [w for w in words if w in _ENGLISH]
    if foreign and len(foreign) > len(english):
        raise InvalidInput(
            "prompt",
            f"The prompt looks like it is not in English (words such as {', '.join(repr(w) for w in foreign[:3])}); "
            f"the sound models understand English only. Describe the sound in English, e.g. “{EXAMPLE}”.",
        )
    if vocab:
        vocab = vocab | ONOMATOPOEIA
        unknown = [w for w in words if not _known(w, vocab)]
        if words and len(unknown) > 0.5 * len(words):
            raise InvalidInput(
                "prompt",
                f"Most words in the prompt are not English words we know ({', '.join(repr(w) for w in unknown[:4])}). "
                f"Describe the sound in plain English, e.g. “{EXAMPLE}”.",
            )
        if unknown:
            notices.append(f"Words we do not know and may not match: {', '.join(repr(w) for w in unknown[:5])}.")
    return text, tuple(notices)


def check_numbers(duration, variations, seed) -> tuple[float, int, int | None]:
    """Duration, variations and seed checked and typed, or InvalidInput with the allowed range."""
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or not math.isfinite(duration) \
            or not DURATION_MIN <= duration <= DURATION_MAX:
        raise InvalidInput("duration", f"Duration must be {DURATION_MIN}–{DURATION_MAX:g} seconds, got {duration!r}.")
    if isinstance(variations, bool) or not isinstance(variations, int) or not VARIATIONS_MIN <= variations <= VARIATIONS_MAX:
        raise InvalidInput("variations", f"Variations must be a whole number {VARIATIONS_MIN}–{VARIATIONS_MAX}, got {variations!r}.")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX):
        raise InvalidInput("seed", f"Seed must be a whole number 0–{SEED_MAX}, or empty for a random one; got {seed!r}.")
    return float(duration), int(variations), seed
