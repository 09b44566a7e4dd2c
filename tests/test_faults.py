"""Faults caused for real, then checked: nothing lost, nothing stuck, nothing charged twice.

Another process holds the SQLite write lock (8 s, then 40 s); two processes share one data
directory; a process is killed with SIGKILL mid-job and the next start reaps it; the S3 server
(SeaweedFS) is stopped during a job and during a delete; the data folder and the database file
are made read-only (a read-only bind mount in a private mount namespace: tests run as root,
where chmod stops nothing); the disk is filled (a 2 MB tmpfs); users.yaml is broken.
"""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from studio import credits, db as database, jobs
from studio.core import Studio
from studio.errors import DiskFull, NotFound, StartupProblem, StorageUnavailable
from studio.storage import make_key
from tests.test_jobs import spec, tone

ROOT = Path(__file__).resolve().parent.parent


# -- helpers ------------------------------------------------------------------------------------
def hold_lock(db_path: Path, seconds: float) -> subprocess.Popen:
    """Another process that takes SQLite's write lock (BEGIN IMMEDIATE) and sleeps holding it."""
    code = ("import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            "print('locked', flush=True)\n"
            "time.sleep(float(sys.argv[2]))\n"
            "c.execute('ROLLBACK')\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(db_path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def gated(release: threading.Event, started: threading.Event | None = None):
    def run(ctx):
        if started:
            started.set()
        release.wait(120)
        ctx.progress(0.9, "finishing")
        return [tone()]
    return run


def _readable(storage, key: str, loading: bool = False) -> bytes | None:
    """The object, or None while the store is down (or, ``loading``, still loading after a restart)."""
    try:
        return storage.get(key)
    except StorageUnavailable:
        return None
    except NotFound:
        if loading:
            return None
        raise


def refunds(db, job_id: str) -> int:
    return db.execute("SELECT COUNT(*) FROM ledger WHERE job_id = ? AND kind = 'refund'", [job_id]).fetchone()[0]


WORKER = textwrap.dedent('''
    """A second studio process: submits one job that waits for a gate file, then reports."""
    import sys, time
    from pathlib import Path

    from studio.config import Settings
    from studio.core import Studio
    from studio.jobs import JobSpec
    from studio.storage import make_key
    from tests.test_jobs import tone

    data_dir, gate, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    studio = Studio(Settings(data_dir=data_dir, workers=1, heartbeat_seconds=0.5, worker_timeout=5),
                    sweep_at_start=False)

    def run(ctx):
        ctx.partial(tone(0.3))  # an early-playback part, stored and recorded
        if mode == "orphan":  # a result written but never recorded: what a crash mid-job leaves
            ctx.queue.storage.put(make_key(ctx.user_id, "tts", ctx.job_id, "result"), b"RIFF-never-recorded")
        ctx.progress(0.5, "waiting for the gate")
        while not gate.exists():
            time.sleep(0.05)
        return [tone()]

    job_id = studio.submit("alice", JobSpec("tts", "test", "from another process", {}, 50, run))
    print(job_id, flush=True)
    row = studio.wait("alice", job_id, timeout=120)
    print(row["status"], flush=True)
    studio.shutdown()
''')


def start_worker(tmp_path: Path, data_dir: Path, mode: str = "plain") -> tuple[subprocess.Popen, str, Path]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    gate = tmp_path / f"gate-{mode}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, str(script), str(data_dir), str(gate), mode], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, text=True)
    job_id = proc.stdout.readline().strip()
    assert len(job_id) == 32, f"the worker process did not start: {job_id!r}"
    return proc, job_id, gate


def row_of(settings, job_id: str) -> dict:
    db = database.connect(settings.db_path, settings.busy_timeout)
    return dict(zip(("status", "progress", "error", "owner", "preview_key"), db.execute(
        "SELECT status, progress, error, owner, preview_key FROM jobs WHERE id = ?", [job_id]).fetchone()))


# -- the database lock ---------------------------------------------------------------------------
def test_a_job_outlasts_another_process_holding_the_write_lock_for_8_seconds(settings):
    studio = Studio(settings)  # busy timeout 5 s, write patience 120 s
    release, started = threading.Event(), threading.Event()
    job_id = studio.submit("alice", spec(run=gated(release, started)))
    assert started.wait(30)
    holder = hold_lock(settings.db_path, 8)
    locked_at = time.monotonic()
    release.set()  # the job finishes its work while the lock is held: progress, then the result
    row = studio.wait("alice", job_id, timeout=60)
    waited = time.monotonic() - locked_at
    holder.wait(30)
    assert row["status"] == "completed", row["error"]
    assert waited > 7, f"the job ended {waited:.1f} s after the lock was taken: it did not wait for it"
    assert studio.audio("alice", job_id)[:4] == b"RIFF"
    assert studio.balance("alice") == 9_950 and credits.drift(studio.db()) == 0
    studio.shutdown()


def test_a_40_second_lock_fails_the_job_refunds_it_once_and_the_worker_lives_on(settings):
    fast = replace(settings, busy_timeout=0.5, write_patience=3.0, heartbeat_seconds=1.0, worker_timeout=5.0)
    studio = Studio(fast)
    release, started = threading.Event(), threading.Event()
    job_id = studio.submit("alice", spec(run=gated(release, started)))
    assert started.wait(30)
    holder = hold_lock(settings.db_path, 40)
    release.set()
    # Nobody can write while the lock is held, so the row still says "running"; but no thread is
    # stuck on it: the worker gave up after its patience and left the job to recovery.
    wait_for(lambda: job_id not in studio.queue.active(), 20, "the worker to let the job go")
    assert row_of(fast, job_id)["status"] == "running"
    holder.wait(60)
    row = wait_for(lambda: (r := studio.job("alice", job_id))["status"] != "running" and r, 30,
                   "recovery to end the job after the lock was released")
    assert row["status"] == "failed"
    assert "database is busy" in row["error"]  # the worker's own message, kept
    assert studio.balance("alice") == 10_000 and refunds(studio.db(), job_id) == 1
    assert credits.drift(studio.db()) == 0
    again = studio.submit("alice", spec())  # the worker survived
    assert studio.wait("alice", again, timeout=60)["status"] == "completed"
    studio.shutdown()


def test_a_full_database_refuses_the_submission_and_charges_nothing(studio):
    studio.balance("alice")
    db = studio.db()
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own SQLITE_FULL on the next new page
    try:
        with pytest.raises(DiskFull, match="The disk holding the studio's data is full"):
            studio.submit("alice", spec(title="x" * 200_000))
    finally:
        db.execute("PRAGMA max_page_count = 1073741823")
    assert studio.balance("alice") == 10_000 and studio.history("alice")[1] == 0


# -- several processes, one data directory -------------------------------------------------------------
def test_a_second_process_never_reaps_the_first_ones_live_job(tmp_path, settings):
    first, job_id, gate = start_worker(tmp_path, settings.data_dir)
    try:
        wait_for(lambda: row_of(settings, job_id)["progress"] == 0.5, 60, "the other process's job to run")
        second = Studio(replace(settings, heartbeat_seconds=0.5, worker_timeout=2.0))  # start-up recovery runs
        time.sleep(2.5)  # and five heartbeats' recoveries, past the other-host timeout
        assert row_of(settings, job_id)["status"] == "running"
        mine = second.submit("bob", spec())  # both work at once on one database
        assert second.wait("bob", mine, timeout=60)["status"] == "completed"
        gate.touch()
        assert first.stdout.readline().strip() == "completed"
        assert first.wait(30) == 0
        assert second.job("alice", job_id)["status"] == "completed"
        assert second.balance("alice") == 9_950 and refunds(second.db(), job_id) == 0
        second.shutdown()
    finally:
        if first.poll() is None:
            first.kill()


def test_kill_9_mid_job_then_a_restart_reaps_and_refunds_exactly_once(tmp_path, settings):
    worker, job_id, _ = start_worker(tmp_path, settings.data_dir, mode="orphan")
    wait_for(lambda: row_of(settings, job_id)["progress"] == 0.5, 60, "the job to run")
    assert row_of(settings, job_id)["preview_key"]
    worker.send_signal(signal.SIGKILL)
    worker.wait(30)
    assert row_of(settings, job_id)["status"] == "running"  # what a crash leaves behind
    restarted = Studio(settings, sweep_at_start=False)
    row = restarted.job("alice", job_id)
    assert row["status"] == "failed" and "stopped (a restart or a crash)" in row["error"]
    assert row["preview_key"] is None  # the reaper deleted the early-playback part too
    with pytest.raises(NotFound):
        restarted.storage.get(make_key("alice", "tts", job_id, "preview"))
    assert restarted.balance("alice") == 10_000 and refunds(restarted.db(), job_id) == 1
    report = restarted.sweep(min_age=0)
    assert report.orphans_removed == 1  # the result the killed process wrote but never recorded
    restarted.shutdown()
    database.forget(settings.db_path)
    third = Studio(settings, sweep_at_start=False)  # restarting again changes nothing
    assert third.balance("alice") == 10_000 and refunds(third.db(), job_id) == 1
    assert third.sweep(min_age=0).orphans_removed == 0 and credits.drift(third.db()) == 0
    third.shutdown()


def test_a_dead_pid_on_this_host_and_a_silent_worker_elsewhere_are_gone_but_a_live_one_is_not():
    now = time.time()
    me = {"host": jobs.HOST, "pid": os.getpid(), "process_start": jobs.process_start(os.getpid()), "heartbeat": 0}
    assert jobs.worker_alive(me, timeout=5, at=now)  # alive however old its heartbeat
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert not jobs.worker_alive({**me, "pid": dead.pid, "process_start": None}, timeout=5, at=now)
    assert not jobs.worker_alive({**me, "process_start": "1"}, timeout=5, at=now)  # the pid was reused
    elsewhere = {"host": "another-machine", "pid": 1, "process_start": None}
    assert jobs.worker_alive({**elsewhere, "heartbeat": now - 2}, timeout=5, at=now)
    assert not jobs.worker_alive({**elsewhere, "heartbeat": now - 6}, timeout=5, at=now)
    assert not jobs.worker_alive({**me, "stopped_at": "2026-01-01"}, timeout=5, at=now)


# -- S3 stopped -------------------------------------------------------------------------------------
def test_s3_stopped_during_a_job_fails_it_with_a_plain_message_and_refunds(settings, own_s3):
    studio = Studio(own_s3.settings(settings))
    release, started = threading.Event(), threading.Event()
    job_id = studio.submit("alice", spec(run=gated(release, started)))
    assert started.wait(30)
    own_s3.stop()
    release.set()
    row = studio.wait("alice", job_id, timeout=120)
    assert row["status"] == "failed"
    assert "Could not write audio to the audio store (S3)" in row["error"]
    for secret in ("127.0.0.1", str(own_s3.base), own_s3.access_key, own_s3.secret_key):
        assert secret not in row["error"]
    assert studio.balance("alice") == 10_000 and refunds(studio.db(), job_id) == 1
    own_s3.start()
    assert studio.sweep(min_age=0).orphans_removed == 0  # nothing was left half-stored
    studio.shutdown()


def test_s3_stopped_during_a_delete_leaves_the_entry_hidden_then_the_sweep_finishes(settings, own_s3):
    studio = Studio(own_s3.settings(settings))
    job_id = studio.submit("alice", spec())
    key = studio.wait("alice", job_id, timeout=60)["result_key"]
    own_s3.stop()
    assert studio.delete("alice", job_id) is False
    assert studio.history("alice")[1] == 0  # hidden: never a history entry pointing at deleted audio
    with pytest.raises(NotFound):
        studio.audio("alice", job_id)
    report = studio.sweep()  # still down: the deletion stays marked, nothing is lost
    assert report.deletions_pending == 1 and report.storage_error
    own_s3.start()
    # The row still owned it until now. (A restarted SeaweedFS answers 500, or under load even
    # 404, for a few moments while it loads the bucket's volume: wait for the object, as the next
    # sweep would. An object really lost never comes back, and the wait fails.)
    assert wait_for(lambda: _readable(studio.storage, key, loading=True), 120,
                    "the restarted server to serve the object")[:4] == b"RIFF"
    report = studio.sweep()
    assert report.deletions_finished == 1 and report.deletions_pending == 0
    with pytest.raises(NotFound):
        studio.storage.get(key)
    assert studio.db().execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == 0
    studio.shutdown()


def test_s3_down_at_start_and_a_missing_bucket_that_cannot_be_made_are_explained(settings, own_s3):
    own_s3.stop()
    with pytest.raises(StartupProblem, match=r"Could not reach the audio store \(S3\)\. Check that the S3 server") as info:
        Studio(own_s3.settings(settings))
    assert own_s3.endpoint not in str(info.value) and own_s3.secret_key not in str(info.value)
    own_s3.start()
    with pytest.raises(StartupProblem, match="bucket for audio does not exist and could not be created"):
        Studio(own_s3.settings(settings, bucket="Bad_Bucket"))  # the server refuses to create it


# -- read-only, full ----------------------------------------------------------------------------------
def _unshare() -> list[str]:
    """A private mount namespace (real root, or a user namespace), or skip saying why not."""
    tool = shutil.which("unshare")
    if not tool:
        pytest.skip("util-linux `unshare` is not installed: cannot make a read-only mount or a tiny disk")
    flags = ["-m"] if os.geteuid() == 0 else ["-r", "-m"]
    probe = subprocess.run([tool, *flags, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"no private mount namespace here ({probe.stderr.strip()}): cannot cause the fault")
    return [tool, *flags]


def cli_in_namespace(setup: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``python -m studio.cli ARGS`` after the shell ``setup`` in a private mount namespace."""
    env = {**os.environ, "STUDIO_DATA_DIR": str(data_dir), "STUDIO_CONFIG": str(data_dir.parent / "none.toml"),
           "PYTHONDONTWRITEBYTECODE": "1"}
    command = f"{setup} && exec {sys.executable} -m studio.cli {' '.join(args)}"
    return subprocess.run([*_unshare(), "sh", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def read_only(path: Path) -> str:
    return f"mount --bind {path} {path} && mount -o remount,bind,ro {path}"


def test_read_only_data_folder_is_explained_with_the_fix(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    out = cli_in_namespace(read_only(data), data, "check")
    assert out.returncode == 2, out
    assert "The data folder is not writable. Give the user running the studio write access" in out.stderr
    assert str(tmp_path) not in out.stderr.splitlines()[-1]  # the path is logged, not shown


def test_read_only_database_is_explained_with_the_fix(tmp_path):
    data = tmp_path / "data"
    assert cli_in_namespace("true", data, "balance", "alice").returncode == 0  # a database with a user
    out = cli_in_namespace(read_only(data / "studio.db"), data, "grant", "alice", "5")
    assert out.returncode == 2, out
    assert "The studio's database is read-only. Give the user running the studio write access" in out.stderr
    out = cli_in_namespace(read_only(data / "studio.db"), data, "check")
    assert "database is read-only" in out.stderr
    assert cli_in_namespace("true", data, "balance", "alice").stdout.strip() == "alice: 10,000 credits"


def test_a_full_disk_is_explained_with_the_fix(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    fill = f"mount -t tmpfs -o size=2m tmpfs {disk} && (dd if=/dev/zero of={disk}/filler bs=64k 2>/dev/null; true)"
    out = cli_in_namespace(fill, disk / "data", "check")
    assert out.returncode == 2, out
    assert "The disk holding the studio's data is full. Free some space on it" in out.stderr


def test_a_data_dir_that_is_a_file_is_explained(settings):
    settings.data_dir.parent.mkdir(parents=True, exist_ok=True)
    settings.data_dir.write_text("not a folder")
    with pytest.raises(StartupProblem, match="points at a file, not a folder"):
        Studio(settings)


# -- users.yaml ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, message", [
    ("credentials:\n  usernames:\n    alice: {name: Alice\n", "users.yaml is not valid YAML at line 4"),
    ("credentials:\n  usernames:\n    alice:\n      name: Alice\n",
     "`credentials.usernames.alice.password` (line 4) must be a bcrypt hash"),
    ("credentials:\n  usernames:\n    alice:\n      password: hunter2\n",
     "`credentials.usernames.alice.password` (line 4) must be a bcrypt hash"),
    ("credentials: [alice]\n", "`credentials` (line 1) must be a mapping"),
    ("cookie:\n  name: studio\n  expiry_days: soon\ncredentials: {usernames: {}}\n",
     "`cookie.expiry_days` (line 3) must be a number of days"),
    ("cookie:\n  key: short\ncredentials: {usernames: {}}\n", "`cookie.key` (line 2) must be a random string"),
])
def test_a_broken_users_file_names_the_key_and_the_line(settings, text, message):
    users_file = settings.data_dir.parent / "users.yaml"
    users_file.write_text(text)
    with pytest.raises(StartupProblem, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        Studio(replace(settings, auth="team", users_file=users_file))
    assert str(users_file.parent) not in str(info.value)


def test_a_users_file_without_a_cookie_section_gets_a_lasting_random_key(settings):
    from studio import users

    users_file = settings.data_dir.parent / "users.yaml"
    users.add_user(users_file, "alice", "correct horse battery")
    text = users_file.read_text()
    users_file.write_text(text[text.index("credentials:"):])  # as an older studio wrote it: no cookie
    studio = Studio(replace(settings, auth="team", users_file=users_file))
    cookie = studio.cookie_settings()
    assert len(cookie["key"]) == 64 and cookie["name"] == "studio_auth" and cookie["expiry_days"] == 7
    assert studio.cookie_settings()["key"] == cookie["key"] == users.load(users_file)["cookie"]["key"]
    assert studio.sign_in("alice", "correct horse battery", "127.0.0.1") == "alice"
    studio.shutdown()
