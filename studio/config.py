"""Settings: defaults for a zero-set-up workstation, overridden by ``studio.toml`` and then by
``STUDIO_*`` environment variables (the environment wins).

Example ``studio.toml``::

    data_dir = "/srv/studio"
    workers = 2
    auth = "team"                  # "single" (no login) or "team" (streamlit-authenticator)
    users_file = "users.yaml"
    starting_credits = 10000
    allow_registration = false     # team mode: may people create their own accounts?
    registration_credits = 1000    # the balance a self-registered account starts with
    registration_invite_code = ""  # if set, sign-up asks for it
    registration_email_domains = []  # if set, sign-up needs an e-mail address at one of them

    [storage]
    backend = "s3"                 # "local" or "s3"
    endpoint_url = "http://127.0.0.1:8333"
    bucket = "studio"
    region = "us-east-1"
    presign_seconds = 3600

    [prices.tts]                   # cost = per_generation + per_character * chars + per_second * seconds
    per_generation = 50            # (also [prices.vc], [prices.sfx], and [prices.clone]: per second of search)
"""
from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the checkout: default data/, users.yaml, studio.toml

DEFAULT_PRICES: dict[str, dict[str, float]] = {
    # The original design charged 50 credits a generation. Compute grows with the input,
    # so long inputs also pay per unit: a 10,000-character text costs 150, a 5-minute
    # conversion 350, one sound effect 50 plus 2 a second.
    "tts": {"per_generation": 50, "per_character": 0.01},
    # A checked render (each chunk heard back by Whisper) adds this to the tts price, charged in
    # the same debit: half as much again per character, 50 on a 10,000-character text.
    "tts_check": {"per_character": 0.005},
    "vc": {"per_generation": 50, "per_second": 1},
    "sfx": {"per_generation": 50, "per_second": 2},
    # Cloning a voice (studio/voices.py) pays per second of search budget: quick 145, standard
    # 250, thorough 520 (the same as studio.voices.DEFAULT_CLONE_PRICE).
    "clone": {"per_generation": 100, "per_second": 1},
}


@dataclass(frozen=True)
class StorageSettings:
    backend: str = "local"  # "local" | "s3"
    endpoint_url: str | None = None  # None: AWS S3
    public_endpoint_url: str | None = None  # what browsers use for presigned URLs, if different
    bucket: str = "studio"
    region: str = "us-east-1"
    access_key: str | None = None
    secret_key: str | None = None
    presign_seconds: int = 3600
    connect_timeout: float = 5.0
    retries: int = 2


@dataclass(frozen=True)
class Settings:
    data_dir: Path = ROOT / "data"
    workers: int = 2
    auth: str = "single"  # "single" | "team"
    users_file: Path = ROOT / "users.yaml"
    allow_registration: bool = False
    starting_credits: int = 10_000
    registration_credits: int = 1_000
    registration_invite_code: str = ""
    registration_email_domains: tuple[str, ...] = ()
    busy_timeout: float = 5.0  # seconds a write waits for the database lock
    write_patience: float = 120.0  # seconds a worker keeps retrying a write while the database is busy
    heartbeat_seconds: float = 5.0  # how often a process says it is alive (and reaps dead owners' jobs)
    worker_timeout: float = 60.0  # a worker silent this long (on another host) is presumed dead
    sweep_min_age: float = 900.0  # an unreferenced object younger than this is left alone (a write in flight)
    storage: StorageSettings = field(default_factory=StorageSettings)
    prices: dict = field(default_factory=lambda: {k: dict(v) for k, v in DEFAULT_PRICES.items()})

    @property
    def db_path(self) -> Path:
        return self.data_dir / "studio.db"


_ENV = {
    "STUDIO_DATA_DIR": ("data_dir", Path),
    "STUDIO_WORKERS": ("workers", int),
    "STUDIO_AUTH": ("auth", str),
    "STUDIO_USERS_FILE": ("users_file", Path),
    "STUDIO_ALLOW_REGISTRATION": ("allow_registration", lambda v: v.lower() in ("1", "true", "yes")),
    "STUDIO_STARTING_CREDITS": ("starting_credits", int),
    "STUDIO_REGISTRATION_CREDITS": ("registration_credits", int),
    "STUDIO_REGISTRATION_INVITE_CODE": ("registration_invite_code", str),
    "STUDIO_REGISTRATION_EMAIL_DOMAINS": ("registration_email_domains",
                                          lambda v: tuple(d.strip().lower() for d in v.split(",") if d.strip())),
    "STUDIO_BUSY_TIMEOUT": ("busy_timeout", float),
    "STUDIO_WRITE_PATIENCE": ("write_patience", float),
    "STUDIO_HEARTBEAT_SECONDS": ("heartbeat_seconds", float),
    "STUDIO_WORKER_TIMEOUT": ("worker_timeout", float),
}
_ENV_STORAGE = {
    "STUDIO_STORAGE": ("backend", str),
    "STUDIO_S3_ENDPOINT": ("endpoint_url", str),
    "STUDIO_S3_PUBLIC_ENDPOINT": ("public_endpoint_url", str),
    "STUDIO_S3_BUCKET": ("bucket", str),
    "STUDIO_S3_REGION": ("region", str),
    "AWS_ACCESS_KEY_ID": ("access_key", str),
    "AWS_SECRET_ACCESS_KEY": ("secret_key", str),
    "STUDIO_S3_PRESIGN_SECONDS": ("presign_seconds", int),
}


def _check(settings: Settings) -> Settings:
    if settings.auth not in ("single", "team"):
        raise ValueError(f"auth must be 'single' or 'team', got {settings.auth!r}")
    if settings.storage.backend not in ("local", "s3"):
        raise ValueError(f"storage backend must be 'local' or 's3', got {settings.storage.backend!r}")
    if not 1 <= settings.workers <= 64:
        raise ValueError(f"workers must be 1–64, got {settings.workers}")
    if not 1 <= settings.storage.presign_seconds <= 7 * 24 * 3600:
        raise ValueError(f"presign_seconds must be 1–604800, got {settings.storage.presign_seconds}")
    for name in ("starting_credits", "registration_credits"):
        value = getattr(settings, name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10**9:
            raise ValueError(f"{name} must be a whole number of credits 0–1,000,000,000, got {value!r}")
    for name in ("busy_timeout", "write_patience", "heartbeat_seconds", "worker_timeout", "sweep_min_age"):
        value = getattr(settings, name)
        if not _number(value) or value < 0 or (value == 0 and name != "sweep_min_age"):
            raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    if settings.worker_timeout <= 2 * settings.heartbeat_seconds:
        raise ValueError(f"worker_timeout ({settings.worker_timeout:g} s) must be more than twice "
                         f"heartbeat_seconds ({settings.heartbeat_seconds:g} s)")
    for service, table in settings.prices.items():
        if not isinstance(table, dict):
            raise ValueError(f"prices.{service} must be a table of per_generation, per_character, per_second")
        for unit, value in table.items():
            if unit not in ("per_generation", "per_character", "per_second") or not _number(value) or value < 0:
                raise ValueError(f"prices.{service}.{unit} = {value!r}: units are per_generation, per_character, "
                                 "per_second, each a finite number ≥ 0")
        if not any(value > 0 for value in table.values()):
            raise ValueError(f"prices.{service}: at least one unit must be above 0 (a free generation would let "
                             "refunds mint credits)")
    return settings


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def load(path: Path | None = None, env: dict | None = None) -> Settings:
    """Read settings from ``path`` (default ``studio.toml`` beside app.py, or $STUDIO_CONFIG) and the environment."""
    env = os.environ if env is None else env
    path = Path(path or env.get("STUDIO_CONFIG", ROOT / "studio.toml"))
    try:
        raw: dict = tomllib.loads(path.read_text()) if path.exists() else {}
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path.name} is not valid TOML: {error}") from error
    storage_raw = raw.pop("storage", {})
    unknown_storage = set(storage_raw) - set(StorageSettings.__dataclass_fields__)
    if unknown_storage:
        raise ValueError(f"{path.name}: unknown [storage] settings {sorted(unknown_storage)}")
    prices_raw = raw.pop("prices", {})
    unknown = set(raw) - set(Settings.__dataclass_fields__)
    if unknown:
        raise ValueError(f"{path.name}: unknown settings {sorted(unknown)}")
    if "registration_email_domains" in raw:
        raw["registration_email_domains"] = tuple(str(d).strip().lower() for d in raw["registration_email_domains"])
    prices = {k: dict(v) for k, v in DEFAULT_PRICES.items()}
    for service, table in prices_raw.items():
        prices[service] = dict(table) if isinstance(table, dict) else table
    settings = Settings(**{k: (Path(v) if k in ("data_dir", "users_file") else v) for k, v in raw.items()},
                        storage=StorageSettings(**storage_raw), prices=prices)
    for var, (name, cast) in _ENV.items():
        if env.get(var):
            settings = replace(settings, **{name: cast(env[var])})
    storage = settings.storage
    for var, (name, cast) in _ENV_STORAGE.items():
        if env.get(var):
            storage = replace(storage, **{name: cast(env[var])})
    return _check(replace(settings, storage=storage))
