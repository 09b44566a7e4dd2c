"""A user's generations: list, search, fetch audio (WAV or MP3), delete."""
from __future__ import annotations

import json

from audiokit import codec
from studio.db import write
from studio.errors import InvalidInput, NotFound
from studio.jobs import get_job
from studio.storage import Storage

SERVICES = ("tts", "vc", "sfx")
MAX_QUERY = 200


def list_jobs(db, user_id: str, service: str | None = None, query: str | None = None,
              page: int = 1, per_page: int = 10) -> tuple[list[dict], int]:
    """Newest first; ``query`` matches the text/prompt (case-insensitive, literal). Returns (rows, total)."""
    if service is not None and service not in SERVICES:
        raise InvalidInput("service", f"Unknown service {service!r}; use one of {', '.join(SERVICES)}.")
    if not 1 <= per_page <= 100:
        raise InvalidInput("per_page", f"Page size must be 1–100, got {per_page}.")
    if page < 1:
        raise InvalidInput("page", f"Page must be 1 or more, got {page}.")
    where, args = ["user_id = ?"], [user_id]
    if service:
        where.append("service = ?")
        args.append(service)
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
        key = outputs[index] if 0 <= index < len(outputs) else None
    if not key:
        raise NotFound(f"Job {job_id[:8]} has no {which} audio yet.")
    return key


def delete_job(db, storage: Storage, user_id: str, job_id: str) -> None:
    """Delete a finished job and its stored audio. The row goes only after the objects are gone,
    so a storage outage never leaves a history entry pointing at nothing."""
    row = get_job(db, user_id, job_id)
    if row["status"] in ("queued", "running"):
        raise InvalidInput("job", "This job is still running. Cancel it first, then delete it.")
    for key in [*row["outputs"], row["source_key"], row["preview_key"]]:
        if key:
            storage.delete(key)
    with write(db):
        db.execute("DELETE FROM jobs WHERE id = ? AND user_id = ?", [job_id, user_id])
