"""The catalogue of sources (``catalog.toml``) and matching text against it by meaning.

Each entry is described and tagged by us; its texts (the description and each alias) are
embedded once with the sentence encoder and cached on disk by content hash. A query is
embedded the same way and every entry scores the best cosine similarity among its texts.
Gaps (``[[gap]]``: sounds people ask for that the library lacks) are embedded the same way,
so a prompt that is nearer a known gap than any source can be told so.
Recordings are decoded on first use, resampled to the engine's rate and cut into events
(single barks, moos, …) so a prompt can ask for "twice".
"""
from __future__ import annotations

import hashlib
import logging
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from audiokit import dsp
from engines.sfx.lib import assets
from engines.sfx.lib.embed import SentenceEncoder
from engines.sfx.lib.synth import RECIPES, SAMPLE_RATE

log = logging.getLogger(__name__)

CATALOG_PATH = Path(__file__).with_name("catalog.toml")
KINDS = ("bed", "repeat", "event")  # how a source fills the requested length (catalog.toml)


@dataclass(frozen=True)
class Entry:
    id: str
    source: str  # "recording" | "synth"
    category: str
    kind: str  # "bed" | "repeat" | "event"
    title: str
    description: str
    aliases: tuple[str, ...] = ()
    one: tuple[str, ...] = ()  # the words for one event ("knock", "bark")
    room: str = ""  # the room used when the prompt names none
    licence: str = ""  # recordings: the file's licence
    library: str = ""  # recordings: assets library key
    file: str = ""  # recordings: file name inside the library
    recipe: str = ""  # synth: engines.sfx.lib.synth recipe
    params: dict = field(default_factory=dict)

    @property
    def texts(self) -> tuple[str, ...]:
        return (self.description, *self.aliases)

    def path(self) -> Path:
        return assets.library_dir(self.library) / self.file


@dataclass(frozen=True)
class RoomEntry:
    id: str
    title: str
    description: str
    aliases: tuple[str, ...]
    rt60: float
    tone: float

    @property
    def texts(self) -> tuple[str, ...]:
        return (self.description, *self.aliases)


@dataclass(frozen=True)
class Gap:
    id: str
    title: str  # "music or musical instruments"
    description: str
    aliases: tuple[str, ...]

    @property
    def texts(self) -> tuple[str, ...]:
        return (self.description, *self.aliases)


@dataclass(frozen=True)
class Match:
    entry: Entry | RoomEntry | Gap
    score: float  # cosine similarity, -1 … 1
    text: str  # which of the entry's texts matched best


def load_entries(path: Path = CATALOG_PATH) -> tuple[list[Entry], list[RoomEntry]]:
    """Read and check the catalogue file; ValueError naming the entry and the field when wrong."""
    raw = tomllib.loads(Path(path).read_text())
    entries: list[Entry] = []
    for table, source in (("sound", "recording"), ("synth", "synth")):
        for item in raw.get(table, []):
            ident = item.get("id", "?")
            for key in ("id", "category", "kind", "title", "description"):
                if not isinstance(item.get(key), str) or not item[key].strip():
                    raise ValueError(f"{path.name}: {table} {ident!r} needs a non-empty {key}")
            if item["kind"] not in KINDS:
                raise ValueError(f"{path.name}: {ident!r} kind must be one of {KINDS}, got {item['kind']!r}")
            if source == "recording" and not (item.get("library") in assets.LIBRARIES and item.get("file")):
                raise ValueError(f"{path.name}: {ident!r} needs library (one of {sorted(assets.LIBRARIES)}) and file")
            if source == "synth" and item.get("recipe") not in RECIPES:
                raise ValueError(f"{path.name}: {ident!r} recipe must be one of {sorted(RECIPES)}, got {item.get('recipe')!r}")
            entries.append(Entry(
                id=item["id"], source=source, category=item["category"], kind=item["kind"], title=item["title"],
                description=item["description"], aliases=tuple(item.get("aliases", ())),
                library=item.get("library", ""), file=item.get("file", ""), recipe=item.get("recipe", ""),
                params=dict(item.get("params", {})), one=tuple(item.get("one", ())), room=item.get("room", ""),
                licence=item.get("licence", "procedural (this project)" if source == "synth" else ""),
            ))
            if source == "recording" and not entries[-1].licence:
                raise ValueError(f"{path.name}: {ident!r} needs the recording's licence")
    rooms = [RoomEntry(r["id"], r["title"], r["description"], tuple(r.get("aliases", ())), float(r["rt60"]), float(r["tone"]))
             for r in raw.get("room", [])]
    room_ids = {r.id for r in rooms}
    for e in entries:
        if e.room and e.room not in room_ids:
            raise ValueError(f"{path.name}: {e.id!r} room must be one of {sorted(room_ids)}, got {e.room!r}")
    ids = [e.id for e in entries] + [r.id for r in rooms]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"{path.name}: duplicate ids {duplicates}")
    return entries, rooms


def load_gaps(path: Path = CATALOG_PATH) -> list[Gap]:
    """The ``[[gap]]`` tables: what people ask for that the library does not have."""
    raw = tomllib.loads(Path(path).read_text())
    return [Gap(g["id"], g["title"], g["description"], tuple(g.get("aliases", ()))) for g in raw.get("gap", [])]


def _events(x: np.ndarray, rate: int) -> list[tuple[int, int]]:
    """Where separate events (a bark, a moo) are in a recording, as (start, end) samples.

    Frames of 10 ms within 30 dB of the loudest are "on"; gaps under 80 ms are bridged and
    events under 40 ms dropped; each event keeps 20 ms before and 80 ms after."""
    hop = int(0.01 * rate)
    frames = len(x) // hop
    if frames < 3:
        return [(0, len(x))]
    level = 20 * np.log10(np.sqrt(np.mean(x[: frames * hop].reshape(frames, hop) ** 2, axis=1)) + 1e-9)
    on = level > level.max() - 30
    events, start, gap = [], None, 0
    for i, v in enumerate(on):
        if v:
            start = i if start is None else start
            gap, last = 0, i
        elif start is not None:
            gap += 1
            if gap > 8:
                events.append((start, last))
                start = None
    if start is not None:
        events.append((start, last))
    pre, post = int(0.02 * rate), int(0.08 * rate)
    out = [(max(0, a * hop - pre), min(len(x), (b + 1) * hop + post)) for a, b in events if b - a >= 4]
    return out or [(0, len(x))]


class Catalog:
    """The entries, their embeddings, and the decoded recordings (loaded on first use)."""

    def __init__(self, encoder: SentenceEncoder, path: Path = CATALOG_PATH, cache_dir: Path | None = None):
        self.encoder = encoder
        self.entries, self.rooms = load_entries(path)
        self.gaps = load_gaps(path)
        self.by_id = {e.id: e for e in self.entries}
        missing = [str(e.path()) for e in self.entries if e.source == "recording" and not e.path().exists()]
        if missing:
            raise FileNotFoundError(f"{len(missing)} catalogue recordings are missing, e.g. {missing[0]}; run `make assets`")
        self._entry_vecs, self._entry_rows = self._embed_all(self.entries, cache_dir)
        self._room_vecs, self._room_rows = self._embed_all(self.rooms, cache_dir)
        self._gap_vecs, self._gap_rows = self._embed_all(self.gaps, cache_dir) if self.gaps else (None, None)
        self._audio: dict[str, np.ndarray] = {}
        self._audio_lock = threading.Lock()

    def _embed_all(self, items, cache_dir: Path | None) -> tuple[np.ndarray, np.ndarray]:
        texts = [t for item in items for t in item.texts]
        rows = np.array([i for i, item in enumerate(items) for _ in item.texts])
        digest = hashlib.sha256(("\n".join(texts) + f"|{self.encoder.dim}|{self.encoder.layers}").encode()).hexdigest()[:16]
        cache = Path(cache_dir or assets.models_dir() / "sfx" / "cache") / f"catalog-{digest}.npy"
        if cache.exists():
            vecs = np.load(cache)
            if vecs.shape == (len(texts), self.encoder.dim):
                return vecs, rows
        vecs = self.encoder.encode(texts)
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(".tmp.npy")
            np.save(tmp, vecs)
            tmp.replace(cache)
        except OSError as error:  # a read-only models folder only costs the embedding time
            log.warning("could not cache catalogue embeddings: %s", error)
        return vecs, rows

    @staticmethod
    def _rank(query_vecs: np.ndarray, vecs: np.ndarray, rows: np.ndarray, items, texts: list[str], k: int) -> list[list[Match]]:
        sims = query_vecs @ vecs.T  # (queries, texts)
        out = []
        for q in range(len(query_vecs)):
            best = np.full(len(items), -2.0)
            best_text = np.zeros(len(items), int)
            for j, row in enumerate(rows):
                if sims[q, j] > best[row]:
                    best[row], best_text[row] = sims[q, j], j
            order = np.argsort(-best)[:k]
            out.append([Match(items[i], float(best[i]), texts[best_text[i]]) for i in order])
        return out

    def search(self, queries: list[str], k: int = 8) -> list[list[Match]]:
        """The ``k`` best entries for each query, best first."""
        texts = [t for e in self.entries for t in e.texts]
        return self._rank(self.encoder.encode(queries), self._entry_vecs, self._entry_rows, self.entries, texts, k)

    def search_rooms(self, queries: list[str], k: int = 3) -> list[list[Match]]:
        texts = [t for r in self.rooms for t in r.texts]
        return self._rank(self.encoder.encode(queries), self._room_vecs, self._room_rows, self.rooms, texts, k)

    def search_gaps(self, queries: list[str]) -> list[Match | None]:
        """The nearest gap for each query (None when the catalogue lists none)."""
        if not self.gaps:
            return [None] * len(queries)
        texts = [t for g in self.gaps for t in g.texts]
        return [m[0] for m in self._rank(self.encoder.encode(queries), self._gap_vecs, self._gap_rows, self.gaps, texts, 1)]

    def recording(self, entry: Entry) -> np.ndarray:
        """The recording as mono float32 at the engine's rate, leading/trailing silence trimmed."""
        with self._audio_lock:
            if entry.id not in self._audio:
                import soundfile as sf

                samples, rate = sf.read(str(entry.path()), dtype="float32", always_2d=True)
                mono = dsp.resample(samples.mean(axis=1), rate, SAMPLE_RATE)
                self._audio[entry.id] = dsp.trim_silence(mono, SAMPLE_RATE, threshold_db=-50)
            return self._audio[entry.id]

    def events(self, entry: Entry) -> list[tuple[int, int]]:
        return _events(self.recording(entry), SAMPLE_RATE)

    def categories(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for e in self.entries:
            counts[e.category] = counts.get(e.category, 0) + 1
        return counts
