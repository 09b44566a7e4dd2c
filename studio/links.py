"""Short-lived signed links to a user's audio, served by the studio's own route instead of
Streamlit's public media links.

A link names the job, which audio (result, preview, source), the take and the format, and
carries an expiry and an HMAC-SHA256 signature with a secret kept in ``<data_dir>/link-secret``
(mode 0600). It also carries the user's sign-in generation: signing out bumps it, so every
link handed out before stops working at once. And it is bound to the browser it was shown
in: every browser gets a random, HttpOnly cookie (:data:`BROWSER_COOKIE`, set by the server,
api/media.py) and the link names a hash of it, so a link copied into another browser, or
fetched with no cookies at all, is refused even before it expires. Verification checks the
signature, the expiry, the generation and the browser, then the route still fetches the audio
through the ownership check of :meth:`studio.core.Studio.audio`.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections import OrderedDict
from pathlib import Path

from studio.errors import NotFound

LIFETIME = 15 * 60  # seconds a link works at least
STEP = 5 * 60  # expiries are rounded up to this, so a page redrawn within it gets the same link
BROWSER_COOKIE = "studio_browser"  # the random cookie that names a browser; links are bound to it
STASH_ITEMS = 256  # clips that are not stored objects (previews, samples), kept in memory for their links
_secrets: dict[str, bytes] = {}
_lock = threading.Lock()


def _secret(data_dir: Path) -> bytes:
    path = Path(data_dir) / "link-secret"
    key = str(path)
    with _lock:
        if key not in _secrets:
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(secrets.token_hex(32))
                try:
                    os.link(tmp, path)  # another process may have won the race: keep its secret
                except FileExistsError:
                    pass
                os.unlink(tmp)
            _secrets[key] = bytes.fromhex(path.read_text().strip())
        return _secrets[key]


def ensure_schema(db) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS sign_ins (user_id TEXT PRIMARY KEY, generation INTEGER NOT NULL DEFAULT 0)")


def generation(db, user_id: str) -> int:
    ensure_schema(db)
    row = db.execute("SELECT generation FROM sign_ins WHERE user_id = ?", [user_id]).fetchone()
    return row[0] if row else 0


def end_sessions(db, user_id: str) -> None:
    """Every link handed out to ``user_id`` so far stops working (called at sign-out)."""
    from studio.db import write

    ensure_schema(db)
    with write(db):
        db.execute("INSERT INTO sign_ins (user_id, generation) VALUES (?, 1) "
                   "ON CONFLICT(user_id) DO UPDATE SET generation = generation + 1", [user_id])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _holder(browser: str | None) -> str:
    """What a link says about its browser: a hash of the browser's cookie (the link shows in the
    page and in logs; the cookie itself does not). Empty for no cookie, which no request matches."""
    return _b64(hashlib.sha256(browser.encode()).digest()[:18]) if browser else ""


def sign(data_dir: Path, db, user_id: str, job_id: str, which: str, index: int, fmt: str,
         lifetime: int = LIFETIME, browser: str | None = None) -> str:
    """A link for ``user_id`` that works in the browser whose :data:`BROWSER_COOKIE` is
    ``browser``; one signed without a browser opens nowhere."""
    expires = -(-(int(time.time()) + int(lifetime)) // STEP) * STEP  # rounded up: a stable link for a while
    claims = {"u": user_id, "j": job_id, "w": which, "i": int(index), "f": fmt, "g": generation(db, user_id),
              "b": _holder(browser), "e": expires}
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    mac = hmac.new(_secret(data_dir), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def verify(data_dir: Path, db, token: str, browser: str | None = None) -> dict:
    """The link's claims when it is fetched by the browser it was made for (``browser``: the
    request's :data:`BROWSER_COOKIE`); NotFound for a forged, expired or signed-out link, or one
    from another browser (not told apart)."""
    try:
        body, mac = str(token).split(".", 1)
        good = hmac.compare_digest(_unb64(mac), hmac.new(_secret(data_dir), body.encode(), hashlib.sha256).digest())
        claims = json.loads(_unb64(body)) if good else None
    except (ValueError, TypeError):
        claims = None
    if (not claims or claims.get("e", 0) < time.time() or claims.get("g") != generation(db, claims.get("u", ""))
            or not browser or not hmac.compare_digest(str(claims.get("b", "")), _holder(browser))):
        raise NotFound("This audio link has expired or is not valid. Open the clip from the studio again.")
    return claims


_stash: "OrderedDict[str, tuple[str, bytes]]" = OrderedDict()
_stash_lock = threading.Lock()


def stash(user_id: str, data: bytes) -> str:
    """Keep a clip that is not a stored object (a voice preview, a sample) in this process for
    its owner's links; returns its id. The same bytes get the same id, so links stay stable."""
    clip_id = hashlib.sha256(user_id.encode() + b"\0" + data).hexdigest()[:32]
    with _stash_lock:
        _stash[clip_id] = (user_id, data)
        _stash.move_to_end(clip_id)
        while len(_stash) > STASH_ITEMS:
            _stash.popitem(last=False)
    return clip_id


def unstash(user_id: str, clip_id: str) -> bytes:
    with _stash_lock:
        found = _stash.get(clip_id)
    if found is None or found[0] != user_id:
        raise NotFound("This clip is no longer available here. Open it from the studio again.")
    return found[1]
