"""Reading a prompt as a scene: its parts (layers), their order, and how each should sound.

``split`` cuts the prompt at commas and joining words ("with", "and", "while", "then", …);
"then" and "followed by" make a part start after the one before. ``modifiers`` reads the
words that set a layer's parameters from small tables (intensity, distance, pitch, speed,
placement left/right), counts ("twice", "three times", "3 barks"), and whether the part
asks for one event ("a single gunshot", "one knock") or for it again and again
("repeatedly", "over and over"). *Which sound* a part is, and whether a
trailing "in a large hall" is a room, is decided by embedding similarity in the engine,
not here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# word or phrase -> value; a word may set several parameters ("huge": loud and low).
INTENSITY = {
    "torrential": 1.0, "violent": 1.0, "massive": 1.0, "raging": 0.95, "heavy": 0.9, "intense": 0.9, "pouring": 0.9,
    "huge": 0.9, "powerful": 0.9, "strong": 0.85, "loud": 0.85, "hard": 0.8, "big": 0.75, "steady": 0.5,
    "moderate": 0.5, "small": 0.35, "little": 0.35, "light": 0.25, "soft": 0.25, "gentle": 0.2, "quiet": 0.2,
    "calm": 0.2, "weak": 0.2, "slight": 0.2, "faint": 0.15, "drizzle": 0.15, "drizzling": 0.15,
}
DISTANCE = {
    "in the distance": 0.85, "far away": 0.9, "far off": 0.85, "far-off": 0.85, "faraway": 0.9, "distant": 0.85,
    "far": 0.8, "remote": 0.8, "next door": 0.6, "muffled": 0.6, "nearby": 0.15, "near": 0.15, "close up": 0.05,
    "close-up": 0.05, "right next to": 0.05, "close": 0.1, "up close": 0.05,
}
PITCH = {
    "high-pitched": 0.8, "high pitched": 0.8, "squeaky": 0.8, "shrill": 0.8, "tiny": 0.6, "high": 0.6, "small": 0.4,
    "little": 0.4, "low-pitched": -0.8, "low pitched": -0.8, "giant": -0.7, "deep": -0.7, "low": -0.6,
    "huge": -0.6, "big": -0.4, "massive": -0.7,
}
SPEED = {
    "racing": 0.9, "rapid": 0.8, "rapidly": 0.8, "running": 0.8, "fast": 0.7, "quick": 0.6, "quickly": 0.6,
    "hurried": 0.6, "frantic": 0.8, "slow": -0.6, "slowly": -0.6, "lazy": -0.5, "sluggish": -0.7, "walking": -0.1,
    "leisurely": -0.6, "galloping": 0.8, "gallop": 0.8, "trotting": 0.2, "impatiently": 0.6, "impatient": 0.6,
    "urgent": 0.6, "urgently": 0.6,
}
PAN = {
    "on the left": -0.7, "to the left": -0.7, "from the left": -0.7, "at the left": -0.7, "left side": -0.7,
    "on my left": -0.7, "left channel": -0.9, "on the right": 0.7, "to the right": 0.7, "from the right": 0.7,
    "at the right": 0.7, "right side": 0.7, "on my right": 0.7, "right channel": 0.9, "in the middle": 0.0,
    "in the centre": 0.0, "in the center": 0.0,
}
SINGLE = ("a single", "single", "one", "once", "just one", "only one", "a lone", "lone", "one-shot", "one shot")
REPEATED = ("repeatedly", "again and again", "over and over", "continuous", "continuously", "constant", "constantly",
            "nonstop", "non-stop", "keeps", "keep", "series of", "volley of", "barrage", "multiple", "many", "several",
            "lots of", "rapid fire", "a burst of", "in a row", "loop", "looping")
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
COUNT_WORDS = {"once": 1, "twice": 2, "thrice": 3, "a couple of": 2, "a few": 3, "several": 4}
MAX_COUNT = 12

_SEQUENTIAL = r"and then|then|followed by|afterwards|after that"
_SIMULTANEOUS = r"with|while|and|plus|along with|as well as|amid|amidst"
_SPLIT = re.compile(rf"\s*(?:([,;])|(?:\.\s+)|\b({_SEQUENTIAL}|{_SIMULTANEOUS})\b)\s*", re.IGNORECASE)
_ROOM_TAIL = re.compile(r"^(?P<head>.+?)\s+(?P<tail>(?:in|inside|within|through|across|at)\s+(?:a|an|the)?\s*[\w\s'-]+)$", re.I)


@dataclass(frozen=True)
class Part:
    text: str  # the words of this part as written
    after_previous: bool = False  # "then …": starts when the previous part ends
    count: int | None = None  # how many times ("twice"); None: as the source comes
    intensity: float | None = None
    distance: float | None = None
    pitch: float | None = None
    speed: float | None = None
    pan: float | None = None  # -1 left … +1 right; None: the engine places it
    single: bool = False  # "a single …", "one …", "once": one event, at its own length
    repeated: bool = False  # "repeatedly", "over and over", "several": again and again, filling the length
    reasons: tuple[str, ...] = field(default=())  # "'heavy' → intensity 0.90", for the plan


def split(prompt: str) -> list[tuple[str, bool]]:
    """(fragment, starts after the previous one) for each part of ``prompt``, in order."""
    pieces: list[tuple[str, bool]] = []
    pos, after = 0, False
    for m in _SPLIT.finditer(prompt):
        fragment = prompt[pos : m.start()].strip(" .,;")
        if fragment:
            pieces.append((fragment, after))
            after = False
        joiner = (m.group(2) or "").lower()
        after = after or bool(re.fullmatch(_SEQUENTIAL, joiner)) or m.group(0).strip().startswith(".")
        pos = m.end()
    tail = prompt[pos:].strip(" .,;")
    if tail:
        pieces.append((tail, after))
    return pieces


def room_tail(fragment: str) -> tuple[str, str] | None:
    """("a dog barks twice", "in a large hall") when the fragment ends in a place phrase."""
    m = _ROOM_TAIL.match(fragment)
    if not m or len(m.group("head").split()) < 1:
        return None
    return m.group("head").strip(), m.group("tail").strip()


def _lookup(text: str, table: dict[str, float]) -> tuple[str, float] | None:
    # Longest phrase first, whole words only.
    for phrase in sorted(table, key=len, reverse=True):
        if re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text):
            return phrase, table[phrase]
    return None


def _count(text: str) -> tuple[str, int] | None:
    m = re.search(r"\b(\d+|" + "|".join(NUMBERS) + r")\s+times\b", text)
    if m:
        raw = m.group(1)
        return m.group(0), int(raw) if raw.isdigit() else NUMBERS[raw]
    found = _lookup(text, {k: float(v) for k, v in COUNT_WORDS.items()})
    if found:
        return found[0], int(found[1])
    m = re.search(r"\b(\d+|" + "|".join(k for k in NUMBERS if k != "one") + r")\s+[a-z]+s\b", text)
    if m:
        raw = m.group(1)
        return m.group(0), int(raw) if raw.isdigit() else NUMBERS[raw]
    return None


def modifiers(fragment: str, after_previous: bool = False) -> Part:
    """The part with the parameters its words set, and the reasons for the plan."""
    text = fragment.lower()
    values: dict[str, float | int | None] = {}
    reasons: list[str] = []
    for name, table in (("intensity", INTENSITY), ("distance", DISTANCE), ("pitch", PITCH), ("speed", SPEED)):
        found = _lookup(text, table)
        if found:
            values[name] = found[1]
            reasons.append(f"'{found[0]}' → {name} {found[1]:+.2f}" if name in ("pitch", "speed") else f"'{found[0]}' → {name} {found[1]:.2f}")
    found = _lookup(text, PAN)
    if found:
        values["pan"] = found[1]
        reasons.append(f"'{found[0]}' → placed {'left' if found[1] < 0 else 'right' if found[1] > 0 else 'centre'}")
    counted = _count(text)
    if counted and counted[1] > 1:
        values["count"] = max(1, min(MAX_COUNT, counted[1]))
        reasons.append(f"'{counted[0]}' → {values['count']} time{'s' * (values['count'] != 1)}")
    else:
        single = _lookup(text, dict.fromkeys(SINGLE, 1.0))
        if single:
            values["single"] = True
            reasons.append(f"'{single[0]}' → a single event")
    repeated = _lookup(text, dict.fromkeys(REPEATED, 1.0))
    if repeated and "count" not in values and not values.get("single"):
        values["repeated"] = True
        reasons.append(f"'{repeated[0]}' → repeated to fill the length")
    return Part(text=fragment, after_previous=after_previous, reasons=tuple(reasons), **values)
