"""Offline sound effects: CC0 recordings and procedural synthesis, matched by meaning and mixed.

``check(request)`` reads the prompt as a scene (``engines.sfx.lib.prompt``), decides what is a
room and what is a sound by embedding similarity, picks each layer's source from the
catalogue (``engines.sfx.lib.catalog``) and, per variation, which of the equally good
sources to use — all before any audio is made — and returns the request with that plan, so
the caller can show and store it with the job. ``run(request)`` renders the variation
``request.take`` from its seed: sources shaped by the prompt's intensity, pitch, speed and
count, placed in time, pushed back by distance, put in the room, fitted to the duration (or
looped), loudness-normalised.
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
from engines.sfx.common import SFXRequest, check_numbers, check_prompt, check_take, english_vocabulary, take_of
from engines.sfx.lib import assets, mix, synth
from engines.sfx.lib.catalog import CATALOG_PATH, Catalog, Entry, Match
from engines.sfx.lib.prompt import Part, modifiers, room_tail, split

log = logging.getLogger(__name__)

SAMPLE_RATE = synth.SAMPLE_RATE
MATCH_MIN = 0.35  # below this a part is left out: nothing in the library is like it
MATCH_WEAK = 0.5  # below this the plan says the match is loose
LAYER_MIN = 0.45  # a fragment weaker than this is read together with the one before it
ROOM_MIN = 0.6  # a place phrase must be at least this close to a room (and closer than to any sound)
POOL_MARGIN = 0.08  # sources of the same category this close to the best share the variations
MAX_LAYERS = 4
BED_LUFS, ONESHOT_LUFS = -26.0, -20.0  # layer levels before the final normalisation


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
        words = {w for e in self.catalog.entries for t in e.texts for w in re.findall(r"[a-z]+", t.lower())}
        self.vocabulary = english_vocabulary() | frozenset(words)
        log.info("sound library ready: %d sources in %d categories, %d rooms",
                 len(self.catalog.entries), len(self.catalog.categories()), len(self.catalog.rooms))

    # -- planning ------------------------------------------------------------------------
    def check(self, request: SFXRequest) -> SFXRequest:
        """The request with its plan: what it will be made of, and why; InvalidInput when nothing fits."""
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
        kept: list[tuple[Part, list[Match]]] = []
        for part, found in zip(parts, matches):
            best = found[0]
            if best.score < MATCH_MIN:
                notices.append(f"Nothing in the offline library sounds like “{part.text}” (closest: {best.entry.title}, "
                               f"similarity {best.score:.2f}); left it out.")
                continue
            if best.score < MATCH_WEAK:
                notices.append(f"Loose match for “{part.text}”: {best.entry.title} (similarity {best.score:.2f}).")
            kept.append((part, found))
        if not kept:
            closest = max((f[0] for f in matches), key=lambda m: m.score)
            raise InvalidInput(
                "prompt",
                f"Nothing in the offline library sounds like “{text[:80]}” (closest: {closest.entry.title}, similarity "
                f"{closest.score:.2f}). It has: {', '.join(sorted(self.catalog.categories()))}. Try other words, "
                "or the AudioLDM engine if it is installed.",
            )
        if len(kept) > MAX_LAYERS:
            notices.append(f"The prompt has {len(kept)} parts; mixed the first {MAX_LAYERS}.")
            kept = kept[:MAX_LAYERS]
        layers = [self._layer(part, found) for part, found in kept]
        if len(layers) > 1:
            notices.append(f"Mixed {len(layers)} layers: " + "; ".join(f"{l['title']}" for l in layers) + ".")
        seeds = [(seed + v) % 2**32 for v in range(variations)]
        plan = {
            "engine": self.id, "prompt": text, "duration": duration, "loop": bool(request.loop), "seed": seed,
            "sample_rate": SAMPLE_RATE, "target_lufs": mix.TARGET_LUFS, "room": room, "layers": layers,
            "variations": [{"seed": s, "sources": [self._pick(layer, s, i) for i, layer in enumerate(layers)]} for s in seeds],
            "notices": notices,
        }
        return replace(request, plan=plan)

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
            if r.score >= ROOM_MIN and r.score > s.score and (best is None or r.score > best[3].score):
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

    def _match_parts(self, fragments: list[tuple[str, bool]]) -> tuple[list[Part], list[list[Match]]]:
        """Parts and their matches; a half-relevant fragment is read with the one before it."""
        if not fragments:
            return [], []
        texts = [f for f, _ in fragments]
        afters = [a for _, a in fragments]
        while True:
            found = self.catalog.search(texts, k=8)
            # Half-relevant fragments ("… up and down stairs") read better with the one before;
            # unrelated ones (below MATCH_MIN) stay apart so the plan can say they were left out.
            weak = next((i for i in range(1, len(texts)) if MATCH_MIN <= found[i][0].score < LAYER_MIN), None)
            if weak is None:
                break
            texts[weak - 1] = f"{texts[weak - 1]} and {texts[weak]}"
            del texts[weak], afters[weak]
        return [modifiers(t, a) for t, a in zip(texts, afters)], found

    def _layer(self, part: Part, found: list[Match]) -> dict:
        best = found[0]
        entry: Entry = best.entry
        pool = [m for m in found if m.entry.category == entry.category and m.score >= best.score - POOL_MARGIN][:5]
        others = [m for m in found[1:] if m.entry.id != entry.id][:3]
        why = f"closest to “{part.text}” (similarity {best.score:.2f}, via “{best.text}”)"
        if len(pool) > 1:
            why += f"; variations also use {', '.join(m.entry.title for m in pool[1:])}"
        return {
            "part": part.text, "entry": entry.id, "title": entry.title, "source": entry.source,
            "category": entry.category, "kind": entry.kind, "score": round(best.score, 3), "matched": best.text,
            "why": why, "alternatives": [[m.entry.title, round(m.score, 3)] for m in others],
            "pool": [[m.entry.id, round(m.score, 3)] for m in pool],
            "count": part.count, "after_previous": part.after_previous, "intensity": part.intensity,
            "distance": part.distance, "pitch": part.pitch, "speed": part.speed, "settings": list(part.reasons),
        }

    @staticmethod
    def _pick(layer: dict, seed: int, index: int) -> str:
        """Which of the layer's equally good sources this seed uses (the best most often)."""
        ids = [p[0] for p in layer["pool"]]
        scores = np.array([p[1] for p in layer["pool"]])
        weights = np.exp((scores - scores.max()) / 0.03)
        rng = np.random.default_rng([seed, index, 1])
        return ids[int(rng.choice(len(ids), p=weights / weights.sum()))]

    # -- rendering -----------------------------------------------------------------------
    def run(self, request: SFXRequest, progress: Progress | None = None, cancel: Cancel | None = None) -> Iterator[Audio]:
        """The variation ``request.take`` of the request's plan, as one chunk."""
        if request.plan is None:
            request = self.check(request)
        variation = take_of(request, self.id)
        self.load()
        stop_if(cancel)
        samples = self._render(request.plan, variation, progress, cancel)
        if progress:
            progress(1.0, "Done")
        yield Audio(samples, SAMPLE_RATE)

    def _render(self, plan: dict, variation: dict, progress: Progress | None, cancel: Cancel | None) -> np.ndarray:
        rng = np.random.default_rng(variation["seed"])
        duration = plan["duration"]
        length = dsp.seconds_to_samples(duration, SAMPLE_RATE)
        crossfade = dsp.seconds_to_samples(min(1.0, duration / 4), SAMPLE_RATE) if plan["loop"] else 0
        total = length + crossfade
        dry = np.zeros(total, np.float32)
        send = np.zeros(total, np.float32)
        room_info = plan.get("room")
        outdoors = room_info is None or room_info["rt60"] <= 0
        has_bed = any(self.catalog.by_id[s].kind == "bed" for s in variation["sources"])
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
            if entry.kind == "bed":
                x, start = self._bed(entry, total, rng, params), 0
            else:
                x = self._oneshot(entry, layer["count"], total, rng, params)
                if layer["after_previous"] and index > 0:
                    start = cursor + dsp.seconds_to_samples(rng.uniform(0.1, 0.3), SAMPLE_RATE)
                elif has_bed:
                    start = dsp.seconds_to_samples(rng.uniform(0.15, 0.35) * duration, SAMPLE_RATE)
                else:
                    start = dsp.seconds_to_samples(rng.uniform(0.0, 0.06) + 0.25 * index, SAMPLE_RATE)
                    start = min(start, max(0, length - len(x)))
                start = max(start, crossfade)  # a loop's first `crossfade` samples are faded in
            level = dsp.loudness(x, SAMPLE_RATE)
            if np.isfinite(level):
                target = (BED_LUFS if entry.kind == "bed" else ONESHOT_LUFS) + 8.0 * (params.intensity - 0.5) * (entry.source == "recording")
                x = x * np.float32(10 ** ((target - level) / 20))
            x, amount = mix.at_distance(x, SAMPLE_RATE, params.distance)
            if outdoors:
                amount = max(0.0, params.distance - 0.3)  # open air: only far sources get a diffuse tail
            mix.place(dry, x, start)
            mix.place(send, x * np.float32(amount), start)
            cursor = start + len(x)
        stop_if(cancel)
        if progress:
            progress((steps - 1) / steps, "Room and loudness")
        room = mix.Room(room_info["rt60"], room_info["tone"]) if not outdoors else mix.Room(0.6, 0.35)
        wet = mix.reverb(send, SAMPLE_RATE, room, rng)
        scene = dry + wet
        if plan["loop"]:
            scene = mix.make_loop(scene, length)
        else:
            scene = dsp.fade(scene[:length], SAMPLE_RATE, 0.003, min(0.25, duration / 8) if has_bed else 0.02)
        scene, _ = dsp.normalize(scene, SAMPLE_RATE, mix.TARGET_LUFS)
        return scene

    def _bed(self, entry: Entry, total: int, rng: np.random.Generator, p: synth.Params) -> np.ndarray:
        if entry.source == "synth":
            return synth.render(entry.recipe, total / SAMPLE_RATE, rng, p)
        x = self._varispeed(self.catalog.recording(entry), rng, p)
        x = np.roll(x, int(rng.integers(0, len(x)))) if len(x) > total else x  # start somewhere else each time
        return mix.fit(x, SAMPLE_RATE, total)

    def _oneshot(self, entry: Entry, count: int | None, total: int, rng: np.random.Generator, p: synth.Params) -> np.ndarray:
        """The event(s) of a one-shot layer, ``count`` times with natural gaps."""
        limit = total / SAMPLE_RATE
        pieces: list[np.ndarray] = []
        if entry.source == "synth":
            for _ in range(count or 1):
                pieces.append(synth.render(entry.recipe, limit, rng, p))
        else:
            recording = self.catalog.recording(entry)
            events = self.catalog.events(entry)
            if count is None:
                pieces.append(recording[:total])
            else:
                order = rng.permutation(len(events))
                chosen = sorted(order[:count]) if count <= len(events) else list(rng.integers(0, len(events), count))
                pieces.extend(recording[a:b] for a, b in (events[i] for i in chosen))
            pieces = [self._varispeed(x, rng, p) for x in pieces]
        if len(pieces) == 1:
            return pieces[0]
        gap = 0.22 * 2 ** (-p.speed)
        out: list[np.ndarray] = []
        for x in pieces:
            out.append(dsp.fade(x, SAMPLE_RATE, 0.002, 0.01))
            out.append(np.zeros(dsp.seconds_to_samples(gap * rng.uniform(0.7, 1.4), SAMPLE_RATE), np.float32))
        return np.concatenate(out[:-1])[:total]

    @staticmethod
    def _varispeed(x: np.ndarray, rng: np.random.Generator, p: synth.Params) -> np.ndarray:
        """Pitch (and speed) shifted by the prompt's pitch plus a little per-variation jitter."""
        semitones = 4.0 * p.pitch + rng.uniform(-0.7, 0.7)
        ratio = 2 ** (semitones / 12)
        if abs(ratio - 1) < 1e-3:
            return x
        return dsp.resample(x, SAMPLE_RATE, SAMPLE_RATE / ratio)
