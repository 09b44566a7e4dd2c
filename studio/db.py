"""The SQLite database (sqlite-utils): schema, one connection per thread, busy handling."""
from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import sqlite_utils

from studio.errors import DatabaseBusy

STATUSES = ("queued", "running", "completed", "failed", "cancelled")
ACTIVE = ("queued", "running")

_local = threading.local()
_schema_lock = threading.Lock()
_schema_done: set[str] = set()


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def connect(path: Path, busy_timeout: float = 5.0) -> sqlite_utils.Database:
    """This thread's connection to ``path`` (created on first use), with the schema in place."""
    key = (str(path), busy_timeout)
    cache = getattr(_local, "dbs", None)
    if cache is None:
        cache = _local.dbs = {}
    db = cache.get(key)
    if db is None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None)
        db = sqlite_utils.Database(conn)
        with busy():
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            with _schema_lock:
                if str(path) not in _schema_done:
                    _create_schema(db)
                    _schema_done.add(str(path))
        cache[key] = db
    return db


def _create_schema(db: sqlite_utils.Database) -> None:
    if "users" not in db.table_names():
        db["users"].create({"id": str, "credits": int, "created_at": str}, pk="id")
    if "jobs" not in db.table_names():
        db["jobs"].create(
            {
                "id": str, "user_id": str, "service": str, "engine": str, "status": str,
                "title": str, "params": str, "cost": int, "progress": float, "message": str,
                "error": str, "created_at": str, "started_at": str, "finished_at": str,
                "duration": float, "sample_rate": int, "result_key": str, "preview_key": str,
                "source_key": str, "outputs": str, "first_audio_at": str,
            },
            pk="id",
            foreign_keys=[("user_id", "users", "id")],
        )
        db["jobs"].create_index(["user_id", "created_at"])
        db["jobs"].create_index(["status"])
    if "ledger" not in db.table_names():
        db["ledger"].create(
            {"id": int, "user_id": str, "delta": int, "reason": str, "job_id": str, "created_at": str},
            pk="id",
        )
        db["ledger"].create_index(["user_id"])
    if "voice_samples" not in db.table_names():  # a user's own voices for the voice changer
        db["voice_samples"].create(
            {"id": str, "user_id": str, "name": str, "key": str, "duration": float, "created_at": str},
            pk="id",
            foreign_keys=[("user_id", "users", "id")],
        )
        db["voice_samples"].create_index(["user_id", "created_at"])


def _is_busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


@contextlib.contextmanager
def busy() -> Iterator[None]:
    """Turn SQLite's 'database is locked' into :class:`DatabaseBusy` (a message a person can act on)."""
    try:
        yield
    except sqlite3.OperationalError as error:
        if _is_busy(error):
            raise DatabaseBusy() from error
        raise


@contextlib.contextmanager
def write(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One IMMEDIATE transaction: it takes the write lock up front, so two writers never
    interleave a read and a write (the credit check and debit are one step)."""
    with busy():
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.rollback()
            raise
        else:
            db.commit()


def retry_busy(fn, attempts: int = 5, pause: float = 0.2):
    """Run ``fn`` again while the database is busy (for background workers, who must not lose a result)."""
    for i in range(attempts):
        try:
            return fn()
        except DatabaseBusy:
            if i == attempts - 1:
                raise
            time.sleep(pause * (i + 1))
