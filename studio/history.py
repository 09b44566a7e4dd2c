"""A user's generations: list, search, filter, fetch audio (WAV or MP3), delete.

Deleting is three steps, so a storage outage never leaves a history entry pointing at nothing
and never leaves audio nobody can find: the row is marked (``deleting_at``; from then on it is
hidden), the objects are deleted, then the row is dropped. If storage fails in between, the
row stays marked and :func:`finish_deletions` (the sweep, at start-up and every minute) tries
again.
"""
from __future__ import annotations

import json
import logging

from audiokit import codec
from studio.db import now, transact, write
from studio.errors import InvalidInput, NotFound, StudioError
from studio.jobs import get_job
from studio.storage import Storage

log = logging.getLogger(__name__)

# "voices": a clone job (studio/voices.py). Its entry holds the clip and the preview it made, under
# the job's id; the saved voice lives under its own id, so deleting the entry keeps the voice.
SERVICES = ("tts", "vc", "sfx", "voices")
MAX_QUERY = 200
# The voice of a clip: a TTS voice id, or a voice-changer target ("kokoro:<id>" is the same voice).
_VOICE_OF = ("COALESCE(json_extract(params, '$.voice'), "
             "CASE WHEN json_extract(params, '$.target') LIKE 'kokoro:%' THEN substr(json_extract(params, '$.target'), 8) "
             "ELSE json_extract(params, '$.target') END)")


def list_jobs(db, user_id: str, service: str | None = None, query: str | None = None,
              page: int = 1, per_page: int = 10, voice: str | None = None) -> tuple[list[dict], int]:
    """Newest first; ``query`` matches the text/prompt (case-insensitive, literal); ``voice``
    is a TTS voice id or a voice-changer target. Returns (rows, total)."""
    if service is not None and service not in SERVICES:
        raise InvalidInput("service", f"Unknown service {service!r}; use one of {', '.join(SERVICES)}.")
    if not 1 <= per_page <= 100:
        raise InvalidInput("per_page", f"Page size must be 1–100, got {per_page}.")
    if page < 1:
        raise InvalidInput("page", f"Page must be 1 or more, got {page}.")
    where, args = ["user_id = ?", "deleting_at IS NULL"], [user_id]
    if service:
        where.append("service = ?")
        args.append(service)
    if voice:
        where.append(f"{_VOICE_OF} = ?")
        args.append(str(voice)[:100])
    if query and query.strip():
        q = query.strip()[:MAX_QUERY]
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append("title LIKE ? ESCAPE '\\'")
        args.append(f"%{escaped}%")
    clause = " AND ".join(where)
    total = db.execute(f"SELECT COUNT(*) FROM jobs WHERE {clause}", args).fetchone()[0]
    rows = list(db.query(
        f"SELECT * FROM jobs WHERE {clause} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?",
        [*args, per_page, (page - 1) * per_page],
    ))
    for row in rows:
        row["params"] = json.loads(row["params"] or "{}")
        row["outputs"] = json.loads(row["outputs"] or "[]")
    return rows, total


def voices_used(db, user_id: str, service: str | None = None) -> list[tuple[str, str]]:
    """(voice, label) of every voice in the user's history, for the history's voice filter."""
    args: list = [user_id]
    extra = ""
    if service:
        extra = " AND service = ?"
        args.append(service)
    rows = db.execute(
        f"SELECT {_VOICE_OF} AS voice, MAX(COALESCE(json_extract(params, '$.target_name'), "
        f"json_extract(params, '$.voice_name'))) FROM jobs "
        f"WHERE user_id = ? AND deleting_at IS NULL{extra} GROUP BY voice HAVING voice IS NOT NULL ORDER BY voice",
        args).fetchall()
    return [(voice, label or voice) for voice, label in rows]


def audio_bytes(db, storage: Storage, user_id: str, job_id: str, fmt: str = "wav", index: int = 0,
                which: str = "result") -> bytes:
    """The job's audio as WAV or MP3; ``which`` is "result", "preview" or "source"."""
    if fmt not in ("wav", "mp3"):
        raise InvalidInput("format", f"Download format must be wav or mp3, got {fmt!r}.")
    key = object_key(db, user_id, job_id, index, which)
    data = storage.get(key)
    if fmt == "mp3":
        data = codec.to_mp3(codec.read_wav(data, mono=False))
    return data


def object_key(db, user_id: str, job_id: str, index: int = 0, which: str = "result") -> str:
    row = get_job(db, user_id, job_id)
    if which == "preview":
        key = row["preview_key"]
    elif which == "source":
        key = row["source_key"]
    else:
        outputs = row["outputs"]
        key = outputs[index] if isinstance(index, int) and 0 <= index < len(outputs) else None
    if not key:
        raise NotFound(f"Job {job_id[:8]} has no {which} audio yet.")
    return key


def delete_job(db, storage: Storage, user_id: str, job_id: str) -> bool:
    """Delete a finished job and its stored audio: mark the row (hidden from now on), delete the
    objects, drop the row. True when all is gone; False when storage failed and the deletion was
    left marked, to be finished by the sweep (the entry stays hidden, nothing points at nothing)."""
    row = get_job(db, user_id, job_id)
    if row["status"] in ("queued", "running"):
        raise InvalidInput("job", "This job is still running. Cancel it first, then delete it.")
    with write(db):
        marked = db.execute("UPDATE jobs SET deleting_at = ? WHERE id = ? AND user_id = ? AND deleting_at IS NULL "
                            "AND status NOT IN ('queued', 'running')", [now(), job_id, user_id]).rowcount
    if not marked:
        raise NotFound(f"No such job: {job_id}")
    return finish_deletion(db, storage, job_id)


def finish_deletion(db, storage: Storage, job_id: str, patience: float = 10.0) -> bool:
    """Delete the objects of a job marked for deletion, then its row; False if storage failed."""
    row = db.execute("SELECT outputs, source_key, preview_key, result_key FROM jobs WHERE id = ? "
                     "AND deleting_at IS NOT NULL", [job_id]).fetchone()
    if row is None:
        return True
    keys = {*json.loads(row[0] or "[]"), row[1], row[2], row[3]} - {None, ""}
    try:
        for key in sorted(keys):
            storage.delete(key)
    except StudioError as error:
        log.warning("deletion of job %s postponed: %s", job_id[:8], error)
        return False
    transact(db, lambda d: d.execute("DELETE FROM jobs WHERE id = ? AND deleting_at IS NOT NULL", [job_id]), patience)
    return True


def finish_deletions(db, storage: Storage, limit: int = 500) -> tuple[int, int]:
    """Retry every marked deletion; returns (finished, still pending)."""
    ids = [r[0] for r in db.execute("SELECT id FROM jobs WHERE deleting_at IS NOT NULL ORDER BY deleting_at LIMIT ?",
                                    [limit]).fetchall()]
    done = 0
    for job_id in ids:
        if finish_deletion(db, storage, job_id):
            done += 1
        else:
            break  # storage is down: the rest would fail the same way
    return done, len(ids) - done
