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
    assert row["status"] == "failed" and "restarted" in row["error"]
    assert second.balance("alice") == 10_000
    second.shutdown()


def test_storage_unreachable_fails_the_job_and_refunds(settings):
    from studio.config import StorageSettings

    broken = replace(settings, storage=StorageSettings(backend="s3", endpoint_url="http://127.0.0.1:9", bucket="x",
                                                       access_key="a", secret_key="b", connect_timeout=1, retries=1))
    studio = Studio(broken)
    job_id = studio.submit("alice", spec())
    row = studio.wait("alice", job_id, timeout=120)
    studio.shutdown()
    assert row["status"] == "failed"
    assert "Could not reach bucket 'x' at http://127.0.0.1:9" in row["error"]
    assert studio.balance("alice") == 10_000


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
