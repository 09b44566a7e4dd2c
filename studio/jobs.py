"""Jobs: page → queue → engine → storage → database.

``JobQueue.submit`` runs on the caller's thread: in one IMMEDIATE transaction it debits the
credits and inserts the job row (``queued``), then hands the job to a thread pool and returns
its id. The worker opens its own database connection, reports progress on the row, stores
a first playable part early, writes the result to storage and marks the row ``completed`` —
or ``failed`` with a message a person can act on, refunding the credits in the same
transaction. A cancelled job is refunded at once; its worker stops at the next chunk.
"""
from __future__ import annotations

import json
import logging
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from audiokit import Audio, codec, dsp
from audiokit.errors import Cancelled
from studio import credits, db as database
from studio.config import Settings
from studio.db import now, write
from studio.errors import NotFound, StudioError
from studio.storage import Storage, make_key

log = logging.getLogger(__name__)

_JOB_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class JobSpec:
    """What a service hands to the queue: the row's fields and the work to run in the pool."""

    service: str  # "tts" | "vc" | "sfx"
    engine: str
    title: str  # what the history shows and searches
    params: dict
    cost: int
    run: Callable[["JobContext"], list[Audio]]  # returns one or more results (variations)
    uploads: dict[str, bytes] = field(default_factory=dict)  # name -> WAV bytes stored with the job


def check_job_id(job_id: str) -> str:
    if not isinstance(job_id, str) or not _JOB_ID.match(job_id):
        raise NotFound(f"No such job: {str(job_id)[:80]!r}")
    return job_id


class JobContext:
    """Handed to a running job: progress, cancellation and early playback, no streamlit."""

    def __init__(self, queue: "JobQueue", job_id: str, user_id: str, service: str):
        self.queue, self.job_id, self.user_id, self.service = queue, job_id, user_id, service
        self._last_progress = 0.0
        self._preview_seconds = 0.0

    def db(self):
        return self.queue.db()

    def progress(self, fraction: float, message: str = "") -> None:
        # Throttle: a row write at most every 0.25 s, except the first and the last.
        t = time.monotonic()
        if 0 < fraction < 1 and t - self._last_progress < 0.25:
            return
        self._last_progress = t
        fraction = min(max(float(fraction), 0.0), 1.0)
        database.retry_busy(lambda: self.db().execute(
            "UPDATE jobs SET progress = ?, message = ? WHERE id = ? AND status = 'running'",
            [fraction, message[:200], self.job_id],
        ))

    def should_stop(self) -> bool:
        """True once the job was cancelled (or is gone): the engine's ``cancel`` callback."""
        row = self.db().execute("SELECT status FROM jobs WHERE id = ?", [self.job_id]).fetchone()
        return row is None or row[0] != "running"

    def partial(self, audio: Audio) -> None:
        """Store what is ready so far, so it can be played before the rest is done.

        Written again only when the audio has doubled since the last write, so a long text
        costs O(n) bytes of partial writes, not O(n²)."""
        if audio.duration < 2 * self._preview_seconds:
            return
        self._preview_seconds = audio.duration
        key = make_key(self.user_id, self.service, self.job_id, "preview")
        self.queue.storage.put(key, codec.to_wav(audio))
        database.retry_busy(lambda: self.db().execute(
            "UPDATE jobs SET preview_key = ?, first_audio_at = COALESCE(first_audio_at, ?) WHERE id = ?",
            [key, now(), self.job_id],
        ))


class JobQueue:
    def __init__(self, settings: Settings, storage: Storage):
        self.settings = settings
        self.storage = storage
        self._pool = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="studio-job")
        self.recover()

    def db(self):
        return database.connect(self.settings.db_path, self.settings.busy_timeout)

    # -- submitting -------------------------------------------------------------------
    def submit(self, user_id: str, spec: JobSpec) -> str:
        """Debit the credits and queue the job atomically; return its id at once."""
        credits.ensure_user(self.db(), user_id, self.settings.starting_credits)
        job_id = uuid.uuid4().hex
        source_key = None
        for name, data in spec.uploads.items():  # stored before any credit is spent
            key = make_key(user_id, spec.service, job_id, name)
            self.storage.put(key, data)
            source_key = source_key or key
        db = self.db()
        try:
            with write(db):
                credits.debit(db, user_id, spec.cost, job_id)
                db["jobs"].insert({
                    "id": job_id, "user_id": user_id, "service": spec.service, "engine": spec.engine,
                    "status": "queued", "title": spec.title, "params": json.dumps(spec.params),
                    "cost": spec.cost, "progress": 0.0, "message": "Waiting for a free worker",
                    "created_at": now(), "source_key": source_key, "outputs": "[]",
                })
        except BaseException:
            for name in spec.uploads:
                self.storage.delete(make_key(user_id, spec.service, job_id, name))
            raise
        self._pool.submit(self._work, job_id, user_id, spec)
        return job_id

    # -- the worker ---------------------------------------------------------------------
    def _work(self, job_id: str, user_id: str, spec: JobSpec) -> None:
        db = self.db()
        started = database.retry_busy(lambda: db.execute(
            "UPDATE jobs SET status = 'running', started_at = ?, message = 'Starting' WHERE id = ? AND status = 'queued'",
            [now(), job_id],
        ).rowcount)
        if not started:
            return  # cancelled while queued (already refunded)
        ctx = JobContext(self, job_id, user_id, spec.service)
        written: list[str] = []
        try:
            results = spec.run(ctx)
            if not results:
                raise RuntimeError("the engine returned no audio")
            for i, result in enumerate(results):
                key = make_key(user_id, spec.service, job_id, "result" if i == 0 else f"result-{i}")
                self.storage.put(key, codec.to_wav(Audio(dsp.scale_peak(result.samples), result.sample_rate)))
                written.append(key)
            self._finish(job_id, user_id, spec, results[0], written)
        except Cancelled:
            self._discard(written + self._preview(job_id))
        except Exception as error:  # every failure ends as a row a person can read
            if isinstance(error, StudioError):
                message = str(error)
            else:
                log.exception("job %s failed", job_id)
                message = f"Generation failed (job {job_id[:8]}): {type(error).__name__}. The error was logged; try again."
            self._discard(written)
            self._fail(job_id, user_id, message)

    def _preview(self, job_id: str) -> list[str]:
        row = self.db().execute("SELECT preview_key FROM jobs WHERE id = ?", [job_id]).fetchone()
        return [row[0]] if row and row[0] else []

    def _discard(self, keys: list[str]) -> None:
        for key in keys:
            try:
                self.storage.delete(key)
            except StudioError:
                log.warning("could not delete %s", key)

    def _finish(self, job_id: str, user_id: str, spec: JobSpec, first: Audio, keys: list[str]) -> None:
        db = self.db()

        def mark() -> int:
            with write(db):
                return db.execute(
                    "UPDATE jobs SET status = 'completed', progress = 1.0, message = 'Done', finished_at = ?, "
                    "duration = ?, sample_rate = ?, result_key = ?, outputs = ? WHERE id = ? AND status = 'running'",
                    [now(), first.duration, first.sample_rate, keys[0], json.dumps(keys), job_id],
                ).rowcount

        done = database.retry_busy(mark)
        preview = self._preview(job_id)
        if not done:  # cancelled while the last part was being stored
            self._discard(keys + preview)
            return
        self._discard(preview)
        database.retry_busy(lambda: db.execute("UPDATE jobs SET preview_key = NULL WHERE id = ?", [job_id]))

    def _fail(self, job_id: str, user_id: str, message: str, from_status: tuple[str, ...] = ("running",)) -> bool:
        db = self.db()

        def mark() -> bool:
            with write(db):
                row = db.execute(
                    f"SELECT cost, status FROM jobs WHERE id = ? AND status IN ({','.join('?' * len(from_status))})",
                    [job_id, *from_status],
                ).fetchone()
                if row is None:
                    return False
                db.execute(
                    "UPDATE jobs SET status = 'failed', error = ?, message = ?, finished_at = ? WHERE id = ?",
                    [message, "Failed", now(), job_id],
                )
                credits.refund(db, user_id, row[0], job_id, "refund: failed")
                return True

        failed = database.retry_busy(mark)
        self._discard(self._preview(job_id))
        return failed

    # -- cancelling and recovery ---------------------------------------------------------
    def cancel(self, user_id: str, job_id: str) -> bool:
        """Cancel a queued or running job of this user and refund it; False if it had already ended."""
        check_job_id(job_id)
        db = self.db()
        with write(db):
            row = db.execute("SELECT status, cost FROM jobs WHERE id = ? AND user_id = ?", [job_id, user_id]).fetchone()
            if row is None:
                raise NotFound(f"No such job: {job_id}")
            if row[0] not in database.ACTIVE:
                return False
            db.execute(
                "UPDATE jobs SET status = 'cancelled', message = 'Cancelled', finished_at = ? WHERE id = ?",
                [now(), job_id],
            )
            credits.refund(db, user_id, row[1], job_id, "refund: cancelled")
        return True

    def recover(self) -> int:
        """Jobs left queued or running by a crash or restart: mark failed and refund."""
        db = self.db()
        rows = db.execute("SELECT id, user_id FROM jobs WHERE status IN ('queued', 'running')").fetchall()
        for job_id, user_id in rows:
            self._fail(job_id, user_id, "The studio restarted while this job was in progress. Your credits were refunded; please generate again.",
                       from_status=database.ACTIVE)
        if rows:
            log.warning("marked %d interrupted job(s) failed and refunded them", len(rows))
        return len(rows)

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=not wait)


def get_job(db, user_id: str, job_id: str) -> dict:
    """The job row if it belongs to ``user_id``; NotFound otherwise (no hint that it exists)."""
    check_job_id(job_id)
    rows = list(db.query("SELECT * FROM jobs WHERE id = ? AND user_id = ?", [job_id, user_id]))
    if not rows:
        raise NotFound(f"No such job: {job_id}")
    row = rows[0]
    row["params"] = json.loads(row["params"] or "{}")
    row["outputs"] = json.loads(row["outputs"] or "[]")
    return row


def wait(db, user_id: str, job_id: str, timeout: float = 600.0, poll: float = 0.05) -> dict:
    """Block until the job has ended (for tests, benchmarks and the command line)."""
    deadline = time.monotonic() + timeout
    while True:
        row = get_job(db, user_id, job_id)
        if row["status"] not in database.ACTIVE:
            return row
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} still {row['status']} after {timeout} s")
        time.sleep(poll)
