"""Credits: prices from configuration, balances that never go negative, a ledger of every change.

The debit is a single conditional UPDATE (``… WHERE credits >= cost``) inside the caller's
IMMEDIATE transaction, so two tabs submitting at once can never overdraw a balance; the
database refuses a negative balance anyway (``CHECK (credits >= 0)``). Each ledger row has a
``kind`` (welcome, debit, refund, grant, registration); a job has at most one refund (a unique
index), so a refund can never be paid twice, whoever tries.
"""
from __future__ import annotations

import math

import sqlite_utils

from studio.db import now, write
from studio.errors import InsufficientCredits, InvalidInput

UNITS = ("per_generation", "per_character", "per_second")
MAX_COST = 10**9


def price(prices: dict, service: str, characters: int = 0, seconds: float = 0.0, generations: int = 1) -> int:
    """Credits for one request: per_generation × generations + per_character × chars + per_second × seconds,
    rounded up. A price that is not a positive, finite number of credits is refused."""
    if service not in prices:
        raise InvalidInput("service", f"No price is configured for service {service!r}.")
    for name, value in (("characters", characters), ("seconds", seconds), ("generations", generations)):
        if not _finite(value) or value < 0:
            raise InvalidInput(name, f"{name} must be a finite number ≥ 0, got {value!r}.")
    table = prices[service]
    for unit in UNITS:
        value = table.get(unit, 0)
        if not _finite(value) or value < 0:
            raise InvalidInput("price", f"prices.{service}.{unit} must be a finite number ≥ 0, got {value!r}.")
    cost = (
        table.get("per_generation", 0) * generations
        + table.get("per_character", 0) * characters
        + table.get("per_second", 0) * seconds
    )
    cost = int(math.ceil(cost - 1e-9))
    return check_cost(cost)


def check_cost(cost) -> int:
    """A job's cost must be a whole number of credits, 1 or more (a free or negative job would
    let anyone mint credits through refunds)."""
    if isinstance(cost, bool) or not isinstance(cost, int) or not 1 <= cost <= MAX_COST:
        raise InvalidInput("cost", f"A generation must cost 1–{MAX_COST:,} whole credits, got {cost!r}. "
                                   "Check the prices in studio.toml.")
    return cost


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def ensure_user(db: sqlite_utils.Database, user_id: str, starting_credits: int, reason: str = "welcome") -> bool:
    """Create the user with the starting balance the first time they are seen; True if created now."""
    if not user_id or len(user_id) > 200:
        raise InvalidInput("user", f"User name must be 1–200 characters, got {len(user_id or '')}.")
    if db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone() is not None:
        return False  # the common case (every page render): a read, no write lock
    if isinstance(starting_credits, bool) or not isinstance(starting_credits, int) or starting_credits < 0:
        raise InvalidInput("starting_credits", f"A starting balance must be a whole number ≥ 0, got {starting_credits!r}.")
    with write(db):
        if db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone() is not None:  # created meanwhile
            return False
        db["users"].insert({"id": user_id, "credits": starting_credits, "created_at": now()})
        db["ledger"].insert({"user_id": user_id, "delta": starting_credits, "reason": reason, "kind": reason,
                             "job_id": None, "created_at": now()})
    return True


def balance(db: sqlite_utils.Database, user_id: str) -> int:
    row = db.execute("SELECT credits FROM users WHERE id = ?", [user_id]).fetchone()
    return row[0] if row else 0


def debit(db: sqlite_utils.Database, user_id: str, amount: int, job_id: str) -> None:
    """Take ``amount`` credits for ``job_id``; call inside :func:`studio.db.write`. Raises InsufficientCredits."""
    check_cost(amount)
    cursor = db.execute(
        "UPDATE users SET credits = credits - ? WHERE id = ? AND credits >= ?", [amount, user_id, amount]
    )
    if cursor.rowcount != 1:
        raise InsufficientCredits(amount, balance(db, user_id))
    db["ledger"].insert({"user_id": user_id, "delta": -amount, "reason": "generation", "kind": "debit",
                         "job_id": job_id, "created_at": now()})


def refund(db: sqlite_utils.Database, user_id: str, amount: int, job_id: str, reason: str) -> bool:
    """Give back ``amount`` credits for a job, once; call inside :func:`studio.db.write`.
    Returns False (and changes nothing) when the job was already refunded."""
    if amount <= 0:
        return False
    inserted = db.execute(
        "INSERT OR IGNORE INTO ledger (user_id, delta, reason, kind, job_id, created_at) VALUES (?, ?, ?, 'refund', ?, ?)",
        [user_id, amount, reason, job_id, now()],
    ).rowcount
    if not inserted:
        return False
    db.execute("UPDATE users SET credits = credits + ? WHERE id = ?", [amount, user_id])
    return True


def grant(db: sqlite_utils.Database, user_id: str, amount: int, starting_credits: int = 0) -> int:
    """An operator adds (or, with a negative amount, removes) credits; returns the new balance."""
    if isinstance(amount, bool) or not isinstance(amount, int) or abs(amount) > 10**9:
        raise InvalidInput("amount", f"Amount must be a whole number of credits up to 1,000,000,000, got {amount!r}.")
    ensure_user(db, user_id, starting_credits)
    with write(db):
        current = balance(db, user_id)
        if current + amount < 0:
            raise InvalidInput("amount", f"Removing {-amount:,} credits would leave {user_id} below zero (balance {current:,}).")
        db.execute("UPDATE users SET credits = credits + ? WHERE id = ?", [amount, user_id])
        db["ledger"].insert({"user_id": user_id, "delta": amount, "reason": "grant", "kind": "grant", "job_id": None,
                             "created_at": now()})
    return balance(db, user_id)


def drift(db: sqlite_utils.Database) -> int:
    """Σ balances − Σ ledger deltas over every user: 0 when every change of credits was recorded."""
    balances = db.execute("SELECT COALESCE(SUM(credits), 0) FROM users").fetchone()[0]
    ledger = db.execute("SELECT COALESCE(SUM(delta), 0) FROM ledger").fetchone()[0]
    return balances - ledger
