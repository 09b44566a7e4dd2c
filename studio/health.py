"""Start-up checks: everything the studio needs, tried for real before the first request, each
failure a plain message with the fix (no tracebacks, no server paths, no endpoints or keys —
those go to the log).

- the data folder exists and is writable, and its disk is not full;
- the database opens, is at the current schema version and takes a write;
- in team mode, ``users.yaml`` is valid (which key, which line) and has a cookie key;
- the audio store (local folder or S3 bucket) answers and can be written.
"""
from __future__ import annotations

import errno
import logging
import os
import shutil
import tempfile
from pathlib import Path

from studio import db as database, users
from studio.config import Settings
from studio.errors import DatabaseBusy, StartupProblem, StorageUnavailable, StudioError

log = logging.getLogger(__name__)

MIN_FREE_BYTES = 20 * 2**20  # below this the studio refuses to start: a generation needs room to land

FOLDER_FIX = ("Give the user running the studio write access to the data folder, or set data_dir "
              "(STUDIO_DATA_DIR) to a folder it can write.")
DISK_FULL = ("The disk holding the studio's data is full. Free some space on it (or move data_dir to a larger "
             "disk), then start the studio again.")


def check_data_dir(settings: Settings) -> None:
    folder = Path(settings.data_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".write-check-")
        try:
            os.write(fd, b"x" * 4096)
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as error:
        log.error("data folder %s: %s", folder, error)
        if error.errno == errno.ENOSPC:
            raise StartupProblem(DISK_FULL) from error
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise StartupProblem(f"The data folder is not writable. {FOLDER_FIX}") from error
        if error.errno in (errno.ENOTDIR, errno.EEXIST):
            raise StartupProblem("The data folder setting points at a file, not a folder. Set data_dir "
                                 "(STUDIO_DATA_DIR) to a folder.") from error
        raise StartupProblem(f"The data folder cannot be used ({error.strerror or error}). {FOLDER_FIX}") from error
    free = shutil.disk_usage(folder).free
    if free < MIN_FREE_BYTES:
        log.error("data folder %s: only %d bytes free", folder, free)
        raise StartupProblem(f"{DISK_FULL} (Less than {MIN_FREE_BYTES // 2**20} MB is free.)")


def check_database(settings: Settings) -> None:
    """Open (and migrate) the database, then make one real write and undo it."""
    try:
        db = database.connect(settings.db_path, settings.busy_timeout)

        def probe(d):
            d.execute("INSERT INTO workers (id, pid, host, started_at, heartbeat, stopped_at) "
                      "VALUES ('write-check', 0, '', '', 0, 'now')")
            d.execute("DELETE FROM workers WHERE id = 'write-check'")

        database.transact(db, probe, patience=max(settings.busy_timeout, 10.0))
    except DatabaseBusy:
        raise
    except StudioError as error:
        database.forget(settings.db_path)
        raise StartupProblem(str(error)) from error
    except OSError as error:  # a database file we may not even open
        database.forget(settings.db_path)
        log.error("database %s: %s", settings.db_path, error)
        raise StartupProblem(f"The studio's database cannot be opened. {FOLDER_FIX}") from error


def check_users(settings: Settings) -> None:
    if settings.auth != "team":
        return
    if not Path(settings.users_file).exists() and not settings.allow_registration:
        raise StartupProblem("Team mode is on but there is no users file yet. Create the first login with "
                             "`python -m studio.cli add-user NAME`, or turn registration on.")
    try:
        users.cookie_settings(settings.users_file)
    except OSError as error:
        log.error("users file %s: %s", settings.users_file, error)
        raise StartupProblem(f"The users file cannot be read or written ({error.strerror or error}). "
                             "Check that the user running the studio may read and write it.") from error


def check_storage(storage) -> None:
    try:
        storage.check()
    except StorageUnavailable as error:
        raise StartupProblem(str(error)) from error


def check(settings: Settings, storage) -> None:
    """Run every check; the first problem raises :class:`StartupProblem` with its fix."""
    check_data_dir(settings)
    check_database(settings)
    check_users(settings)
    check_storage(storage)
