"""Team-mode logins: the YAML file streamlit-authenticator reads (bcrypt password hashes)."""
from __future__ import annotations

import re
import secrets
from pathlib import Path

import bcrypt
import yaml

from studio.errors import InvalidInput

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")


def load(path: Path) -> dict:
    if not Path(path).exists():
        return {"credentials": {"usernames": {}},
                "cookie": {"name": "studio_auth", "key": secrets.token_hex(32), "expiry_days": 7}}
    data = yaml.safe_load(Path(path).read_text()) or {}
    data.setdefault("credentials", {}).setdefault("usernames", {})
    data.setdefault("cookie", {"name": "studio_auth", "key": secrets.token_hex(32), "expiry_days": 7})
    return data


def add_user(path: Path, username: str, password: str, name: str | None = None, email: str | None = None) -> None:
    if not USERNAME.match(username or ""):
        raise InvalidInput("user", f"User name {username!r} must be 2–32 lower-case letters, digits, '.', '_' or '-'.")
    if len(password or "") < 8:
        raise InvalidInput("password", "The password must have at least 8 characters.")
    if len(password.encode()) > 72:
        raise InvalidInput("password", "The password must be at most 72 bytes (a bcrypt limit).")
    data = load(path)
    if username in data["credentials"]["usernames"]:
        raise InvalidInput("user", f"User {username!r} already exists in {path}.")
    data["credentials"]["usernames"][username] = {
        "name": name or username,
        "email": email or f"{username}@localhost",
        "password": bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode(),
        "failed_login_attempts": 0,
        "logged_in": False,
    }
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(path).with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(data, sort_keys=False))
    tmp.chmod(0o600)
    tmp.replace(path)
