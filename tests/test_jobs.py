"""The job queue with a real SQLite file and real local storage. The work functions here are
small real computations (a sine tone), so the queue's own behaviour is what is tested."""
import sqlite3
import threading
import time
from dataclasses import replace

import numpy as np
import pytest

from audiokit import Audio
from audiokit.errors import Cancelled
from studio import credits
from studio.core import Studio
from studio.errors import DatabaseBusy, InsufficientCredits, NotFound, StorageUnavailable
from studio.jobs import JobQueue, JobSpec


def tone(seconds=0.5, rate=16000):
    t = np.arange(int(seconds * rate)) / rate
    return Audio(0.3 * np.sin(2 * np.pi * 440 * t), rate)


def spec(run=lambda ctx: [tone()], cost=50, title="a tone"):
    return JobSpec(service="tts", engine="test", title=title, params={}, cost=cost, run=run)


def test_submit_debits_runs_and_stores(studio):
    job_id = studio.submit("alice", spec())
    row = studio.wait("alice", job_id, timeout=60)
    assert row["status"] == "completed", row["error"]
    assert studio.balance("alice") == 10_000 - 50
    audio = studio.audio("alice", job_id)
    assert audio[:4] == b"RIFF"
    assert row["duration"] == pytest.approx(0.5, abs=0.01)


def test_failure_is_refunded_with_an_honest_message(studio):
    def boom(ctx):
        raise ZeroDivisionError("model exploded")

    job_id = studio.submit("alice", spec(run=boom))
    row = studio.wait("alice", job_id, timeout=60)
    assert row["status"] == "failed"
    assert job_id[:8] in row["error"] and "ZeroDivisionError" in row["error"]
    assert studio.balance("alice") == 10_000


def test_insufficient_credits_rejected_before_anything_is_queued(studio):
    with pytest.raises(InsufficientCredits, match="costs 20,000 credits but your balance is 10,000"):
        studio.submit("alice", spec(cost=20_000))
    assert studio.history("alice")[1] == 0
    assert studio.balance("alice") == 10_000


def test_simultaneous_submissions_never_overdraw(settings):
    studio = Studio(replace(settings, starting_credits=100, workers=1))
    gate = threading.Barrier(8)
    results = []

    def tab():
        gate.wait()
        try:
            results.append(studio.submit("alice", spec(cost=60)))
        except InsufficientCredits:
            results.append("refused")

    threads = [threading.Thread(target=tab) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    studio.shutdown()
    assert results.count("refused") == 7
    assert studio.balance("alice") == 40


def test_cancel_running_job_refunds_and_stops_the_worker(studio):
    started, stopped = threading.Event(), threading.Event()

    def slow(ctx):
        started.set()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if ctx.should_stop():
                stopped.set()
                raise Cancelled()
            time.sleep(0.01)
        return [tone()]

    job_id = studio.submit("alice", spec(run=slow))
    assert started.wait(30)
    assert studio.balance("alice") == 9_950
    assert studio.cancel("alice", job_id) is True
    assert stopped.wait(30)
    assert studio.job("alice", job_id)["status"] == "cancelled"
    assert studio.balance("alice") == 10_000
    assert studio.cancel("alice", job_id) is False  # already ended: nothing refunded twice
    assert studio.balance("alice") == 10_000


def test_cancel_queued_job_never_runs(settings):
    studio = Studio(replace(settings, workers=1))
    release, ran = threading.Event(), []
    blocker = studio.submit("alice", spec(run=lambda ctx: (release.wait(30), [tone()])[1]))
    queued = studio.submit("alice", spec(run=lambda ctx: (ran.append(1), [tone()])[1]))
    assert studio.cancel("alice", queued)
    release.set()
    studio.wait("alice", blocker, timeout=60)
    studio.shutdown()
    assert ran == []
    assert studio.job("alice", queued)["status"] == "cancelled"
    assert studio.balance("alice") == 9_950


def test_first_part_is_playable_before_the_job_ends(studio):
    release = threading.Event()

    def two_parts(ctx):
        ctx.partial(tone(0.3))
        release.wait(30)
        return [tone(1.0)]

    job_id = studio.submit("alice", spec(run=two_parts))
    deadline = time.monotonic() + 30
    while not studio.job("alice", job_id)["preview_key"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert studio.job("alice", job_id)["status"] == "running"
    assert studio.audio("alice", job_id, which="preview")[:4] == b"RIFF"
    release.set()
    row = studio.wait("alice", job_id, timeout=30)
    assert row["status"] == "completed" and row["preview_key"] is None


def test_jobs_left_running_by_a_crash_are_failed_and_refunded(settings):
    first = Studio(settings)
    job_id = first.submit("alice", spec(run=lambda ctx: [tone()]))
    first.wait("alice", job_id, timeout=60)
    db = first.db()
    db.execute("UPDATE jobs SET status = 'running' WHERE id = ?", [job_id])  # as if the process died mid-job
    first.shutdown()
    second = Studio(settings)
    row = second.job("alice", job_id)
    assert row["status"] == "failed" and "stopped (a restart or a crash)" in row["error"]
    assert second.balance("alice") == 10_000
    second.shutdown()


def test_storage_unreachable_at_start_is_reported_without_the_endpoint(settings):
    from studio.config import StorageSettings
    from studio.errors import StartupProblem

    broken = replace(settings, storage=StorageSettings(backend="s3", endpoint_url="http://127.0.0.1:9", bucket="x",
                                                       access_key="a-key-id", secret_key="b-secret", connect_timeout=1,
                                                       retries=1))
    with pytest.raises(StartupProblem, match=r"Could not reach the audio store \(S3\)\. Check that the S3 server") as info:
        Studio(broken)
    for secret in ("127.0.0.1", ":9", "a-key-id", "b-secret", str(settings.data_dir)):
        assert secret not in str(info.value)


def test_database_busy_is_reported_and_nothing_is_charged(settings):
    studio = Studio(replace(settings, busy_timeout=0.2))
    studio.balance("alice")  # creates the user
    other = sqlite3.connect(str(settings.db_path), isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseBusy, match="database is busy"):
            studio.submit("alice", spec())
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert studio.balance("alice") == 10_000
    assert studio.history("alice")[1] == 0
    studio.shutdown()


def test_other_users_jobs_are_invisible(studio):
    job_id = studio.submit("alice", spec())
    studio.wait("alice", job_id, timeout=60)
    for action in (lambda: studio.job("bob", job_id), lambda: studio.audio("bob", job_id),
                   lambda: studio.cancel("bob", job_id), lambda: studio.delete("bob", job_id),
                   lambda: studio.playback_url("bob", job_id)):
        with pytest.raises(NotFound):
            action()
    assert studio.history("bob")[1] == 0
    assert studio.job("alice", job_id)["status"] == "completed"


@pytest.mark.parametrize("bad_id", ["", "../../etc/passwd", "x" * 32, "0" * 31, None, "0" * 32 + "'; DROP TABLE jobs;--"])
def test_hostile_job_ids_are_not_found(studio, bad_id):
    with pytest.raises(NotFound):
        studio.job("alice", bad_id)


def test_grant_credits(settings):
    studio = Studio(settings)
    db = studio.db()
    assert credits.grant(db, "carol", 500, settings.starting_credits) == 10_500
    with pytest.raises(Exception, match="below zero"):
        credits.grant(db, "carol", -20_000)
    assert credits.balance(db, "carol") == 10_500
    studio.shutdown()


def test_price_table_units():
    prices = {"tts": {"per_generation": 50, "per_character": 0.01}, "vc": {"per_second": 1.5}}
    assert credits.price(prices, "tts", characters=10_000) == 150
    assert credits.price(prices, "tts", characters=1) == 51  # rounded up, never free
    assert credits.price(prices, "vc", seconds=10.2) == 16
    with pytest.raises(ValueError, match="No price is configured"):
        credits.price(prices, "nope")


# -- schema versions and the rules the database enforces ------------------------------------------
# The schema exactly as studio/db.py created it before versions were counted (commit 9773911):
# sqlite-utils' CREATE statements, copied from sqlite_master of a database that code made.
SCHEMA_BEFORE_VERSIONS = '''
CREATE TABLE "users" (
   "id" TEXT PRIMARY KEY,
   "credits" INTEGER,
   "created_at" TEXT
);
CREATE TABLE "jobs" (
   "id" TEXT PRIMARY KEY,
   "user_id" TEXT REFERENCES "users"("id"),
   "service" TEXT,
   "engine" TEXT,
   "status" TEXT,
   "title" TEXT,
   "params" TEXT,
   "cost" INTEGER,
   "progress" REAL,
   "message" TEXT,
   "error" TEXT,
   "created_at" TEXT,
   "started_at" TEXT,
   "finished_at" TEXT,
   "duration" REAL,
   "sample_rate" INTEGER,
   "result_key" TEXT,
   "preview_key" TEXT,
   "source_key" TEXT,
   "outputs" TEXT,
   "first_audio_at" TEXT
);
CREATE INDEX "idx_jobs_user_id_created_at"
    ON "jobs" ("user_id", "created_at");
CREATE INDEX "idx_jobs_status"
    ON "jobs" ("status");
CREATE TABLE "ledger" (
   "id" INTEGER PRIMARY KEY,
   "user_id" TEXT,
   "delta" INTEGER,
   "reason" TEXT,
   "job_id" TEXT,
   "created_at" TEXT
);
CREATE INDEX "idx_ledger_user_id"
    ON "ledger" ("user_id");
CREATE TABLE "voice_samples" (
   "id" TEXT PRIMARY KEY,
   "user_id" TEXT REFERENCES "users"("id"),
   "name" TEXT,
   "key" TEXT,
   "duration" REAL,
   "created_at" TEXT
);
CREATE INDEX "idx_voice_samples_user_id_created_at"
    ON "voice_samples" ("user_id", "created_at");
'''


def test_a_database_from_before_versions_is_upgraded_with_its_data(settings):
    from studio import db as database
    from studio.storage import make_key

    settings.data_dir.mkdir(parents=True)
    old = sqlite3.connect(str(settings.db_path))
    old.executescript(SCHEMA_BEFORE_VERSIONS)
    done, running, twice = "a" * 32, "b" * 32, "c" * 32
    key = make_key("alice", "tts", done, "result")
    old.executescript(f'''
        INSERT INTO users VALUES ('alice', 9950, '2025-01-01T00:00:00+00:00');  -- 10,000 − 3 × 50 + 2 refunds
        INSERT INTO jobs (id, user_id, service, engine, status, title, params, cost, outputs, result_key, created_at)
            VALUES ('{done}', 'alice', 'tts', 'kokoro', 'completed', 'kept words', '{{"voice": "af_heart"}}', 50,
                    '["{key}"]', '{key}', '2025-01-01T00:00:01+00:00'),
                   ('{running}', 'alice', 'tts', 'kokoro', 'running', 'cut short', '{{}}', 50, '[]', NULL,
                    '2025-01-01T00:00:02+00:00'),
                   ('{twice}', 'alice', 'tts', 'kokoro', 'failed', 'refunded twice by the old bug', '{{}}', 50, '[]',
                    NULL, '2025-01-01T00:00:03+00:00');
        INSERT INTO ledger (user_id, delta, reason, job_id, created_at) VALUES
            ('alice', 10000, 'welcome', NULL, 't'), ('alice', -50, 'generation', '{done}', 't'),
            ('alice', -50, 'generation', '{running}', 't'), ('alice', -50, 'generation', '{twice}', 't'),
            ('alice', 50, 'refund: failed', '{twice}', 't'), ('alice', 50, 'refund: failed', '{twice}', 't');
    ''')
    old.commit()
    old.close()
    database.forget(settings.db_path)
    studio = Studio(settings, sweep_at_start=False)  # migrates, then reaps the job left running
    db = studio.db()
    assert database.version(db) == database.VERSION
    assert studio.job("alice", done)["title"] == "kept words"
    assert studio.history("alice", voice="af_heart")[1] == 1
    row = studio.job("alice", running)
    assert row["status"] == "failed" and "stopped" in row["error"]  # no owner recorded: its process is gone
    assert studio.balance("alice") == 10_000  # 9,950 + the running job's refund
    kinds = dict(db.execute("SELECT kind, COUNT(*) FROM ledger GROUP BY kind").fetchall())
    assert kinds == {"welcome": 1, "debit": 3, "refund": 2, "refund-duplicate": 1}
    assert credits.drift(db) == 0
    studio.shutdown()
    database.forget(settings.db_path)
    again = Studio(settings, sweep_at_start=False)  # a second start changes nothing
    assert again.balance("alice") == 10_000 and database.version(again.db()) == database.VERSION
    again.shutdown()


def test_the_database_refuses_a_negative_balance_and_a_second_refund(studio):
    from studio import db as database

    job_id = studio.submit("alice", spec())
    studio.wait("alice", job_id, timeout=60)
    db = studio.db()
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        db.execute("UPDATE users SET credits = -1 WHERE id = 'alice'")
    with database.write(db):
        assert credits.refund(db, "alice", 50, job_id, "refund: failed") is True
    with database.write(db):
        assert credits.refund(db, "alice", 50, job_id, "refund: failed") is False  # the ledger allows one
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        db.execute("INSERT INTO ledger (user_id, delta, reason, kind, job_id) VALUES ('alice', 50, 'x', 'refund', ?)",
                   [job_id])
    assert studio.balance("alice") == 10_000 and credits.drift(db) == 0


@pytest.mark.parametrize("cost", [0, -50, 1.5, float("nan"), float("inf"), True, 10**10])
def test_the_core_refuses_costs_that_are_not_positive_whole_credits(studio, cost):
    from studio.errors import InvalidInput

    with pytest.raises(InvalidInput, match="must cost 1–"):
        studio.submit("alice", spec(cost=cost))
    assert studio.balance("alice") == 10_000 and studio.history("alice")[1] == 0


@pytest.mark.parametrize("prices, message", [
    ({"tts": {"per_generation": -5}}, "finite number ≥ 0"),
    ({"tts": {"per_character": float("nan")}}, "finite number ≥ 0"),
    ({"tts": {"per_second": float("inf")}}, "finite number ≥ 0"),
    ({"tts": {"per_generation": 0}}, "must cost 1–"),
])
def test_prices_that_are_negative_or_not_finite_are_refused(prices, message):
    from studio.errors import InvalidInput

    with pytest.raises(InvalidInput, match=message):
        credits.price(prices, "tts", characters=10)
