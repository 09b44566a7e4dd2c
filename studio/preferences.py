"""Per-user settings remembered between requests (the text-to-speech speed, pause and check):
one row per user and name, the value stored as JSON. Only the names in :data:`KNOWN` are kept,
and each value is checked on the way in and again on the way out, so a value stored by another
version, or edited by hand, falls back to the default instead of reaching a page.
"""
from __future__ import annotations

import json
import math
from typing import Any, Callable

from engines.tts.common import PAUSE_MAX, PAUSE_MIN, SPEED_MAX, SPEED_MIN
from studio.db import now, transact
from studio.errors import InvalidInput


def _number(low: float, high: float) -> Callable[[Any], float | None]:
    def check(value: Any) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or not low <= value <= high:
            return None
        return float(value)
    return check


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


# name -> (check: the value, or None when it is not one; default; what a valid value is, for errors)
KNOWN: dict[str, tuple[Callable[[Any], Any], Any, str]] = {
    "tts_speed": (_number(SPEED_MIN, SPEED_MAX), 1.0, f"a number from {SPEED_MIN} to {SPEED_MAX}"),
    "tts_pause": (_number(PAUSE_MIN, PAUSE_MAX), 1.0, f"a number from {PAUSE_MIN} to {PAUSE_MAX}"),
    "tts_checked": (_flag, False, "true or false"),
}


def ensure_schema(db) -> None:
    db.execute("""CREATE TABLE IF NOT EXISTS preferences (
        user_id TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, updated_at TEXT NOT NULL,
        PRIMARY KEY (user_id, name))""")


def get(db, user_id: str) -> dict[str, Any]:
    """Every known setting of ``user_id``: the stored value when it is still valid, else the default."""
    ensure_schema(db)
    stored = {name: value for name, value in db.execute(
        "SELECT name, value FROM preferences WHERE user_id = ?", [user_id]).fetchall()}
    out = {}
    for name, (check, default, _) in KNOWN.items():
        value = None
        if name in stored:
            try:
                value = check(json.loads(stored[name]))
            except ValueError:
                value = None
        out[name] = default if value is None else value
    return out


def remember(db, user_id: str, patience: float = 10.0, **values) -> dict[str, Any]:
    """Store ``values`` (known names only, each valid) for ``user_id``; returns every setting.
    InvalidInput names the first setting that is unknown or out of range; nothing is stored then."""
    rows = []
    for name, value in values.items():
        if name not in KNOWN:
            raise InvalidInput(name, f"There is no setting {name[:40]!r} to remember; known: {', '.join(KNOWN)}.")
        check, _, what = KNOWN[name]
        checked = check(value)
        if checked is None:
            raise InvalidInput(name, f"{name} must be {what}, got {repr(value)[:40]}.")
        rows.append([user_id, name, json.dumps(checked), now()])
    if rows:
        ensure_schema(db)
        transact(db, lambda d: d.conn.executemany(
            "INSERT INTO preferences (user_id, name, value, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            rows), patience)
    return get(db, user_id)
