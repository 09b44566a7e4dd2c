"""Saved voices: a user's own Kokoro voices, cloned from a clip or designed from stock voices.

A voice is a Kokoro style tensor plus what it needs to speak like a stock voice (British or
American phonemes, its gain to the studio's loudness, a default speed) and a short preview.
Its id is ``custom:<32 hex>``. The row lives in the ``voices`` table (:func:`ensure_schema`);
the tensor and the preview live in the studio's storage under the owner's prefix:

- ``u/<user>/voices/<id>/style.json``: ``{"format": "kokoro-style", "shape", "dtype",
  "npy_base64"}`` — the tensor's ``.npy`` bytes, base64 in a small self-describing document
  (the storage keys accept wav, mp3 and json);
- ``u/<user>/voices/<id>/preview.wav``.

**Who sees a voice.** Its owner, always; in team mode, everyone when the owner shares it. Only
the owner can rename, share or delete it. Anyone else asking for it gets NotFound, the same
answer as for a voice that does not exist.

**Consent.** Cloning needs the owner's confirmation that they have the right to clone the
voice (:data:`CONSENT`); the statement and its time are stored with the voice, and a clone is
refused without it. A designed voice is a blend of stock voices and needs none.

**Cloning is a job** (service ``voices``): the clip is checked before anything is charged, the
search runs in the pool with progress and Cancel, it costs credits by budget (``prices.clone``:
``per_generation`` plus ``per_second`` of budget), its result audio is the preview, and the voice
is written by the job as it finishes. The voice row carries the job id and is listed only once
that job has completed, so a cancelled or failed clone never shows up (its leftovers are
removed the next time the owner's voices are listed).
"""
from __future__ import annotations

import base64
import io
import json
import logging
import re
import uuid
from dataclasses import dataclass

import numpy as np

from audiokit import Audio, codec
from engines.clone import design as design_mod
from engines.clone import render as render_mod
from studio import credits
from studio.db import now, transact, write
from studio.errors import InvalidInput, NotFound, StudioError
from studio.jobs import JobContext, JobSpec
from studio.storage import make_key

log = logging.getLogger(__name__)

PREFIX = "custom:"
_ID = re.compile(r"^custom:([0-9a-f]{32})$")
NAME_MAX = 60
MAX_VOICES_PER_USER = 50
SERVICE = "voices"
ENGINE = "kokoro_clone"
CONSENT = ("I confirm that this is my own voice, or that the person speaking in the clip has given me "
           "permission to clone it, and that I will not use it to deceive anyone.")
DEFAULT_CLONE_PRICE = {"per_generation": 100, "per_second": 1}  # quick 145, standard 250, thorough 520
PREVIEW_TEXT = "Hello! This is my new voice. I can read anything you type, in my own way."
STYLE_FORMAT = "kokoro-style"


def ensure_schema(db) -> None:
    db.execute("""CREATE TABLE IF NOT EXISTS voices (
        id TEXT PRIMARY KEY, user_id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
        engine TEXT NOT NULL, style_key TEXT NOT NULL, preview_key TEXT NOT NULL,
        british INTEGER NOT NULL, speed REAL NOT NULL, gain_db REAL NOT NULL,
        shared INTEGER NOT NULL DEFAULT 0, consent TEXT, consent_at TEXT, job_id TEXT,
        recipe TEXT NOT NULL, created_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX IF NOT EXISTS voices_user ON voices (user_id, created_at)")
    db.execute("CREATE INDEX IF NOT EXISTS voices_shared ON voices (shared) WHERE shared = 1")


# The sweep keeps every stored object some row refers to: these are the voices' (studio.sweep.KEY_SOURCES).
KEY_SOURCES = [("SELECT style_key FROM voices", False), ("SELECT preview_key FROM voices", False)]


@dataclass(frozen=True)
class CustomVoice:
    """What speaking with a saved voice needs."""

    id: str
    name: str
    style: np.ndarray  # (510, 1, 256) float32
    british: bool
    speed: float
    gain_db: float


# -- ids, names, prices ---------------------------------------------------------------------------
def is_custom(voice_id) -> bool:
    return isinstance(voice_id, str) and voice_id.startswith(PREFIX)


def _hex(voice_id) -> str:
    match = _ID.match(voice_id) if isinstance(voice_id, str) else None
    if not match:
        raise NotFound(f"No such voice: {str(voice_id)[:80]!r}")
    return match[1]


def check_name(name) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise InvalidInput("name", "Give the voice a name, e.g. “My narrator”, so you can pick it later.")
    if len(name) > NAME_MAX:
        raise InvalidInput("name", f"The name is {len(name)} characters; keep it to {NAME_MAX}.")
    return name


def clone_price(settings, budget: str) -> int:
    """Credits a clone costs at ``budget`` (quick / standard / thorough)."""
    from engines.clone.kokoro_clone import BUDGETS, check_budget

    check_budget(budget)
    prices = {"clone": DEFAULT_CLONE_PRICE, **settings.prices}
    return credits.price(prices, "clone", seconds=BUDGETS[budget])


def clone_prices(settings) -> dict[str, tuple[float, int]]:
    """{budget: (seconds, credits)} for a picker."""
    from engines.clone.kokoro_clone import BUDGETS

    return {b: (s, clone_price(settings, b)) for b, s in BUDGETS.items()}


# -- storing a voice --------------------------------------------------------------------------
def style_bytes(style: np.ndarray) -> bytes:
    style = render_mod.check_style(style)
    buffer = io.BytesIO()
    np.save(buffer, style, allow_pickle=False)
    return json.dumps({"format": STYLE_FORMAT, "shape": list(style.shape), "dtype": "float32",
                       "npy_base64": base64.b64encode(buffer.getvalue()).decode("ascii")}).encode()


def style_from_bytes(data: bytes) -> np.ndarray:
    try:
        doc = json.loads(data)
        if doc.get("format") != STYLE_FORMAT:
            raise ValueError(f"format {doc.get('format')!r}")
        style = np.load(io.BytesIO(base64.b64decode(doc["npy_base64"])), allow_pickle=False)
    except (ValueError, KeyError, TypeError) as error:
        raise StudioError(f"The stored voice could not be read ({error}); delete it and create it again.") from error
    return render_mod.check_style(style)


def _save(studio, user_id: str, voice_hex: str, name: str, kind: str, style: np.ndarray, preview: Audio,
          british: bool, speed: float, gain_db: float, recipe: dict, shared: bool = False,
          consent: str | None = None, job_id: str | None = None) -> dict:
    """Write the tensor and the preview, then the row (objects first: a row never points at nothing)."""
    db = studio.db()
    ensure_schema(db)
    style_key = make_key(user_id, SERVICE, voice_hex, "style", "json")
    preview_key = make_key(user_id, SERVICE, voice_hex, "preview")
    studio.storage.put(style_key, style_bytes(style), "application/json")
    studio.storage.put(preview_key, codec.to_wav(preview))
    row = {"id": voice_hex, "user_id": user_id, "name": name, "kind": kind, "engine": "kokoro",
           "style_key": style_key, "preview_key": preview_key, "british": int(bool(british)),
           "speed": float(speed), "gain_db": float(gain_db), "shared": int(bool(shared)),
           "consent": consent, "consent_at": now() if consent else None, "job_id": job_id,
           "recipe": json.dumps(recipe, default=_plain), "created_at": now()}
    try:
        transact(db, lambda d: d["voices"].insert(row), studio.settings.write_patience)
    except BaseException:
        for key in (style_key, preview_key):
            try:
                studio.storage.delete(key)
            except StudioError:
                log.warning("could not delete %s; the sweep will", key)
        raise
    return _public(row, user_id)


def _plain(value):
    """numpy scalars and arrays in a recipe, as JSON takes them."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _public(row: dict, user_id: str) -> dict:
    return {"id": PREFIX + row["id"], "name": row["name"], "kind": row["kind"], "engine": row["engine"],
            "owner": row["user_id"], "mine": row["user_id"] == user_id, "shared": bool(row["shared"]),
            "british": bool(row["british"]), "accent": "British" if row["british"] else "American",
            "speed": row["speed"], "consent": row["consent"], "consent_at": row["consent_at"],
            "created_at": row["created_at"], "recipe": json.loads(row["recipe"] or "{}")}


def _check_quota(db, user_id: str) -> None:
    ensure_schema(db)
    count = db.execute("SELECT COUNT(*) FROM voices WHERE user_id = ?", [user_id]).fetchone()[0]
    if count >= MAX_VOICES_PER_USER:
        raise InvalidInput("name", f"You have {count} saved voices (the limit is {MAX_VOICES_PER_USER}). "
                                   "Delete one you no longer use first.")


# -- the designer -------------------------------------------------------------------------------
def preview_design(studio, mix, speed: float = 1.0, text: str | None = None) -> bytes:
    """WAV of a blend speaking a short sentence, not saved; free."""
    kokoro = studio.engine("kokoro")
    style, design = design_mod.design_voice(kokoro, mix, speed)
    audio, _ = render_mod.preview_style(kokoro, text or PREVIEW_TEXT, style, design.speed, design.british)
    return codec.to_wav(audio)


def create_designed_voice(studio, user_id: str, name: str, mix, speed: float = 1.0, shared: bool = False) -> dict:
    """Save a blend of 2–4 stock voices as a voice of ``user_id``; free. Returns its listing."""
    name = check_name(name)
    _check_shared(studio, shared)
    credits.ensure_user(studio.db(), user_id, studio.settings.starting_credits)
    _check_quota(studio.db(), user_id)
    kokoro = studio.engine("kokoro")
    style, design = design_mod.design_voice(kokoro, mix, speed)
    preview, gain_db = render_mod.preview_style(kokoro, PREVIEW_TEXT, style, design.speed, design.british)
    return _save(studio, user_id, uuid.uuid4().hex, name, "design", style, preview, design.british, design.speed,
                 gain_db, {"design": design.as_dict()}, shared)


# -- cloning --------------------------------------------------------------------------------------
def submit_clone(studio, user_id: str, data: bytes, filename: str | None, name: str, budget: str = "standard",
                 consent: bool = False, shared: bool = False, max_seconds: float | None = None) -> str:
    """Queue a clone of the voice in ``data``; returns the job id. The clip, the name, the budget and
    the consent are checked before any credit is spent."""
    from engines.clone.kokoro_clone import CloneRequest

    if consent is not True:
        raise InvalidInput("consent", "Confirm that you have the right to clone this voice: it is your own, or its "
                                      "speaker has given you permission. Tick the box to go on.")
    name = check_name(name)
    _check_shared(studio, shared)
    cost = clone_price(studio.settings, budget)
    credits.ensure_user(studio.db(), user_id, studio.settings.starting_credits)
    _check_quota(studio.db(), user_id)
    engine = studio.engine(ENGINE)
    request = engine.check(CloneRequest(data, filename, budget, max_seconds))
    clip = request.clip
    voice_hex = uuid.uuid4().hex

    def run(ctx: JobContext) -> list[Audio]:
        result = engine.fit(request, ctx.progress, ctx.should_stop)
        if ctx.should_stop():
            from audiokit.errors import Cancelled

            raise Cancelled()
        ctx.progress(0.98, "Saving the voice")
        _save(studio, user_id, voice_hex, name, "clone", result.style, result.preview, result.british, 1.0,
              result.gain_db, {"clone": {k: v for k, v in result.report.items() if k != "history"}}, shared,
              CONSENT, ctx.job_id)
        return [result.preview]

    spec = JobSpec(service=SERVICE, engine=ENGINE, title=f"Voice clone: {name}",
                   params={"voice": PREFIX + voice_hex, "voice_name": name, "budget": budget,
                           "budget_seconds": request.seconds, "clip_seconds": round(clip.audio.duration, 1),
                           "notices": list(clip.notices), "consent": True},
                   cost=cost, run=run, uploads={"source": codec.to_wav(clip.audio)})
    return studio.submit(user_id, spec)


# -- listing, using, sharing, deleting -------------------------------------------------------------
_VISIBLE = ("(v.job_id IS NULL OR j.id IS NULL OR j.status = 'completed')")


def _rows(studio, where: str, args: list) -> list[dict]:
    db = studio.db()
    ensure_schema(db)
    return list(db.query(f"SELECT v.* FROM voices v LEFT JOIN jobs j ON j.id = v.job_id "
                         f"WHERE {_VISIBLE} AND ({where}) ORDER BY v.created_at DESC, v.rowid DESC", args))


def _check_shared(studio, shared: bool) -> None:
    if shared and not studio.team_mode:
        raise InvalidInput("shared", "Sharing voices is for team mode; in single-user mode every voice is yours.")


def voices_of(studio, user_id: str) -> list[dict]:
    """The user's own voices, then (team mode) those others shared; newest first."""
    drop_abandoned(studio, user_id)
    if studio.team_mode:
        rows = _rows(studio, "v.user_id = ? OR v.shared = 1", [user_id])
    else:
        rows = _rows(studio, "v.user_id = ?", [user_id])
    out = [_public(r, user_id) for r in rows]
    return [v for v in out if v["mine"]] + [v for v in out if not v["mine"]]


def get_voice(studio, user_id: str, voice_id: str, owner: bool = False) -> dict:
    """The row of a voice ``user_id`` may use (``owner``: may change); NotFound otherwise."""
    voice_hex = _hex(voice_id)
    rows = _rows(studio, "v.id = ? AND (v.user_id = ?" + ("" if owner or not studio.team_mode else " OR v.shared = 1")
                 + ")", [voice_hex, user_id])
    if not rows:
        raise NotFound(f"No such voice: {voice_id}")
    return rows[0]


def voice(studio, user_id: str, voice_id: str) -> dict:
    return _public(get_voice(studio, user_id, voice_id), user_id)


def voice_style(studio, user_id: str, voice_id: str) -> CustomVoice:
    """What speaking with ``voice_id`` needs, if ``user_id`` may use it."""
    row = get_voice(studio, user_id, voice_id)
    style = style_from_bytes(studio.storage.get(row["style_key"]))
    return CustomVoice(PREFIX + row["id"], row["name"], style, bool(row["british"]), float(row["speed"]),
                       float(row["gain_db"]))


def tts_engine(studio, user_id: str, voice_id: str):
    """A text-to-speech engine whose one voice (``render.VOICE_ID``) is ``voice_id``, for
    :func:`studio.tts.build_job`; and the voice's default speed."""
    custom = voice_style(studio, user_id, voice_id)
    return render_mod.StyleVoice(studio.engine("kokoro"), custom.style, custom.british, custom.gain_db), custom.speed


def speak(studio, user_id: str, voice_id: str, text: str, speed: float | None = None) -> Audio:
    """``text`` spoken by a saved voice, at once (no job, no charge: for previews and tests)."""
    engine, default_speed = tts_engine(studio, user_id, voice_id)
    return Audio.join(list(engine.speak(text, default_speed if speed is None else speed)))


def preview_wav(studio, user_id: str, voice_id: str) -> bytes:
    return studio.storage.get(get_voice(studio, user_id, voice_id)["preview_key"])


def set_shared(studio, user_id: str, voice_id: str, shared: bool) -> dict:
    """Share a voice with the team, or make it private again (its owner only, team mode only)."""
    _check_shared(studio, shared)
    row = get_voice(studio, user_id, voice_id, owner=True)
    transact(studio.db(), lambda d: d.execute("UPDATE voices SET shared = ? WHERE id = ? AND user_id = ?",
                                              [int(bool(shared)), row["id"], user_id]), studio.settings.write_patience)
    row["shared"] = int(bool(shared))
    return _public(row, user_id)


def rename_voice(studio, user_id: str, voice_id: str, name: str) -> dict:
    name = check_name(name)
    row = get_voice(studio, user_id, voice_id, owner=True)
    transact(studio.db(), lambda d: d.execute("UPDATE voices SET name = ? WHERE id = ? AND user_id = ?",
                                              [name, row["id"], user_id]), studio.settings.write_patience)
    row["name"] = name
    return _public(row, user_id)


def delete_voice(studio, user_id: str, voice_id: str) -> None:
    """Delete one of the user's voices: the row, then its objects (any left behind, storage being
    down, are removed by the sweep: no row refers to them any more). NotFound for anyone else's."""
    row = get_voice(studio, user_id, voice_id, owner=True)
    db = studio.db()
    with write(db):
        db.execute("DELETE FROM voices WHERE id = ? AND user_id = ?", [row["id"], user_id])
    _delete_objects(studio, row)


def _delete_objects(studio, row: dict) -> None:
    for key in (row["style_key"], row["preview_key"]):
        try:
            studio.storage.delete(key)
        except StudioError as error:
            log.warning("voice %s: %s left for the sweep (%s)", row["id"], key, error)


def drop_abandoned(studio, user_id: str) -> None:
    """Voices whose clone job was cancelled or failed after the voice was written: removed."""
    db = studio.db()
    ensure_schema(db)
    rows = list(db.query("SELECT v.* FROM voices v JOIN jobs j ON j.id = v.job_id WHERE v.user_id = ? "
                         "AND j.status IN ('failed', 'cancelled')", [user_id]))
    for row in rows:
        with write(db):
            db.execute("DELETE FROM voices WHERE id = ?", [row["id"]])
        _delete_objects(studio, row)
