"""Offline sound effects: CC0 recordings and procedural synthesis, matched by meaning and mixed.

``check(request)`` reads the prompt as a scene (``engines.sfx.lib.prompt``), decides what is a
room and what is a sound by embedding similarity, picks each layer's source from the
catalogue (``engines.sfx.lib.catalog``) and, per variation, which of the equally good
sources to use — all before any audio is made — and returns the request with that plan, so
the caller can show and store it with the job.

The plan is honest about the match. Each layer has a ``confidence`` (0–1, from the
similarity, lowered when a known gap — a sound the library lacks — is nearer); the plan has
the lowest as ``confidence``, what would be served as ``closest``, and ``needs_confirmation``
when that is under :data:`CONFIRM_BELOW` or a part of the prompt had to be left out. Such a
plan is served only with ``accept_closest``; otherwise ``check`` raises
:class:`~engines.sfx.common.NeedsConfirmation` carrying the plan. A prompt with nothing close
at all is refused with the nearest suggestions.

The plan also says how each layer fills the length (``fill``): a bed plays throughout (and
loops seamlessly); a repeating sound repeats with natural variation until the length is
filled; an event ("a single gunshot") is delivered at its own length — ``plan["duration"]``
is then the delivered length, measured by rendering each take once, and that is what is
charged. ``run(request)`` renders the variation ``request.take`` from its seed: sources
shaped by the prompt's intensity, pitch, speed and count, placed in time and in the stereo
field, pushed back by distance, put in the room, fitted to the duration (or looped) and
loudness-normalised.
"""
from __future__ import annotations

import logging
import re
import secrets
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import numpy as np

from audiokit import Audio, Cancel, Progress, dsp
from audiokit.errors import InvalidInput
from engines.contract import Engine, missing_module, stop_if
from engines.sfx.common import (NeedsConfirmation, SFXRequest, check_numbers, check_prompt, check_take,
                                english_vocabulary, take_of)
from engines.sfx.lib import assets, mix, synth
from engines.sfx.lib.catalog import CATALOG_PATH, Catalog, Entry, Match
from engines.sfx.lib.prompt import Part, modifiers, room_tail, split

log = logging.getLogger(__name__)

SAMPLE_RATE = synth.SAMPLE_RATE
CHANNELS = 2
MATCH_MIN = 0.35  # below this a part is left out: nothing in the library is like it
CONFIDENCE_FLOOR, CONFIDENCE_FULL = 0.40, 0.70  # similarity that maps to confidence 0 and 1 (0.55: 0.5)
AMBIGUOUS = 0.05  # another category closer than this to the best lowers the confidence
CONFIRM_BELOW = 0.5  # a plan less confident than this is served only if the user says so
GAP_MIN = 0.45  # a left-out part at least this close to a known gap is a sound we lack, not filler words
GAP_MARGIN = 0.02  # a known gap this much nearer than the best source means the library lacks the sound
LAYER_MIN = 0.45  # a fragment weaker than this is read together with the one before it
ROOM_MIN = 0.7  # a place phrase must be at least this close to a room …
ROOM_MARGIN = 0.05  # … and this much closer to it than to any sound ("in the snow" is about the steps)
POOL_MARGIN = 0.08  # sources of the same category this close to the best share the variations
MAX_LAYERS = 4
LAYER_LUFS = {"bed": -26.0, "repeat": -21.0, "event": -20.0}  # layer levels before the final normalisation
WIDTH = {"bed": 0.8, "repeat": 0.25, "event": 0.15}  # stereo width of a mono source of each kind
END_DB = -50.0  # a single event ends where it has fallen this far below its peak
LOOP_SEARCH = 1.5  # seconds of extra material a loop may start within, to put its seam on a steady spot
MANY = {"gunfire", "shooting", "shootout", "traffic", "thunderstorm", "fireworks", "bombardment"}


def confidence(score: float, gap_score: float | None = None, runner_up: float | None = None) -> float:
    """How sure a match is, 0–1: the similarity mapped linearly from CONFIDENCE_FLOOR (0) to
    CONFIDENCE_FULL (1), less up to 0.1 when another category (``runner_up``) is almost as
    close; when a known gap is nearer (by GAP_MARGIN), at most half of CONFIRM_BELOW."""
    c = (score - CONFIDENCE_FLOOR) / (CONFIDENCE_FULL - CONFIDENCE_FLOOR)
    if runner_up is not None:
        c -= 2 * max(0.0, AMBIGUOUS - (score - runner_up))
    c = float(np.clip(c, 0.0, 1.0))
    if gap_score is not None and gap_score > score + GAP_MARGIN:
        c = min(c, CONFIRM_BELOW / 2)
    return round(c, 3)


def fill_mode(part: Part, entry: Entry, loop: bool = False) -> tuple[str, int | None, str]:
    """How a layer fills the requested length: ("bed" | "fill" | "count" | "single", count, why)."""
    if entry.kind == "bed":
        return "bed", None, "plays throughout"
    text = part.text.lower()
    words = re.findall(r"[a-z]+", text)
    said = sum(len(re.findall(rf"\b{re.escape(o)}\b", text)) for o in entry.one)
    plural = any(re.search(rf"\b{re.escape(o)}(?:s|es)\b", text) for o in entry.one)
    many = bool(MANY & set(words)) or plural or said > 1 or part.repeated
    if part.count:
        return "count", part.count, f"{part.count} times, as asked"
    if loop:
        return "fill", None, "repeated to fill the loop"
    if entry.kind == "repeat":
        if part.single or (said == 1 and not many):
            n = int(entry.params.get("single_count", 1))
            return "count", n, "one, as asked" if n == 1 else f"one {entry.one[0] if entry.one else 'event'} ({n} hits)"
        return "fill", None, "repeats with natural variation to fill the length"
    if many:
        return "fill", None, "repeated to fill the length"
    return "single", 1, "one event, at its own length"


class SFXLibraryEngine(Engine):
    id = "sfx_library"
    kind = "sfx"
    title = "Sound library + synthesis — offline, CC0 recordings and procedural"
    licence = "CC0 recordings (Kenney, BigSoundBank) + procedural synthesis; MiniLM encoder Apache-2.0"
    sample_rate = SAMPLE_RATE

    def __init__(self, catalog_path: Path = CATALOG_PATH, cache_dir: Path | None = None):
        super().__init__()
        self._catalog_path = catalog_path
        self._cache_dir = cache_dir
        self.catalog: Catalog | None = None  # set by load()
        self.vocabulary: frozenset[str] = frozenset()

    def probe(self) -> str | None:
        missing = assets.missing()
        if missing:
            return f"Missing {', '.join(missing)} (sound libraries, text encoder). Run `make assets`."
        return missing_module("pyfxr", "pyfxr") or missing_module("pyloudnorm", "pyloudnorm")

    def _load(self) -> None:
        from engines.sfx.lib.embed import SentenceEncoder

        self.catalog = Catalog(SentenceEncoder(assets.library_dir("minilm")), self._catalog_path, self._cache_dir)
        texts = [t for e in self.catalog.entries for t in e.texts] + [t for g in self.catalog.gaps for t in g.texts]
        words = {w for t in texts for w in re.findall(r"[a-z]+", t.lower())}
        self.vocabulary = english_vocabulary() | frozenset(words)
        log.info("sound library ready: %d sources in %d categories, %d rooms, %d known gaps",
                 len(self.catalog.entries), len(self.catalog.categories()), len(self.catalog.rooms), len(self.catalog.gaps))

    # -- planning ------------------------------------------------------------------------
    def check(self, request: SFXRequest) -> SFXRequest:
        """The request with its plan: what it will be made of, how sure, and why.

        InvalidInput when nothing fits; NeedsConfirmation (with the plan) when the closest
        available sound is a loose match and ``request.accept_closest`` is false."""
        if request.plan is not None:
            return request
        check_prompt(request.prompt)  # what needs no catalogue fails before it is loaded
        duration, variations, seed = check_numbers(request.duration, request.variations, request.seed)
        check_take(request.take, variations)
        self.load()
        text, notices = check_prompt(request.prompt, self.vocabulary)
        seed = secrets.randbelow(2**32) if seed is None else seed
        notices = list(notices)
        fragments = split(text)
        room, fragments = self._find_room(fragments, notices)
        parts, matches = self._match_parts(fragments)
        gaps = self.catalog.search_gaps([p.text for p in parts]) if parts else []
        kept: list[tuple[Part, list[Match], Match | None]] = []
        missing: list[dict] = []
        for part, found, gap in zip(parts, matches, gaps):
            best = found[0]
            if best.score < MATCH_MIN:
                lacking = gap is not None and gap.score >= GAP_MIN
                notices.append(f"Nothing in the offline library sounds like “{part.text}” (closest: {best.entry.title}, "
                               f"similarity {best.score:.2f})" + (f"; it has no {gap.entry.title}" if lacking else "")
                               + "; left it out.")
                if lacking:
                    missing.append({"part": part.text, "closest": best.entry.title, "score": round(best.score, 3),
                                    "gap": gap.entry.title})
                continue
            kept.append((part, found, gap))
        if not kept:
            raise InvalidInput("prompt", self._refusal(text, parts, matches, gaps))
        if len(kept) > MAX_LAYERS:
            notices.append(f"The prompt has {len(kept)} parts; mixed the first {MAX_LAYERS}.")
            kept = kept[:MAX_LAYERS]
        layers = [self._layer(part, found, gap, bool(request.loop)) for part, found, gap in kept]
        self._place(layers)
        if room is None:
            room = self._default_room(layers, notices)
        if len(layers) > 1:
            notices.append(f"Mixed {len(layers)} layers: " + "; ".join(f"{l['title']}" for l in layers) + ".")
        plan_confidence = min(l["confidence"] for l in layers)
        needs = plan_confidence < CONFIRM_BELOW or bool(missing)
        weakest = min(layers, key=lambda l: l["confidence"])
        single = all(l["fill"] in ("single", "count") for l in layers)
        seeds = [(seed + v) % 2**32 for v in range(variations)]
        plan = {
            "engine": self.id, "prompt": text, "duration": duration, "requested_duration": duration,
            "loop": bool(request.loop) and not single, "seed": seed, "sample_rate": SAMPLE_RATE, "channels": CHANNELS,
            "target_lufs": mix.TARGET_LUFS, "room": room, "layers": layers,
            "confidence": plan_confidence, "closest": " + ".join(l["title"] for l in layers),
            "needs_confirmation": needs, "missing": missing, "single": single,
            "variations": [{"seed": s, "sources": [self._pick(layer, s, i) for i, layer in enumerate(layers)]} for s in seeds],
            "notices": notices,
        }
        if needs:
            plan["confirmation"] = self._confirmation(weakest, missing)
        if single:
            self._measure(plan, notices)
        if needs:
            if not request.accept_closest:
                raise NeedsConfirmation(plan["confirmation"], plan)
            notices.append("Served the closest available sound, as asked.")
            plan["accepted_closest"] = True
        return replace(request, plan=plan)

    def _refusal(self, text: str, parts: list[Part], matches: list[list[Match]], gaps: list[Match | None]) -> str:
        """Why nothing can be served, with the nearest sounds the library has."""
        best = max(range(len(matches)), key=lambda i: matches[i][0].score) if matches else None
        suggestions: list[str] = []
        if best is not None:
            for m in matches[best]:
                if m.entry.category not in suggestions:
                    suggestions.append(m.entry.category)
        nearest = ", ".join(s.replace("_", " ") for s in suggestions[:3])
        lacking = next((g.entry.title for g in gaps if g is not None and g.score >= GAP_MIN), None)
        return (f"Nothing in the offline library sounds like “{text[:80]}”"
                + (f" (it has no {lacking})" if lacking else "")
                + (f". Nearest: {nearest} (similarity {matches[best][0].score:.2f}); nothing was charged." if nearest else ".")
                + " Try other words, or the AudioLDM engine if it is installed.")

    @staticmethod
    def _confirmation(weakest: dict, missing: list[dict]) -> str:
        if missing:
            m = missing[0]
            return (f"The offline library has no {m['gap']} for “{m['part']}”; closest available: {m['closest']} "
                    f"(similarity {m['score']:.2f}). Generate the rest anyway, or rephrase.")
        why = f"; it has no {weakest['gap']}" if weakest.get("gap") else ""
        return (f"Not a confident match for “{weakest['part']}”{why}: closest available: {weakest['title']} "
                f"(similarity {weakest['score']:.2f}, confidence {weakest['confidence']:.2f}). Generate it anyway, or rephrase.")

    def _find_room(self, fragments: list[tuple[str, bool]], notices: list[str]) -> tuple[dict | None, list[tuple[str, bool]]]:
        """Take out the phrase that names a place ("in a large hall"), if one is close enough to a room."""
        candidates: list[tuple[int, str, str | None]] = []  # (fragment index, place phrase, head left)
        for i, (fragment, _) in enumerate(fragments):
            candidates.append((i, fragment, None))
            tail = room_tail(fragment)
            if tail:
                candidates.append((i, tail[1], tail[0]))
        phrases = [c[1] for c in candidates]
        rooms = self.catalog.search_rooms(phrases, k=1)
        sounds = self.catalog.search(phrases, k=1)
        best = None
        for (i, phrase, head), room, sound in zip(candidates, rooms, sounds):
            r, s = room[0], sound[0]
            if r.score >= ROOM_MIN and r.score > s.score + ROOM_MARGIN and (best is None or r.score > best[3].score):
                best = (i, phrase, head, r)
        if best is None:
            return None, fragments
        i, phrase, head, match = best
        out = list(fragments)
        if head is None:
            del out[i]
        else:
            out[i] = (head, fragments[i][1])
        room = match.entry
        notices.append(f"“{phrase}” → room: {room.title} (reverb {room.rt60:.1f} s).")
        return {"id": room.id, "title": room.title, "rt60": room.rt60, "tone": room.tone, "from": phrase,
                "score": round(match.score, 3)}, out

    def _default_room(self, layers: list[dict], notices: list[str]) -> dict | None:
        """The space the main sound usually lives in (knocking: a room), when the prompt names none."""
        entry = self.catalog.by_id[layers[0]["entry"]]
        room = next((r for r in self.catalog.rooms if r.id == entry.room), None)
        if room is None:
            return None
        notices.append(f"Room: {room.title} (reverb {room.rt60:.1f} s), the usual space for {entry.title.split(' (')[0].lower()}.")
        return {"id": room.id, "title": room.title, "rt60": room.rt60, "tone": room.tone, "from": "default", "score": None}

    def _match_parts(self, fragments: list[tuple[str, bool]]) -> tuple[list[Part], list[list[Match]]]:
        """Parts and their matches; a half-relevant fragment is read with the one before it."""
        if not fragments:
            return [], []
        texts = [f for f, _ in fragments]
        afters = [a for _, a in fragments]
        while True:
            found = self.catalog.search(texts, k=8)
            gaps = self.catalog.search_gaps(texts)
            # Half-relevant fragments ("… up and down stairs") read better with the one before;
            # unrelated ones (below MATCH_MIN), and sounds the library lacks ("and a violin plays"),
            # stay apart so the plan can say so.
            weak = next((i for i in range(1, len(texts)) if MATCH_MIN <= found[i][0].score < LAYER_MIN
                         and not (gaps[i] is not None and gaps[i].score > found[i][0].score + GAP_MARGIN)), None)
            if weak is None:
                break
            texts[weak - 1] = f"{texts[weak - 1]} and {texts[weak]}"
            del texts[weak], afters[weak]
        return [modifiers(t, a) for t, a in zip(texts, afters)], found

    def _layer(self, part: Part, found: list[Match], gap: Match | None, loop: bool) -> dict:
        best = found[0]
        entry: Entry = best.entry
        pool = [m for m in found if m.entry.category == entry.category and m.score >= best.score - POOL_MARGIN][:5]
        others = [m for m in found[1:] if m.entry.id != entry.id][:3]
        why = f"closest to “{part.text}” (similarity {best.score:.2f}, via “{best.text}”)"
        if len(pool) > 1:
            why += f"; variations also use {', '.join(m.entry.title for m in pool[1:])}"
        runner_up = next((m.score for m in found if m.entry.category != entry.category), None)
        gap_near = gap is not None and gap.score > best.score + GAP_MARGIN
        if gap_near:
            why += f"; but it is nearer to something the library lacks ({gap.entry.title}, {gap.score:.2f})"
        fill, count, how = fill_mode(part, entry, loop)
        return {
            "part": part.text, "entry": entry.id, "title": entry.title, "source": entry.source, "licence": entry.licence,
            "category": entry.category, "kind": entry.kind, "score": round(best.score, 3), "matched": best.text,
            "confidence": confidence(best.score, gap.score if gap is not None else None, runner_up),
            "gap": gap.entry.title if gap_near else None,
            "why": why, "alternatives": [[m.entry.title, round(m.score, 3)] for m in others],
            "pool": [[m.entry.id, round(m.score, 3)] for m in pool],
            "fill": fill, "count": count, "fill_why": how,
            "after_previous": part.after_previous, "intensity": part.intensity,
            "distance": part.distance, "pitch": part.pitch, "speed": part.speed, "pan": part.pan,
            "settings": list(part.reasons),
        }

    @staticmethod
    def _place(layers: list[dict]) -> None:
        """Where each layer sits in the stereo field: as the prompt says, else beds wide in the
        centre, the first sound in the centre and the others to alternate sides."""
        side = -1
        for index, layer in enumerate(layers):
            width = WIDTH[layer["kind"]] * (1 - 0.5 * (layer["distance"] or 0.0))
            if layer["pan"] is None:
                if layer["kind"] == "bed" or index == 0:
                    layer["pan"] = 0.0
                else:
                    layer["pan"], side = 0.35 * side, -side
            layer["width"] = round(width, 2)

    @staticmethod
    def _pick(layer: dict, seed: int, index: int) -> str:
        """Which of the layer's equally good sources this seed uses (the best most often)."""
        ids = [p[0] for p in layer["pool"]]
        scores = np.array([p[1] for p in layer["pool"]])
        weights = np.exp((scores - scores.max()) / 0.03)
        rng = np.random.default_rng([seed, index, 1])
        return ids[int(rng.choice(len(ids), p=weights / weights.sum()))]

    def _measure(self, plan: dict, notices: list[str]) -> None:
        """A plan of single events: render each take once to learn its natural length (the
        render is deterministic from the seed), and make that the delivered duration."""
        for variation in plan["variations"]:
            samples = self._render(plan, variation, None, None)
            variation["duration"] = round(len(samples) / SAMPLE_RATE, 3)
        delivered = max(v["duration"] for v in plan["variations"])
        requested = plan["requested_duration"]
        plan["duration"] = delivered
        what = "; ".join(f"“{l['part']}”: {l['fill_why']}" for l in plan["layers"])
        if delivered < requested - 0.005:
            notices.append(f"A single event is delivered at its own length: {delivered:.2f} s instead of the "
                           f"{requested:g} s asked for ({what}); charged for {delivered:.2f} s. "
                           "Ask for several (“gunshots”, “three knocks”) or a loop to fill the length.")

    # -- rendering -----------------------------------------------------------------------
    def run(self, request: SFXRequest, progress: Progress | None = None, cancel: Cancel | None = None) -> Iterator[Audio]:
        """The variation ``request.take`` of the request's plan, as one stereo chunk."""
        if request.plan is None:
            request = self.check(request)
        variation = take_of(request, self.id)
        self.load()
        stop_if(cancel)
        samples = self._render(request.plan, variation, progress, cancel)
        if "duration" in variation:  # a single event: exactly the length the plan measured and priced
            samples = samples[: dsp.seconds_to_samples(variation["duration"], SAMPLE_RATE)]
        if progress:
            progress(1.0, "Done")
        yield Audio(samples, SAMPLE_RATE)

    def _render(self, plan: dict, variation: dict, progress: Progress | None, cancel: Cancel | None) -> np.ndarray:
        rng = np.random.default_rng(variation["seed"])
        duration = plan["requested_duration"] if "requested_duration" in plan else plan["duration"]
        length = dsp.seconds_to_samples(duration, SAMPLE_RATE)
        crossfade = dsp.seconds_to_samples(min(1.0, duration / 4), SAMPLE_RATE) if plan["loop"] else 0
        slack = dsp.seconds_to_samples(min(LOOP_SEARCH, duration / 4), SAMPLE_RATE) if plan["loop"] else 0
        total = length + crossfade + slack
        dry = np.zeros((total, CHANNELS), np.float32)
        send = np.zeros(total, np.float32)
        room_info = plan.get("room")
        outdoors = room_info is None or room_info["rt60"] <= 0
        has_bed = any(l["fill"] in ("bed", "fill") for l in plan["layers"])
        steps = len(variation["sources"]) + 1  # each layer, then the room and the loudness
        cursor = 0
        for index, (layer, source) in enumerate(zip(plan["layers"], variation["sources"])):
            stop_if(cancel)
            entry = self.catalog.by_id[source]
            if progress:
                progress(index / steps, f"Layer {index + 1} of {steps - 1}: {entry.title}")
            params = synth.Params(
                intensity=0.5 if layer["intensity"] is None else layer["intensity"],
                pitch=0.0 if layer["pitch"] is None else layer["pitch"],
                speed=0.0 if layer["speed"] is None else layer["speed"],
                distance=0.2 if layer["distance"] is None else layer["distance"],
                extra=entry.params,
            )
            x = self._source(entry, layer, total, rng, params)
            if layer["fill"] in ("bed", "fill"):
                start = 0
            elif layer["after_previous"] and index > 0:
                start = cursor + dsp.seconds_to_samples(rng.uniform(0.1, 0.3), SAMPLE_RATE)
            elif has_bed:
                start = dsp.seconds_to_samples(rng.uniform(0.15, 0.35) * duration, SAMPLE_RATE)
                start = min(start, max(0, length - len(x)))
            else:
                start = dsp.seconds_to_samples(rng.uniform(0.0, 0.06) + 0.25 * index, SAMPLE_RATE)
                start = min(start, max(0, length - len(x)))
            if layer["fill"] not in ("bed", "fill"):
                start = max(start, crossfade)  # a loop's first `crossfade` samples are faded in
            level = dsp.loudness(x, SAMPLE_RATE)
            if np.isfinite(level):
                target = LAYER_LUFS[entry.kind] + 8.0 * (params.intensity - 0.5) * (entry.source == "recording")
                x = x * np.float32(10 ** ((target - level) / 20))
            x = mix.stereo(x, SAMPLE_RATE, layer.get("pan") or 0.0, layer.get("width", 0.0), rng)
            x, amount = mix.at_distance(x, SAMPLE_RATE, params.distance)
            if outdoors:
                amount = max(0.0, params.distance - 0.3)  # open air: only far sources get a diffuse tail
            mix.place(dry, x, start)
            mix.place(send, x.mean(axis=1) * np.float32(amount), start)
            cursor = start + len(x)
        stop_if(cancel)
        if progress:
            progress((steps - 1) / steps, "Room and loudness")
        room = mix.Room(room_info["rt60"], room_info["tone"]) if not outdoors else mix.Room(0.6, 0.35)
        scene = dry + mix.reverb(send, SAMPLE_RATE, room, rng, channels=CHANNELS)
        if plan["loop"]:
            # Level first (the limiter then sees the material around the seam, not a cut end), start
            # where the seam falls on a steady spot, fold the tail over the start; the final
            # normalisation below then has next to nothing left to do.
            scene, _ = dsp.normalize(scene[: length + slack + crossfade], SAMPLE_RATE, mix.TARGET_LUFS)
            start = mix.loop_point(scene, length, SAMPLE_RATE, crossfade)
            scene = mix.make_loop(scene[start : start + length + crossfade], length)
        elif plan.get("single"):
            scene = dsp.fade(self._until_end(scene[:length]), SAMPLE_RATE, 0.002, 0.02)
        else:
            scene = dsp.fade(scene[:length], SAMPLE_RATE, 0.003, min(0.25, duration / 8) if has_bed else 0.02)
        if plan["loop"]:  # the limiter must see the loop wrap around, or it treats its two ends differently
            pad = min(len(scene) // 4, dsp.seconds_to_samples(0.2, SAMPLE_RATE))
            wrapped, _ = dsp.normalize(np.concatenate([scene[-pad:], scene, scene[:pad]]), SAMPLE_RATE, mix.TARGET_LUFS)
            return wrapped[pad : pad + len(scene)]
        scene, _ = dsp.normalize(scene, SAMPLE_RATE, mix.TARGET_LUFS)
        return scene

    @staticmethod
    def _until_end(x: np.ndarray) -> np.ndarray:
        """``x`` up to where it has died away (END_DB under its peak) plus 50 ms, in whole 10 ms."""
        level = np.max(np.abs(x), axis=1) if x.ndim == 2 else np.abs(x)
        peak = float(level.max(initial=0.0))
        if peak <= 0:
            return x
        last = int(np.flatnonzero(level > peak * 10 ** (END_DB / 20))[-1])
        step = SAMPLE_RATE // 100
        end = min(len(x), int(np.ceil((last + 0.05 * SAMPLE_RATE) / step)) * step)
        return x[:end]

    def _source(self, entry: Entry, layer: dict, total: int, rng: np.random.Generator, p: synth.Params) -> np.ndarray:
        """The layer's own sound before placement: filling, repeating or single, mono or stereo."""
        fill, count = layer["fill"], layer["count"]
        seconds = total / SAMPLE_RATE
        if entry.source == "synth":
            if entry.kind == "bed":
                return synth.render(entry.recipe, seconds, rng, p)
            if entry.kind == "repeat":
                return synth.render(entry.recipe, seconds, rng, replace(p, count=None if fill == "fill" else count))
            if fill == "single":
                return synth.render(entry.recipe, seconds, rng, p)
            return self._repeat(lambda: synth.render(entry.recipe, seconds, rng, p), total, rng,
                                None if fill == "fill" else count, spacing=(0.7, 1.3))
        if entry.kind == "bed":
            return self._bed(entry, total, rng, p)
        recording = self.catalog.recording(entry)
        events = self.catalog.events(entry)

        def one_event() -> np.ndarray:
            a, b = events[int(rng.integers(0, len(events)))] if entry.kind == "repeat" else (0, len(recording))
            return dsp.fade(self._varispeed(recording[a:b], rng, p), SAMPLE_RATE, 0.002, 0.01)

        if fill == "single":
            return self._varispeed(recording, rng, p)[:total] if entry.kind == "event" else one_event()
        return self._repeat(one_event, total, rng, None if fill == "fill" else count,
                            spacing=(1.0, 1.35) if entry.kind == "repeat" else (0.7, 1.3))

    @staticmethod
    def _repeat(make, total: int, rng: np.random.Generator, count: int | None,
                spacing: tuple[float, float]) -> np.ndarray:
        """Events from ``make()`` one after another, each starting when the one before has mostly
        died away (its part within 20 dB of its peak, times ``spacing``), at a level varying by
        ±2 dB: ``count`` of them, or (None) until ``total`` samples are filled."""
        events: list[tuple[float, np.ndarray]] = []
        t = rng.uniform(0.0, 0.05)
        while (t * SAMPLE_RATE < total if count is None else len(events) < count) and len(events) < 500:
            x = make()
            x = x * np.float32(10 ** (rng.uniform(-2, 2) / 20))
            events.append((t, x))
            level = np.abs(x) if x.ndim == 1 else np.max(np.abs(x), axis=1)
            loud = np.flatnonzero(level > level.max(initial=0.0) * 0.1)
            body = (loud[-1] if len(loud) else len(x)) / SAMPLE_RATE
            t += max(0.12, body * rng.uniform(*spacing))
        end = max(int(round(o * SAMPLE_RATE)) + len(x) for o, x in events)
        return synth.place_events(total if count is None else min(total, end), events)

    def _bed(self, entry: Entry, total: int, rng: np.random.Generator, p: synth.Params) -> np.ndarray:
        x = self._varispeed(self.catalog.recording(entry), rng, p)
        x = np.roll(x, int(rng.integers(0, len(x)))) if len(x) > total else x  # start somewhere else each time
        return mix.fit(x, SAMPLE_RATE, total)

    @staticmethod
    def _varispeed(x: np.ndarray, rng: np.random.Generator, p: synth.Params) -> np.ndarray:
        """Pitch (and speed) shifted by the prompt's pitch plus a little per-event jitter."""
        semitones = 4.0 * p.pitch + rng.uniform(-0.7, 0.7)
        ratio = 2 ** (semitones / 12)
        if abs(ratio - 1) < 1e-3:
            return x
        return dsp.resample(x, SAMPLE_RATE, SAMPLE_RATE / ratio)
