"""The sweep: what a crash, an outage or a cancelled job can leave behind, found and removed.

- deletions that were marked but not finished (storage was down) are finished;
- previews (early-playback parts) of jobs that have ended are deleted and forgotten;
- objects no row refers to (a crash between writing a result and recording it, an upload whose
  job was never created) are deleted once older than ``min_age`` — younger ones may be a write
  in flight — and never while their job is still queued or running;
- ``*.part`` files a crash left in the local store are removed;
- cached reference clips of saved voices that were deleted (``<data dir>/voice_refs/custom-<id>-*.wav``,
  rendered by the voice changer) are removed.

The whole sweep runs at start-up (in the background) and as ``python -m studio.cli sweep``;
the cheap parts (marked deletions, stale previews, stale references) also run every minute. A
table that keeps object keys adds its query to ``KEY_SOURCES``.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from studio import history
from studio.db import transact
from studio.errors import StudioError
from studio.storage import Storage, key_item

log = logging.getLogger(__name__)

# Services whose objects are stored under their job's id: a running job's are left alone. A clone
# job ("voices") writes its voice under the voice's own id, kept by KEY_SOURCES below.
JOB_SERVICES = ("tts", "vc", "sfx", "voices")
# Every column that refers to a stored object (one key per row, or a JSON list of keys).
KEY_SOURCES: list[tuple[str, bool]] = [
    ("SELECT result_key FROM jobs", False),
    ("SELECT source_key FROM jobs", False),
    ("SELECT preview_key FROM jobs", False),
    ("SELECT outputs FROM jobs", True),
    ("SELECT key FROM voice_samples", False),
    ("SELECT style_key FROM voices", False),  # saved voices (studio/voices.py): their tensors
    ("SELECT preview_key FROM voices", False),  # and previews
]


@dataclass
class SweepReport:
    deletions_finished: int = 0
    deletions_pending: int = 0
    previews_removed: int = 0
    orphans_removed: int = 0
    orphans_too_young: int = 0
    partial_writes_removed: int = 0
    references_removed: int = 0
    storage_error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def referenced_keys(db) -> set[str]:
    keys: set[str] = set()
    tables = set(db.table_names())
    for sql, is_json in KEY_SOURCES:
        if sql.rsplit(" FROM ", 1)[1].split()[0] not in tables:
            continue  # a table made on first use (saved voices) that this data folder has not needed yet
        for (value,) in db.execute(sql).fetchall():
            if not value:
                continue
            if is_json:
                keys.update(k for k in json.loads(value) if k)
            else:
                keys.add(value)
    return keys


def orphans(db, storage: Storage, min_age: float = 0.0) -> tuple[list[str], int]:
    """(objects no row refers to and old enough to remove, how many were too young)."""
    referenced = referenced_keys(db)
    active = {r[0] for r in db.execute("SELECT id FROM jobs WHERE status IN ('queued', 'running')").fetchall()}
    found, young, at = [], 0, time.time()
    for key, modified in storage.list_keys():
        if key in referenced:
            continue
        service, item = key_item(key)
        if service in JOB_SERVICES and item in active:
            continue  # a running job writes its results before it records them
        if at - modified < min_age:
            young += 1
            continue
        found.append(key)
    return found, young


def dangling(db, storage: Storage) -> list[str]:
    """Keys that rows of finished, visible jobs refer to but storage does not have."""
    present = {key for key, _ in storage.list_keys()}
    missing = []
    for row in db.execute("SELECT outputs, source_key FROM jobs WHERE status = 'completed' "
                          "AND deleting_at IS NULL").fetchall():
        for key in [*json.loads(row[0] or "[]"), row[1]]:
            if key and key not in present:
                missing.append(key)
    return missing


def stale_previews(db, storage: Storage) -> int:
    """Delete the previews of jobs that have ended, then forget their keys."""
    rows = db.execute("SELECT id, preview_key FROM jobs WHERE preview_key IS NOT NULL "
                      "AND status NOT IN ('queued', 'running')").fetchall()
    removed = 0
    for job_id, key in rows:
        storage.delete(key)
        transact(db, lambda d: d.execute("UPDATE jobs SET preview_key = NULL WHERE id = ? AND preview_key = ?",
                                         [job_id, key]), patience=10.0)
        removed += 1
    return removed


def stale_references(db, data_dir: Path) -> int:
    """Delete the cached reference clips (studio/vc.py) of saved voices that no longer exist."""
    folder = Path(data_dir) / "voice_refs"
    if not folder.is_dir():
        return 0
    live = {r[0] for r in db.execute("SELECT id FROM voices").fetchall()} if "voices" in db.table_names() else set()
    removed = 0
    for path in folder.glob("custom-*-*.wav"):
        if path.name.split("-")[1] not in live:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def sweep(db, storage: Storage, min_age: float = 900.0, objects: bool = True,
          data_dir: Path | None = None) -> SweepReport:
    """Run the sweep; ``objects=False`` skips listing the store (the cheap, periodic part).
    ``data_dir``: also remove deleted saved voices' reference clips cached there."""
    report = SweepReport()
    if data_dir is not None:
        try:
            report.references_removed = stale_references(db, data_dir)
        except OSError as error:
            log.warning("could not tidy the cached voice references: %s", error)
    try:
        report.deletions_finished, report.deletions_pending = history.finish_deletions(db, storage)
        report.previews_removed = stale_previews(db, storage)
        if objects:
            found, report.orphans_too_young = orphans(db, storage, min_age)
            for key in found:
                storage.delete(key)
                report.orphans_removed += 1
            report.partial_writes_removed = storage.remove_partial_writes(min_age)
    except StudioError as error:  # storage down: the next sweep goes on from here
        report.storage_error = str(error)
        log.warning("sweep stopped early: %s", error)
    if any(v for k, v in report.as_dict().items() if k not in ("storage_error", "orphans_too_young")):
        log.info("sweep: %s", report.as_dict())
    return report
