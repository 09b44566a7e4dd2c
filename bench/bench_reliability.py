"""Reliability under load and faults: jobs, credits and files after a lock-holding writer and a
killed process. ``.venv/bin/python -m bench.bench_reliability`` writes
``bench/results/reliability.json``.

Two studio processes share one data directory and run text-to-speech jobs (Piper, one short
sentence each) for five users, each process keeping at most four jobs in flight, as clients
waiting for their results would. It runs twice on fresh directories:

- **without faults**, for the throughput baseline;
- **with faults**: another process takes SQLite's write lock and holds it for 8 s; the second
  studio process is killed with SIGKILL halfway through its jobs and a new one started in its
  place (its start-up recovery runs, then it submits the jobs the dead one never got to). When
  all is done, the studio starts once more, recovers and sweeps (as ``studio.cli sweep``).

The judge is the database and the storage read directly, not the studio's own accounting:
every acknowledged job must be in the jobs table and ended; a balance must equal the starting
balance minus the cost of every job plus the cost of every failed or cancelled one (from the
jobs table, not the ledger); every stored object must belong to a row and every finished row's
audio must exist.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USERS = [f"user-{i}" for i in range(5)]
JOBS_PER_PROCESS = 100
IN_FLIGHT = 4  # jobs a process keeps queued or running at once
LOCK_SECONDS = 8.0
STARTING_CREDITS = 10_000


# -- one studio process ------------------------------------------------------------------------
def worker(data_dir: Path, tag: str, first: int, count: int) -> None:
    """Submit ``count`` jobs (numbers ``first``…), print each id as it is acknowledged, wait for
    all of them, print a summary."""
    from studio.config import Settings
    from studio.core import Studio
    from studio.errors import DatabaseBusy

    studio = Studio(Settings(data_dir=data_dir, workers=2, starting_credits=STARTING_CREDITS), sweep_at_start=False)
    voice = studio.voices("piper")[0].id
    acknowledged, busy = [], 0
    for n in range(first, first + count):
        user = USERS[n % len(USERS)]
        while len(studio.queue.active()) >= IN_FLIGHT:
            time.sleep(0.02)
        while True:
            try:
                job_id, _ = studio.submit_tts(user, f"Reliability check number {n}, from process {tag}.", voice, "piper")
                break
            except DatabaseBusy:  # another writer holds the lock: the person is told to try again
                busy += 1
                time.sleep(0.5)
        acknowledged.append((user, job_id))
        print(json.dumps({"submitted": job_id, "user": user}), flush=True)
    for user, job_id in acknowledged:
        studio.wait(user, job_id, timeout=900)
    print(json.dumps({"done": tag, "busy_refusals": busy}), flush=True)
    studio.shutdown()


class Process:
    """A worker process and what it has acknowledged so far (read from its stdout)."""

    def __init__(self, data_dir: Path, tag: str, first: int, count: int):
        self.tag = tag
        self.acknowledged: list[str] = []
        self.summary: dict = {}
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.bench_reliability", "--worker", str(data_dir), tag, str(first), str(count)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if "submitted" in message:
                self.acknowledged.append(message["submitted"])
            else:
                self.summary = message

    def wait(self, timeout: float = 1800) -> int:
        code = self.proc.wait(timeout)
        self._reader.join(10)
        return code

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.wait(60)


def hold_lock(db_path: Path, seconds: float) -> subprocess.Popen:
    code = ("import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            "time.sleep(float(sys.argv[2]))\n"
            "c.execute('ROLLBACK')\n")
    return subprocess.Popen([sys.executable, "-c", code, str(db_path), str(seconds)])


# -- a run --------------------------------------------------------------------------------------
def run_phase(data_dir: Path, faults: bool) -> dict:
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    a = Process(data_dir, "A", 0, JOBS_PER_PROCESS)
    b = Process(data_dir, "B", JOBS_PER_PROCESS, JOBS_PER_PROCESS)
    processes = [a, b]
    events: list[str] = []
    if faults:
        while len(a.acknowledged) + len(b.acknowledged) < 2 * JOBS_PER_PROCESS // 5:
            time.sleep(0.1)
        holder = hold_lock(data_dir / "studio.db", LOCK_SECONDS)
        events.append(f"{time.monotonic() - started:.1f} s: another process took the write lock for {LOCK_SECONDS:g} s")
        while len(b.acknowledged) < JOBS_PER_PROCESS // 2:
            time.sleep(0.05)
        b.kill()
        done_by_b = len(b.acknowledged)
        events.append(f"{time.monotonic() - started:.1f} s: process B killed with SIGKILL after {done_by_b} jobs")
        holder.wait(60)
        b2 = Process(data_dir, "B2", JOBS_PER_PROCESS + done_by_b, JOBS_PER_PROCESS - done_by_b)
        events.append(f"{time.monotonic() - started:.1f} s: process B2 started in its place")
        processes.append(b2)
    for p in processes:
        if p is not b or not faults:
            p.wait()
    elapsed = time.monotonic() - started
    acknowledged = [j for p in processes for j in p.acknowledged]
    result = {"seconds": round(elapsed, 1), "events": events,
              "busy_refusals": sum(p.summary.get("busy_refusals", 0) for p in processes)}
    result.update(judge(data_dir, acknowledged, elapsed))
    return result


def judge(data_dir: Path, acknowledged: list[str], elapsed: float) -> dict:
    """Restart the studio (recovery, then the sweep), then check the database and the storage."""
    from studio import credits, sweep
    from studio.config import Settings
    from studio.core import Studio

    studio = Studio(Settings(data_dir=data_dir, workers=1, starting_credits=STARTING_CREDITS), sweep_at_start=False)
    db = studio.db()
    orphans_before, _ = sweep.orphans(db, studio.storage, 0)
    report = studio.sweep(min_age=0)
    rows = {r["id"]: r for r in db.query("SELECT id, user_id, status, cost FROM jobs")}
    refunds = dict(db.execute("SELECT job_id, COUNT(*) FROM ledger WHERE kind = 'refund' GROUP BY job_id").fetchall())
    missing = [j for j in acknowledged if j not in rows]
    unrefunded = [j for j, r in rows.items() if r["status"] in ("failed", "cancelled") and refunds.get(j, 0) != 1]
    twice = [j for j, n in refunds.items() if n > 1]
    stuck = [j for j, r in rows.items() if r["status"] in ("queued", "running")]
    drift = 0
    for user in USERS:
        mine = [r for r in rows.values() if r["user_id"] == user]
        expected = STARTING_CREDITS - sum(r["cost"] for r in mine) + sum(
            r["cost"] for r in mine if r["status"] in ("failed", "cancelled"))
        drift += credits.balance(db, user) - expected
    completed = sum(r["status"] == "completed" for r in rows.values())
    out = {
        "jobs.submitted": len(rows),
        "jobs.acknowledged": len(acknowledged),
        "jobs.completed": completed,
        "jobs.failed_refunded": sum(r["status"] == "failed" and refunds.get(j) == 1 for j, r in rows.items()),
        "jobs.cancelled_refunded": sum(r["status"] == "cancelled" and refunds.get(j) == 1 for j, r in rows.items()),
        "jobs.lost": len(missing) + len(unrefunded),
        "jobs.refunded_twice": len(twice),
        "jobs.stuck": len(stuck),
        "credits.drift": drift,
        "credits.ledger_drift": credits.drift(db),
        "storage.orphans_left_by_faults": len(orphans_before),
        "storage.orphans": len(sweep.orphans(db, studio.storage, 0)[0]),
        "storage.dangling_rows": len(sweep.dangling(db, studio.storage)),
        "sweep": report.as_dict(),
        "completed_per_second": round(completed / elapsed, 3),
    }
    studio.shutdown()
    return out


def main() -> dict:
    import tempfile

    from bench.common import write

    root = Path(tempfile.mkdtemp(prefix="bench-reliability-"))
    baseline = run_phase(root / "baseline", faults=False)
    faulted = run_phase(root / "faults", faults=True)
    result = {
        "what": f"{2 * JOBS_PER_PROCESS} Piper TTS jobs from {len(USERS)} users over 2 studio processes sharing one "
                f"data directory, at most {IN_FLIGHT} in flight per process; with faults: a writer holding the "
                f"SQLite lock {LOCK_SECONDS:g} s and one process killed (SIGKILL) halfway, replaced by a new one; "
                "then a restart (recovery + sweep)",
        "judge": "the jobs table, the ledger-free balance arithmetic (starting − costs + costs of failed and "
                 "cancelled jobs) and a listing of the object store, read directly after the restart",
        "note": "measured on a shared machine (2 CPU cores used by 4 agents at once); throughput figures are noisy",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        **{k: v for k, v in faulted.items() if k.startswith(("jobs.", "credits.", "storage."))},
        "throughput_ratio": round(faulted["completed_per_second"] / baseline["completed_per_second"], 3)
        if baseline["completed_per_second"] else None,
        "throughput_definition": "completed jobs per second of wall time, with faults ÷ without",
        "faults": faulted,
        "baseline": baseline,
    }
    write("reliability", result)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", nargs=4, metavar=("DATA_DIR", "TAG", "FIRST", "COUNT"))
    args = parser.parse_args()
    if args.worker:
        data, tag, first, count = args.worker
        worker(Path(data), tag, int(first), int(count))
    else:
        print(json.dumps(main(), indent=2))
