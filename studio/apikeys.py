"""API keys: created and revoked by their owner, shown once, stored as SHA-256 hashes.

A key is ``sk-studio-`` followed by 32 random bytes (URL-safe base64): it is never stored,
only its hash (a fast hash is right for a random 256-bit secret; a password hash is for
guessable secrets) and its first characters, so the Account page can tell keys apart. In
single-user mode the studio has one local key for the user ``local``, written to
``<data_dir>/api-key`` (mode 0600) the first time it is asked for.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import uuid
from pathlib import Path

from studio.db import now, write
from studio.errors import InvalidInput, NotFound

PREFIX = "sk-studio-"
MAX_KEYS_PER_USER = 20
NAME_MAX = 60


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def ensure_schema(db) -> None:
    db.execute("""CREATE TABLE IF NOT EXISTS api_keys (
        id TEXT PRIMARY KEY, user_id TEXT NOT NULL, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
        shown TEXT NOT NULL, created_at TEXT NOT NULL, last_used_at TEXT, revoked_at TEXT)""")
    db.execute("CREATE INDEX IF NOT EXISTS api_keys_user ON api_keys (user_id)")


def create(db, user_id: str, name: str) -> tuple[dict, str]:
    """A new key for ``user_id``: (its row, the secret — shown this once and never again)."""
    ensure_schema(db)
    name = " ".join(str(name or "").split())
    if not name:
        raise InvalidInput("name", "Give the key a name, e.g. “laptop script”, so you can tell it apart later.")
    if len(name) > NAME_MAX:
        raise InvalidInput("name", f"The name is {len(name)} characters; keep it to {NAME_MAX}.")
    secret = PREFIX + secrets.token_urlsafe(32)
    row = {"id": uuid.uuid4().hex, "user_id": user_id, "name": name, "hash": _hash(secret),
           "shown": secret[: len(PREFIX) + 4] + "…" + secret[-4:], "created_at": now(),
           "last_used_at": None, "revoked_at": None}
    with write(db):
        active = db.execute("SELECT COUNT(*) FROM api_keys WHERE user_id = ? AND revoked_at IS NULL", [user_id]).fetchone()[0]
        if active >= MAX_KEYS_PER_USER:
            raise InvalidInput("name", f"You have {active} active keys (the limit is {MAX_KEYS_PER_USER}). Revoke one first.")
        db["api_keys"].insert(row)
    return {k: v for k, v in row.items() if k != "hash"}, secret


def list_keys(db, user_id: str) -> list[dict]:
    ensure_schema(db)
    return list(db.query(
        "SELECT id, name, shown, created_at, last_used_at, revoked_at FROM api_keys WHERE user_id = ? "
        "ORDER BY created_at DESC", [user_id]))


def revoke(db, user_id: str, key_id: str) -> None:
    """Revoke one of ``user_id``'s keys; NotFound for anyone else's (the two are not told apart)."""
    ensure_schema(db)
    with write(db):
        done = db.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
                          [now(), str(key_id)[:64], user_id]).rowcount
    if not done:
        raise NotFound(f"No such active API key: {str(key_id)[:64]!r}")


def authenticate(db, secret: str | None) -> tuple[str, str] | None:
    """(user id, key id) of a live key, or None. Records when the key was last used (at most once a minute)."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    ensure_schema(db)
    row = db.execute("SELECT id, user_id, last_used_at FROM api_keys WHERE hash = ? AND revoked_at IS NULL",
                     [_hash(secret)]).fetchone()
    if row is None:
        return None
    key_id, user_id, last = row
    stamp = now()
    if not last or last[:16] != stamp[:16]:
        try:
            db.execute("UPDATE api_keys SET last_used_at = ? WHERE id = ?", [stamp, key_id])
        except Exception:  # a busy database must not refuse a valid key
            pass
    return user_id, key_id


def local_key(data_dir: Path, db, user_id: str = "local") -> str:
    """The single-user studio's own key, created on first use and kept in ``<data_dir>/api-key``."""
    path = Path(data_dir) / "api-key"
    if path.exists():
        secret = path.read_text().strip()
        if authenticate(db, secret):
            return secret
    _, secret = create(db, user_id, "local key (single-user mode)")
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret + "\n")
    os.replace(tmp, path)
    return secret
