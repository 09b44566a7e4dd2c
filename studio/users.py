"""Team-mode logins: the YAML file streamlit-authenticator reads (bcrypt password hashes and the
re-authentication cookie's settings), checked sign-ins with throttling, and self-registration.

The file::

    cookie: {name: studio_auth, key: <64 random hex characters>, expiry_days: 7}
    credentials:
      usernames:
        alice: {name: Alice, email: alice@example.com, password: $2b$12$…}

A file without a ``cookie`` section (or without its key) gets one with a random key the first
time the studio reads it, so the cookie survives restarts and nobody can forge it.

Sign-ins are throttled per user and per client: after :data:`MAX_FAILURES_PER_USER` failures
for one account (or :data:`MAX_FAILURES_PER_CLIENT` from one address) within
:data:`WINDOW_SECONDS`, further tries are refused, without checking the password, until the
oldest of those failures is out of the window. Every attempt is a row in ``sign_in_attempts``, so the
limit holds across tabs and processes.
"""
from __future__ import annotations

import contextlib
import fcntl
import hmac
import os
import re
import secrets
import time
from pathlib import Path
from typing import Iterator

import bcrypt
import yaml

from studio import credits
from studio.db import now, transact
from studio.errors import InvalidInput, SignInRefused, StartupProblem

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@([a-z0-9-]{1,63}\.)+[a-z]{2,63}$")
COOKIE_DEFAULTS = {"name": "studio_auth", "expiry_days": 7}
WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_CLIENT = 20
MAX_REGISTRATIONS_PER_CLIENT = 3  # per hour
_DUMMY_HASH = bcrypt.hashpw(b"not a password", bcrypt.gensalt(rounds=12))


# -- the file --------------------------------------------------------------------------------
class UsersFileInvalid(StartupProblem):
    """users.yaml cannot be read: the message names the key and the line."""


def _where(node: yaml.Node | None) -> str:
    return f" (line {node.start_mark.line + 1})" if node is not None else ""


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                return v
    return None


def load(path: Path) -> dict:
    """The users file, checked: UsersFileInvalid names the key and the line of the first problem.
    A missing file is an empty one."""
    path = Path(path)
    if not path.exists():
        return {"credentials": {"usernames": {}}, "cookie": dict(COOKIE_DEFAULTS)}
    name = path.name
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text) or {}
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        raise UsersFileInvalid(f"{name} is not valid YAML at {where}: {error.problem or error}. "
                               "Fix that line (or recreate the file with `python -m studio.cli add-user`).") from error
    except yaml.YAMLError as error:
        raise UsersFileInvalid(f"{name} is not valid YAML: {error}.") from error

    def bad(key: str, node: yaml.Node | None, problem: str) -> UsersFileInvalid:
        return UsersFileInvalid(f"{name}: `{key}`{_where(node)} {problem}")

    if not isinstance(data, dict):
        raise bad("(top level)", root, "must be a mapping with `credentials` and `cookie`.")
    creds_node = _child(root, "credentials")
    creds = data.setdefault("credentials", {"usernames": {}})
    if not isinstance(creds, dict):
        raise bad("credentials", creds_node, "must be a mapping with a `usernames` mapping inside.")
    users_node = _child(creds_node, "usernames")
    usernames = creds.get("usernames")
    if usernames is None:
        usernames = creds["usernames"] = {}
    if not isinstance(usernames, dict):
        raise bad("credentials.usernames", users_node, "must be a mapping of user name → {name, email, password}.")
    for user, entry in usernames.items():
        node = _child(users_node, str(user))
        key = f"credentials.usernames.{user}"
        if not isinstance(entry, dict):
            raise bad(key, node, "must be a mapping with name, email and password.")
        password = entry.get("password")
        if not isinstance(password, str) or not password.startswith("$2"):
            raise bad(f"{key}.password", _child(node, "password") or node,
                      "must be a bcrypt hash; set the password with `python -m studio.cli add-user`.")
    cookie_node = _child(root, "cookie")
    cookie = data.get("cookie")
    if cookie is None:
        cookie = data["cookie"] = dict(COOKIE_DEFAULTS)
    if not isinstance(cookie, dict):
        raise bad("cookie", cookie_node, "must be a mapping with name, key and expiry_days.")
    for k, v in COOKIE_DEFAULTS.items():
        cookie.setdefault(k, v)
    if not isinstance(cookie["name"], str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", cookie["name"]):
        raise bad("cookie.name", _child(cookie_node, "name"), "must be 1–64 letters, digits, '_' or '-'.")
    days = cookie["expiry_days"]
    if isinstance(days, bool) or not isinstance(days, (int, float)) or not 0 < days <= 365:
        raise bad("cookie.expiry_days", _child(cookie_node, "expiry_days"), f"must be a number of days 0–365, got {days!r}.")
    if "key" in cookie and (not isinstance(cookie["key"], str) or len(cookie["key"]) < 32):
        raise bad("cookie.key", _child(cookie_node, "key"),
                  "must be a random string of at least 32 characters (delete it and the studio makes one).")
    return data


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One writer of the users file at a time, across processes (a lock on its folder, since
    the file itself is replaced on every write, and a lock file would litter the folder)."""
    folder = Path(path).parent
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _save(path: Path, data: dict) -> None:
    tmp = Path(path).with_name(Path(path).name + f".{secrets.token_hex(4)}.tmp")
    tmp.write_text(yaml.safe_dump(data, sort_keys=False))
    tmp.chmod(0o600)
    tmp.replace(path)


def cookie_settings(path: Path) -> dict:
    """{name, key, expiry_days} of the sign-in cookie; a missing key is generated and saved."""
    data = load(path)
    if data["cookie"].get("key"):
        return data["cookie"]
    with _locked(path):
        data = load(path)  # again, under the lock: another process may have written one
        if not data["cookie"].get("key"):
            data["cookie"]["key"] = secrets.token_hex(32)
            _save(path, data)
    return data["cookie"]


def add_user(path: Path, username: str, password: str, name: str | None = None, email: str | None = None) -> None:
    if not USERNAME.match(username or ""):
        raise InvalidInput("user", f"User name {username!r} must be 2–32 lower-case letters, digits, '.', '_' or '-'.")
    if len(password or "") < 8:
        raise InvalidInput("password", "The password must have at least 8 characters.")
    if len(password.encode()) > 72:
        raise InvalidInput("password", "The password must be at most 72 bytes (a bcrypt limit).")
    with _locked(path):
        data = load(path)
        if username in data["credentials"]["usernames"]:
            raise InvalidInput("user", f"User {username!r} already exists.")
        data["cookie"].setdefault("key", secrets.token_hex(32))
        data["credentials"]["usernames"][username] = {
            "name": name or username,
            "email": email or f"{username}@localhost",
            "password": bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode(),
            "failed_login_attempts": 0,
            "logged_in": False,
        }
        _save(path, data)


def display_name(path: Path, username: str) -> str | None:
    entry = load(path)["credentials"]["usernames"].get(username)
    return (entry.get("name") or username) if entry else None


# -- signing in --------------------------------------------------------------------------------
def _wait_left(db, kind: str, column: str, value: str, limit: int, window: float, ok: int = 0) -> float:
    """Seconds until fewer than ``limit`` matching attempts are left in the window (0: not throttled)."""
    since = time.time() - window
    rows = db.execute(f"SELECT at FROM sign_in_attempts WHERE kind = ? AND {column} = ? AND ok = ? AND at > ? "
                      "ORDER BY at DESC LIMIT ?", [kind, value, ok, since, limit]).fetchall()
    if len(rows) < limit:
        return 0.0
    return max(1.0, rows[-1][0] + window - time.time())


def _minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' * (minutes != 1)}"


def _record(db, kind: str, username: str, client: str, ok: int) -> None:
    def write(d):
        d.execute("INSERT INTO sign_in_attempts (kind, username, client, ok, at) VALUES (?, ?, ?, ?, ?)",
                  [kind, username[:64], client[:64], ok, time.time()])
        d.execute("DELETE FROM sign_in_attempts WHERE at < ?", [time.time() - 86_400])  # a day is plenty

    transact(db, write, patience=10.0)


def sign_in(db, path: Path, username: str, password: str, client: str | None) -> str:
    """Check a sign-in; returns the user name, or raises SignInRefused saying why (and, when
    throttled, for how long). The password is not even checked while throttled."""
    username = (username or "").strip().lower()[:64]
    client = (client or "unknown")[:64]
    if not username or not password:
        raise SignInRefused("Enter your user name and password.")
    wait = _wait_left(db, "sign_in", "username", username, MAX_FAILURES_PER_USER, WINDOW_SECONDS)
    if wait:
        raise SignInRefused(f"Too many failed sign-ins for this account. Try again in {_minutes(wait)}, "
                            "or ask an operator to reset the password.")
    wait = _wait_left(db, "sign_in", "client", client, MAX_FAILURES_PER_CLIENT, WINDOW_SECONDS)
    if wait:
        raise SignInRefused(f"Too many failed sign-ins from this device. Try again in {_minutes(wait)}.")
    entry = load(path)["credentials"]["usernames"].get(username)
    stored = entry["password"].encode() if entry else _DUMMY_HASH  # the same work for unknown names
    try:
        ok = bcrypt.checkpw(password.encode()[:72], stored) and entry is not None
    except ValueError:
        ok = False
    _record(db, "sign_in", username, client, int(ok))
    if not ok:
        raise SignInRefused("Username or password is incorrect.")
    transact(db, lambda d: d.execute("DELETE FROM sign_in_attempts WHERE kind = 'sign_in' AND username = ? AND ok = 0",
                                     [username]), patience=10.0)
    return username


def sign_out(db, username: str) -> None:
    """Sign ``username`` out everywhere: cookies issued before now are no longer accepted (the
    user's row must exist: :func:`studio.credits.ensure_user`)."""
    transact(db, lambda d: d.execute("UPDATE users SET signed_out_at = ? WHERE id = ?", [now(), username]),
             patience=10.0)


def session_valid(db, path: Path, username: str, issued_at: float) -> bool:
    """Is a sign-in cookie for ``username`` issued at ``issued_at`` (Unix time) still good? The
    user must still exist and must not have signed out since."""
    if not username or display_name(path, username) is None:
        return False
    row = db.execute("SELECT signed_out_at FROM users WHERE id = ?", [username]).fetchone()
    if row and row[0]:
        from datetime import datetime

        return issued_at > datetime.fromisoformat(row[0]).timestamp()
    return True


# -- signing up --------------------------------------------------------------------------------
def register(db, settings, username: str, name: str, email: str, password: str, repeat: str,
             invite_code: str | None, client: str | None) -> str:
    """Create an account when registration is open (``allow_registration``), with the invite code
    and e-mail domain the settings ask for; its balance is ``registration_credits``."""
    if not settings.allow_registration:
        raise SignInRefused("Registration is closed. Ask an operator for an account.")
    client = (client or "unknown")[:64]
    wait = _wait_left(db, "register", "client", client, MAX_REGISTRATIONS_PER_CLIENT, 3600, ok=1)
    if wait:
        raise SignInRefused(f"Too many accounts were created from this device. Try again in {_minutes(wait)}.")
    username = (username or "").strip().lower()
    email = (email or "").strip().lower()
    if settings.registration_invite_code:
        if not hmac.compare_digest((invite_code or "").strip().encode(), settings.registration_invite_code.encode()):
            _record(db, "register", username or "?", client, 0)
            raise SignInRefused("The invite code is not right. Ask whoever invited you for it.")
    if not EMAIL.match(email):
        raise InvalidInput("email", "Enter a valid e-mail address, like name@example.com.")
    domains = settings.registration_email_domains
    if domains and email.rsplit("@", 1)[1] not in domains:
        raise SignInRefused(f"Sign-up is limited to e-mail addresses at {', '.join(domains)}.")
    if password != repeat:
        raise InvalidInput("password", "The two passwords are not the same.")
    for entry in load(settings.users_file)["credentials"]["usernames"].values():
        if str(entry.get("email", "")).lower() == email:
            raise InvalidInput("email", "An account with this e-mail address exists already. Sign in instead.")
    add_user(settings.users_file, username, password, name=(name or "").strip()[:80] or None, email=email)
    credits.ensure_user(db, username, settings.registration_credits, reason="registration")
    _record(db, "register", username, client, 1)
    return username
