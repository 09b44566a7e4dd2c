"""The SQLite database (sqlite-utils): versioned schema, one connection per thread, and the one
retrying path every background write goes through.

The schema is a list of migrations; ``PRAGMA user_version`` says how many have run. To change
the schema, append a function to :data:`MIGRATIONS` — never edit one that has shipped. Each
runs in its own IMMEDIATE transaction (with foreign keys off, so a table can be rebuilt), and
two processes starting at once run it once: the second re-reads the version under the lock.

Rules the database itself enforces (from version 2): a balance is never negative
(``CHECK (credits >= 0)``), a job is refunded at most once (a unique index on the ledger).
"""
from __future__ import annotations

import contextlib
import errno
import logging
import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, TypeVar

import sqlite_utils

from studio.errors import DatabaseBusy, DatabaseUnavailable, DiskFull

log = logging.getLogger(__name__)

STATUSES = ("queued", "running", "completed", "failed", "cancelled")
ACTIVE = ("queued", "running")

_local = threading.local()
_schema_lock = threading.Lock()
_schema_done: set[str] = set()
T = TypeVar("T")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def connect(path: Path, busy_timeout: float = 5.0) -> sqlite_utils.Database:
    """This thread's connection to ``path`` (created on first use), with the schema up to date."""
    key = (str(path), busy_timeout)
    cache = getattr(_local, "dbs", None)
    if cache is None:
        cache = _local.dbs = {}
    db = cache.get(key)
    if db is None:
        with errors():
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None)
            db = sqlite_utils.Database(conn)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            with _schema_lock:
                if str(path) not in _schema_done:
                    migrate(db)
                    _schema_done.add(str(path))
        cache[key] = db
    return db


def forget(path: Path) -> None:
    """Close this thread's connections to ``path`` and run the migrations again on the next
    connect (for tests that replace a database file, and for start-up checks)."""
    cache = getattr(_local, "dbs", {})
    for key in [k for k in cache if k[0] == str(path)]:
        cache.pop(key).conn.close()
    with _schema_lock:
        _schema_done.discard(str(path))


# -- errors ------------------------------------------------------------------------------------
def _classify(error: sqlite3.OperationalError) -> Exception | None:
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return DatabaseBusy()
    if "disk is full" in text or "database or disk is full" in text:
        return DiskFull()
    if "readonly" in text or "read-only" in text:
        return DatabaseUnavailable("The studio's database is read-only. Give the user running the studio write "
                                   "access to the data folder and to studio.db (and its -wal and -shm files).")
    if "unable to open" in text:
        return DatabaseUnavailable("The studio's database could not be opened. Check that the data folder exists "
                                   "and that the user running the studio may read and write it.")
    if "disk i/o error" in text:
        return DatabaseUnavailable("The disk holding the studio's database failed a write, most often because it "
                                   "is full. Free some space on it (and check the disk), then try again.")
    return None


@contextlib.contextmanager
def errors() -> Iterator[None]:
    """Turn SQLite's failures into the studio's own (busy, disk full, read-only), each with the fix."""
    try:
        yield
    except sqlite3.OperationalError as error:
        mapped = _classify(error)
        if mapped is None:
            raise
        log.warning("database: %s", error)
        raise mapped from error
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise DiskFull() from error
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise DatabaseUnavailable("The data folder is not writable. Give the user running the studio write "
                                      "access to it, or set data_dir (STUDIO_DATA_DIR) to a writable folder.") from error
        raise


busy = errors  # the name the rest of the code used first


@contextlib.contextmanager
def write(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One IMMEDIATE transaction: it takes the write lock up front, so two writers never
    interleave a read and a write (the credit check and debit are one step). It waits up to
    the connection's busy timeout for the lock, then raises :class:`DatabaseBusy`."""
    with errors():
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.rollback()
            raise
        else:
            try:
                db.commit()
            except BaseException:
                db.rollback()
                raise


def retry_busy(fn: Callable[[], T], patience: float = 60.0, pause: float = 0.2) -> T:
    """Run ``fn`` again while the database is busy, for up to ``patience`` seconds (for
    background work, which must not lose a result because another process held the lock)."""
    deadline = time.monotonic() + patience
    delay = pause
    while True:
        try:
            return fn()
        except DatabaseBusy:
            if time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 1.5, 2.0)


def transact(db: sqlite_utils.Database, fn: Callable[[sqlite_utils.Database], T], patience: float = 60.0) -> T:
    """The one retrying write path: ``fn(db)`` in an IMMEDIATE transaction, retried as a whole
    while the database is busy. Everything a worker writes goes through here."""
    def attempt() -> T:
        with write(db):
            return fn(db)

    return retry_busy(attempt, patience)


# -- schema versions -------------------------------------------------------------------------------
def _v1_initial(db: sqlite_utils.Database) -> None:
    """The schema as it was before versions were counted (kept exactly, so old files match)."""
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
    if "voice_samples" not in db.table_names():
        db["voice_samples"].create(
            {"id": str, "user_id": str, "name": str, "key": str, "duration": float, "created_at": str},
            pk="id",
            foreign_keys=[("user_id", "users", "id")],
        )
        db["voice_samples"].create_index(["user_id", "created_at"])


def _v2_reliability(db: sqlite_utils.Database) -> None:
    """Balances that cannot go negative, one charge and one refund per job, job owners and
    deletion marks, the workers that own jobs, and a record of sign-in attempts."""
    # users: rebuilt, since SQLite adds a CHECK only by building the table anew (foreign keys are
    # off during migrations, so jobs and voice samples keep pointing at the same ids).
    negative = db.execute("SELECT COUNT(*) FROM users WHERE credits < 0").fetchone()[0]
    if negative:
        raise DatabaseUnavailable(f"{negative} user(s) have a negative balance; fix them with "
                                  "`python -m studio.cli grant`, then start the studio again.")
    db.execute("CREATE TABLE users_v2 (id TEXT PRIMARY KEY, credits INTEGER NOT NULL CHECK (credits >= 0), "
               "created_at TEXT, signed_out_at TEXT)")
    db.execute("INSERT INTO users_v2 (id, credits, created_at) SELECT id, COALESCE(credits, 0), created_at FROM users")
    db.execute("DROP TABLE users")
    db.execute("ALTER TABLE users_v2 RENAME TO users")

    db.execute("ALTER TABLE jobs ADD COLUMN owner TEXT")  # the worker (process) that runs the job
    db.execute("ALTER TABLE jobs ADD COLUMN deleting_at TEXT")  # set: hidden, objects being deleted
    db.execute("CREATE INDEX IF NOT EXISTS jobs_deleting ON jobs(deleting_at) WHERE deleting_at IS NOT NULL")

    db.execute("ALTER TABLE ledger ADD COLUMN kind TEXT")
    db.execute("UPDATE ledger SET kind = CASE WHEN reason = 'generation' THEN 'debit' "
               "WHEN reason LIKE 'refund%' THEN 'refund' ELSE reason END")
    # A refund given twice before this version (the bug it fixes) stays in the ledger, marked.
    db.execute("UPDATE ledger SET kind = 'refund-duplicate' WHERE kind = 'refund' AND id NOT IN "
               "(SELECT MIN(id) FROM ledger WHERE kind = 'refund' GROUP BY job_id)")
    db.execute("CREATE UNIQUE INDEX ledger_one_refund ON ledger(job_id) WHERE kind = 'refund'")
    db.execute("CREATE INDEX IF NOT EXISTS ledger_job ON ledger(job_id)")

    db.execute("CREATE TABLE workers (id TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL, "
               "process_start TEXT, started_at TEXT NOT NULL, heartbeat REAL NOT NULL, stopped_at TEXT)")
    db.execute("CREATE TABLE sign_in_attempts (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, username TEXT NOT NULL, "
               "client TEXT NOT NULL, ok INTEGER NOT NULL, at REAL NOT NULL)")  # kind: sign_in | register
    db.execute("CREATE INDEX sign_in_attempts_user ON sign_in_attempts(username, at)")
    db.execute("CREATE INDEX sign_in_attempts_client ON sign_in_attempts(client, at)")


# Append new versions at the end (e.g. the api_keys, voices or lexicon tables); never reorder.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1_initial, _v2_reliability]
VERSION = len(MIGRATIONS)


def version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the database to :data:`VERSION`; returns the version it had before."""
    before = version(db)
    if before > VERSION:
        raise DatabaseUnavailable(f"The database was written by a newer version of the studio (schema {before}, "
                                  f"this one knows {VERSION}). Update the studio's code.")
    for number in range(before + 1, VERSION + 1):
        db.execute("PRAGMA foreign_keys=OFF")  # only outside a transaction; lets a step rebuild a table
        try:
            with write(db):
                if version(db) >= number:  # another process did it while we waited for the lock
                    continue
                MIGRATIONS[number - 1](db)
                problems = db.execute("PRAGMA foreign_key_check").fetchall()
                if problems and number > 1:
                    log.warning("schema %d: %d row(s) point at missing rows (kept): %s", number, len(problems),
                                problems[:5])
                db.execute(f"PRAGMA user_version = {number}")
            log.info("database schema is now version %d", number)
        finally:
            db.execute("PRAGMA foreign_keys=ON")
    return before
