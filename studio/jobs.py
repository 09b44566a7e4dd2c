"""Jobs: page → queue → engine → storage → database.

``JobQueue.submit`` runs on the caller's thread: in one IMMEDIATE transaction it debits the
credits and inserts the job row (``queued``, owned by this process's worker id), then hands the
job to a thread pool and returns its id. The worker reports progress on the row, stores a first
playable part early, writes the result to storage and marks the row ``completed`` — or
``failed`` with a message a person can act on, refunding the credits in the same transaction.
A cancelled job is refunded at once; its worker stops at the next chunk and drops its preview.

Every write a worker makes goes through :func:`studio.db.transact` (retried while another
process holds the lock). Whatever goes wrong — in the engine, in storage, or while marking
the row — ends the job as failed and refunded exactly once (the ledger allows one refund per
job), and nothing is lost in a Future nobody reads: a done-callback logs it.

**Ownership.** Each JobQueue registers a row in ``workers`` (id, pid, host, a heartbeat every
few seconds). Recovery — at start-up and on every heartbeat — fails and refunds only the jobs
whose owner is gone: its process is dead on this host, or (elsewhere) its heartbeat is older
than ``worker_timeout``, or it stopped. It also picks up this process's own jobs that no thread
is working on any more (a worker that could not record its end). So two UIs, the command line,
the benchmark and an API can share one data directory; the jobs table is the one truth.
"""
from __future__ import annotations

import json
import logging
import os
import re
import socket
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from audiokit import Audio, codec, dsp
from audiokit.errors import Cancelled
from studio import credits, db as database
from studio.config import Settings
from studio.db import now, transact, write
from studio.errors import DatabaseBusy, NotFound, StudioError
from studio.storage import Storage, make_key

log = logging.getLogger(__name__)

_JOB_ID = re.compile(r"^[0-9a-f]{32}$")
HOST = socket.gethostname()

REAPED = ("The studio process running this job stopped (a restart or a crash) before it finished. "
          "Your credits were refunded; please generate again.")
STOPPED = "The studio was shut down before this job finished. Your credits were refunded; please generate again."


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


# -- processes ----------------------------------------------------------------------------------
def process_start(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, from /proc), so a reused pid is not
    taken for the process that registered; None where /proc is not available."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return fields[19].decode()
    except (OSError, IndexError):
        return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[1].split()[0]
        return state != b"Z"  # a killed child its parent has not waited for yet
    except (OSError, IndexError):
        return True


def worker_alive(row: dict, timeout: float, at: float | None = None) -> bool:
    """Is the worker of this ``workers`` row still running? On this host the process itself is
    asked; elsewhere the heartbeat must be younger than ``timeout`` seconds."""
    if row.get("stopped_at"):
        return False
    if row["host"] == HOST:
        if not pid_alive(row["pid"]):
            return False
        start = process_start(row["pid"])
        return row.get("process_start") is None or start is None or start == row["process_start"]
    return (at or time.time()) - row["heartbeat"] < timeout


class JobContext:
    """Handed to a running job: progress, cancellation and early playback, no streamlit."""

    def __init__(self, queue: "JobQueue", job_id: str, user_id: str, service: str):
        self.queue, self.job_id, self.user_id, self.service = queue, job_id, user_id, service
        self._last_progress = 0.0
        self._preview_seconds = 0.0
        self.notes: dict = {}  # see note()

    def db(self):
        return self.queue.db()

    def progress(self, fraction: float, message: str = "") -> None:
        # Throttle: a row write at most every 0.25 s, except the first and the last. Progress
        # is best effort: while another process holds the database, the job goes on.
        t = time.monotonic()
        if 0 < fraction < 1 and t - self._last_progress < 0.25:
            return
        self._last_progress = t
        fraction = min(max(float(fraction), 0.0), 1.0)
        try:
            transact(self.db(), lambda db: db.execute(
                "UPDATE jobs SET progress = ?, message = ? WHERE id = ? AND status = 'running'",
                [fraction, message[:200], self.job_id]), patience=min(2.0, self.queue.settings.write_patience))
        except DatabaseBusy:
            log.info("job %s: progress not recorded (database busy)", self.job_id[:8])

    def note(self, **values) -> None:
        """Values the job learned while running (a checked render's report), added to its
        ``params`` in the same write that marks it completed: a completed job has them all, and a
        job that did not complete has none."""
        self.notes.update(values)

    def should_stop(self) -> bool:
        """True once the job was cancelled (or is gone): the engine's ``cancel`` callback."""
        try:
            with database.errors():
                row = self.db().execute("SELECT status FROM jobs WHERE id = ?", [self.job_id]).fetchone()
        except DatabaseBusy:
            return False
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
        try:
            kept = transact(self.db(), lambda db: db.execute(
                "UPDATE jobs SET preview_key = ?, first_audio_at = COALESCE(first_audio_at, ?) "
                "WHERE id = ? AND status = 'running'", [key, now(), self.job_id]).rowcount,
                patience=min(5.0, self.queue.settings.write_patience))
        except DatabaseBusy:
            kept = 0
        if not kept:  # cancelled meanwhile, or not recorded: the object must not outlive the job
            self.queue.discard([key])


class JobQueue:
    def __init__(self, settings: Settings, storage: Storage, maintenance: Callable[[], None] | None = None):
        self.settings = settings
        self.storage = storage
        self.worker_id = uuid.uuid4().hex
        self._active: set[str] = set()  # jobs a thread of this process is queued for or working on
        self._unwritten: dict[str, str] = {}  # job id -> the failure message a worker could not record
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._maintenance = maintenance
        self._pool = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="studio-job")
        self._register()
        try:
            self.recover()
        except DatabaseBusy as error:  # the first heartbeat tries again
            log.warning("start-up recovery postponed: %s", error)
        self._heart = threading.Thread(target=self._beat, name=f"studio-heartbeat-{self.worker_id[:8]}", daemon=True)
        self._heart.start()

    def db(self):
        return database.connect(self.settings.db_path, self.settings.busy_timeout)

    # -- this process as a worker --------------------------------------------------------------
    def _register(self) -> None:
        row = {"id": self.worker_id, "pid": os.getpid(), "host": HOST, "process_start": process_start(os.getpid()),
               "started_at": now(), "heartbeat": time.time(), "stopped_at": None}
        transact(self.db(), lambda db: db["workers"].insert(row), self.settings.write_patience)

    def _beat(self) -> None:
        """Heartbeat, reaping and maintenance, every ``heartbeat_seconds`` until shutdown."""
        last_maintenance = 0.0
        while not self._stop.wait(self.settings.heartbeat_seconds):
            try:
                transact(self.db(), lambda db: db.execute(
                    "UPDATE workers SET heartbeat = ? WHERE id = ?", [time.time(), self.worker_id]),
                    patience=self.settings.heartbeat_seconds)
            except Exception as error:  # the next beat tries again
                log.warning("heartbeat not recorded: %s", error)
            try:
                self.recover()
            except Exception as error:
                log.warning("recovery could not run: %s", error)
            if time.monotonic() - last_maintenance > 60:
                last_maintenance = time.monotonic()
                try:
                    self._forget_old_workers()
                    if self._maintenance:
                        self._maintenance()
                except Exception as error:
                    log.warning("maintenance could not run: %s", error)

    def _forget_old_workers(self, age: float = 86_400) -> None:
        """Drop the rows of workers stopped a day ago that no unfinished job names."""
        transact(self.db(), lambda db: db.execute(
            "DELETE FROM workers WHERE stopped_at IS NOT NULL AND heartbeat < ? AND id NOT IN "
            "(SELECT owner FROM jobs WHERE status IN ('queued', 'running') AND owner IS NOT NULL)",
            [time.time() - age]), patience=5.0)

    # -- submitting -------------------------------------------------------------------
    def submit(self, user_id: str, spec: JobSpec) -> str:
        """Debit the credits and queue the job atomically; return its id at once."""
        credits.check_cost(spec.cost)
        credits.ensure_user(self.db(), user_id, self.settings.starting_credits)
        job_id = uuid.uuid4().hex
        with self._lock:
            self._active.add(job_id)  # before the row exists, so recovery never takes it for abandoned
        source_key = None
        db = self.db()
        try:
            for name, data in spec.uploads.items():  # stored before any credit is spent
                key = make_key(user_id, spec.service, job_id, name)
                self.storage.put(key, data)
                source_key = source_key or key
            with write(db):
                credits.debit(db, user_id, spec.cost, job_id)
                db["jobs"].insert({
                    "id": job_id, "user_id": user_id, "service": spec.service, "engine": spec.engine,
                    "status": "queued", "title": spec.title, "params": json.dumps(spec.params),
                    "cost": spec.cost, "progress": 0.0, "message": "Waiting for a free worker",
                    "created_at": now(), "source_key": source_key, "outputs": "[]", "owner": self.worker_id,
                })
        except BaseException:
            with self._lock:
                self._active.discard(job_id)
            self.discard([make_key(user_id, spec.service, job_id, name) for name in spec.uploads])
            raise
        try:
            future = self._pool.submit(self._work, job_id, user_id, spec)
        except RuntimeError:  # the pool is shut down (the process is stopping)
            with self._lock:
                self._active.discard(job_id)
            self.fail(job_id, STOPPED, from_status=database.ACTIVE)
            return job_id
        future.add_done_callback(lambda f: self._done(job_id, f))
        return job_id

    # -- the worker ---------------------------------------------------------------------
    def _work(self, job_id: str, user_id: str, spec: JobSpec) -> None:
        try:
            self._run(job_id, user_id, spec)
        finally:
            with self._lock:
                self._active.discard(job_id)

    def _run(self, job_id: str, user_id: str, spec: JobSpec) -> None:
        written: list[str] = []
        try:
            started = transact(self.db(), lambda db: db.execute(
                "UPDATE jobs SET status = 'running', started_at = ?, message = 'Starting' "
                "WHERE id = ? AND status = 'queued'", [now(), job_id]).rowcount, self.settings.write_patience)
            if not started:
                return  # cancelled while queued (already refunded)
            ctx = JobContext(self, job_id, user_id, spec.service)
            results = spec.run(ctx)
            if not results:
                raise RuntimeError("the engine returned no audio")
            for i, result in enumerate(results):
                key = make_key(user_id, spec.service, job_id, "result" if i == 0 else f"result-{i}")
                written.append(key)  # before the write: a half-written object is discarded too
                self.storage.put(key, codec.to_wav(Audio(dsp.scale_peak(result.samples), result.sample_rate)))
            if self._complete(job_id, results[0], written, ctx.notes):
                written = []  # the row owns them now
                self._drop_preview(job_id)
            else:  # cancelled while the last part was being stored
                self.discard(written)
                self._drop_preview(job_id)
        except Cancelled:
            self.discard(written)
            self._drop_preview(job_id)
        except BaseException as error:  # every failure ends as a row a person can read
            if isinstance(error, StudioError):
                message = str(error)
                log.warning("job %s failed: %s", job_id[:8], error)
            else:
                log.error("job %s failed", job_id, exc_info=error)
                message = f"Generation failed (job {job_id[:8]}): {type(error).__name__}. The error was logged; try again."
            self.discard(written)
            with self._lock:
                self._unwritten[job_id] = message  # kept for the reaper if the database stays busy
            self.fail(job_id, message, from_status=database.ACTIVE)
            if not isinstance(error, Exception):
                raise

    def _done(self, job_id: str, future: Future) -> None:
        """Every job's future ends here: nothing it raised goes unread."""
        if future.cancelled():  # never started: the pool was shut down
            self._fail_quietly(job_id, STOPPED)
            return
        error = future.exception()
        if error is None:
            with self._lock:
                self._unwritten.pop(job_id, None)
            return
        log.error("job %s: the worker could not record how it ended", job_id, exc_info=error)
        with self._lock:
            message = self._unwritten.get(job_id) or (
                f"Generation failed (job {job_id[:8]}): {type(error).__name__}. The error was logged; try again.")
        self._fail_quietly(job_id, message)

    def _fail_quietly(self, job_id: str, message: str) -> None:
        try:
            self.fail(job_id, message, from_status=database.ACTIVE, patience=min(5.0, self.settings.write_patience))
            with self._lock:
                self._unwritten.pop(job_id, None)
        except Exception as error:  # recovery on the next heartbeat fails it
            log.warning("job %s: not failed yet (%s); recovery will retry", job_id[:8], error)

    def _complete(self, job_id: str, first: Audio, keys: list[str], notes: dict | None = None) -> bool:
        def mark(db) -> int:
            done = db.execute(
                "UPDATE jobs SET status = 'completed', progress = 1.0, message = 'Done', finished_at = ?, "
                "duration = ?, sample_rate = ?, result_key = ?, outputs = ? WHERE id = ? AND status = 'running'",
                [now(), first.duration, first.sample_rate, keys[0], json.dumps(keys), job_id],
            ).rowcount
            if done and notes:
                params = db.execute("SELECT params FROM jobs WHERE id = ?", [job_id]).fetchone()[0]
                db.execute("UPDATE jobs SET params = ? WHERE id = ?",
                           [json.dumps(json.loads(params or "{}") | notes), job_id])
            return done

        return bool(transact(self.db(), mark, self.settings.write_patience))

    def _drop_preview(self, job_id: str) -> None:
        """Forget and delete the job's early-playback part once it has ended (best effort:
        the sweep removes what is left)."""
        def take(db) -> str | None:
            row = db.execute("SELECT preview_key FROM jobs WHERE id = ? AND status NOT IN ('queued', 'running')",
                             [job_id]).fetchone()
            if row and row[0]:
                db.execute("UPDATE jobs SET preview_key = NULL WHERE id = ?", [job_id])
                return row[0]
            return None

        try:
            key = transact(self.db(), take, min(10.0, self.settings.write_patience))
        except StudioError as error:
            log.warning("job %s: preview left for the sweep (%s)", job_id[:8], error)
            return
        if key:
            self.discard([key])

    def discard(self, keys: list[str]) -> None:
        for key in keys:
            try:
                self.storage.delete(key)
            except StudioError:
                log.warning("could not delete %s; the sweep will", key)

    def fail(self, job_id: str, message: str, from_status: tuple[str, ...] = ("running",),
             patience: float | None = None, owner: str | None = None) -> bool:
        """Mark the job failed and refund it, if it is still in ``from_status`` (and, if given,
        still owned by ``owner``); True if this call did it."""
        placeholders = ",".join("?" * len(from_status))

        def mark(db):
            args = [job_id, *from_status] + ([owner] if owner else [])
            row = db.execute(
                f"SELECT user_id, cost, preview_key FROM jobs WHERE id = ? AND status IN ({placeholders})"
                + (" AND owner = ?" if owner else ""), args).fetchone()
            if row is None:
                return None
            db.execute("UPDATE jobs SET status = 'failed', error = ?, message = 'Failed', finished_at = ?, "
                       "preview_key = NULL WHERE id = ?", [message[:2000], now(), job_id])
            credits.refund(db, row[0], row[1], job_id, "refund: failed")
            return (row[2],)

        done = transact(self.db(), mark, self.settings.write_patience if patience is None else patience)
        if done is None:
            return False
        if done[0]:
            self.discard([done[0]])
        return True

    # -- cancelling and recovery ---------------------------------------------------------
    def cancel(self, user_id: str, job_id: str) -> bool:
        """Cancel a queued or running job of this user and refund it; False if it had already ended."""
        check_job_id(job_id)
        db = self.db()
        with write(db):
            row = db.execute("SELECT status, cost FROM jobs WHERE id = ? AND user_id = ? AND deleting_at IS NULL",
                             [job_id, user_id]).fetchone()
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
        """Fail and refund the jobs nobody is working on: those of workers that are gone, and
        this process's own that no thread holds any more. Never a live worker's. Returns how many."""
        db = self.db()
        with database.errors():
            jobs = db.execute("SELECT id, owner FROM jobs WHERE status IN ('queued', 'running')").fetchall()
            if not jobs:
                return 0
            owners = {owner for _, owner in jobs if owner and owner != self.worker_id}
            rows = {r["id"]: r for r in db.query(
                f"SELECT * FROM workers WHERE id IN ({','.join('?' * len(owners))})", list(owners))} if owners else {}
        at = time.time()
        gone = {o for o in owners if o not in rows or not worker_alive(rows[o], self.settings.worker_timeout, at)}
        reaped = 0
        for job_id, owner in jobs:
            if owner == self.worker_id:
                with self._lock:
                    if job_id in self._active:
                        continue
                    message = self._unwritten.get(job_id, REAPED)
            elif owner is None or owner in gone:
                message = REAPED
            else:
                continue
            # Only while it is still this owner's: a job another worker took over is not touched.
            patience = min(self.settings.write_patience, 10.0)
            if owner:
                done = self.fail(job_id, message, from_status=database.ACTIVE, owner=owner, patience=patience)
            else:
                done = self._fail_unowned(job_id, message, patience)
            if done:
                reaped += 1
                with self._lock:
                    self._unwritten.pop(job_id, None)
        if gone:
            try:
                transact(db, lambda d: d.execute(
                    f"UPDATE workers SET stopped_at = COALESCE(stopped_at, ?) WHERE id IN ({','.join('?' * len(gone))})",
                    [now(), *gone]), patience=5.0)
            except DatabaseBusy:
                pass
        if reaped:
            log.warning("failed and refunded %d job(s) whose worker had stopped", reaped)
        return reaped

    def _fail_unowned(self, job_id: str, message: str, patience: float) -> bool:
        """Jobs from before owners were recorded (schema 1): their process is certainly gone."""
        if not self.db().execute("SELECT 1 FROM jobs WHERE id = ? AND owner IS NULL", [job_id]).fetchone():
            return False
        return self.fail(job_id, message, from_status=database.ACTIVE, patience=patience)

    def active(self) -> set[str]:
        with self._lock:
            return set(self._active)

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking work; with ``wait``, finish what is running. Jobs left behind are failed
        and refunded, and this worker is marked stopped so no one waits for it."""
        self._stop.set()
        self._pool.shutdown(wait=wait, cancel_futures=not wait)
        if wait:
            self._heart.join(timeout=self.settings.heartbeat_seconds + 1)
        try:
            transact(self.db(), lambda db: db.execute("UPDATE workers SET stopped_at = ? WHERE id = ?",
                                                      [now(), self.worker_id]), patience=10.0)
        except StudioError as error:
            log.warning("could not mark this worker stopped: %s", error)


def get_job(db, user_id: str, job_id: str) -> dict:
    """The job row if it belongs to ``user_id``; NotFound otherwise (no hint that it exists)."""
    check_job_id(job_id)
    rows = list(db.query("SELECT * FROM jobs WHERE id = ? AND user_id = ? AND deleting_at IS NULL", [job_id, user_id]))
    if not rows:
        raise NotFound(f"No such job: {job_id}")
    return _decode(rows[0])


def _decode(row: dict) -> dict:
    row["params"] = json.loads(row["params"] or "{}")
    row["outputs"] = json.loads(row["outputs"] or "[]")
    return row


def active_job(db, user_id: str, service: str) -> str | None:
    """The newest queued or running job of ``service`` for ``user_id`` (a reload or a second tab
    finds its job here, not in the session)."""
    row = db.execute("SELECT id FROM jobs WHERE user_id = ? AND service = ? AND status IN ('queued', 'running') "
                     "AND deleting_at IS NULL ORDER BY created_at DESC, rowid DESC LIMIT 1", [user_id, service]).fetchone()
    return row[0] if row else None


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
