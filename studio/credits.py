"""Credits: prices from configuration, balances that never go negative, a ledger of every change.

The debit is a single conditional UPDATE (``… WHERE credits >= cost``) inside the caller's
IMMEDIATE transaction, so two tabs submitting at once can never overdraw a balance.
"""
from __future__ import annotations

import math

import sqlite_utils

from studio.db import now, write
from studio.errors import InsufficientCredits, InvalidInput


def price(prices: dict, service: str, characters: int = 0, seconds: float = 0.0, generations: int = 1) -> int:
    """Credits for one request: per_generation × generations + per_character × chars + per_second × seconds, rounded up."""
    if service not in prices:
        raise InvalidInput("service", f"No price is configured for service {service!r}.")
    table = prices[service]
    cost = (
        table.get("per_generation", 0) * generations
        + table.get("per_character", 0) * characters
        + table.get("per_second", 0) * seconds
    )
    return int(math.ceil(cost - 1e-9))


def ensure_user(db: sqlite_utils.Database, user_id: str, starting_credits: int) -> None:
    """Create the user with the starting balance the first time they are seen."""
    if not user_id or len(user_id) > 200:
        raise InvalidInput("user", f"User name must be 1–200 characters, got {len(user_id or '')}.")
    if db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone() is not None:
        return  # the common case (every page render): a read, no write lock
    with write(db):
        if db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone() is None:  # not created meanwhile
            db["users"].insert({"id": user_id, "credits": starting_credits, "created_at": now()})
            db["ledger"].insert({"user_id": user_id, "delta": starting_credits, "reason": "welcome", "job_id": None, "created_at": now()})


def balance(db: sqlite_utils.Database, user_id: str) -> int:
    row = db.execute("SELECT credits FROM users WHERE id = ?", [user_id]).fetchone()
    return row[0] if row else 0


def debit(db: sqlite_utils.Database, user_id: str, amount: int, job_id: str) -> None:
    """Take ``amount`` credits; call inside :func:`studio.db.write`. Raises InsufficientCredits."""
    cursor = db.execute(
        "UPDATE users SET credits = credits - ? WHERE id = ? AND credits >= ?", [amount, user_id, amount]
    )
    if cursor.rowcount != 1:
        raise InsufficientCredits(amount, balance(db, user_id))
    db["ledger"].insert({"user_id": user_id, "delta": -amount, "reason": "generation", "job_id": job_id, "created_at": now()})


def refund(db: sqlite_utils.Database, user_id: str, amount: int, job_id: str, reason: str) -> None:
    """Give back ``amount`` credits for a job; call inside :func:`studio.db.write`."""
    if amount <= 0:
        return
    db.execute("UPDATE users SET credits = credits + ? WHERE id = ?", [amount, user_id])
    db["ledger"].insert({"user_id": user_id, "delta": amount, "reason": reason, "job_id": job_id, "created_at": now()})


def grant(db: sqlite_utils.Database, user_id: str, amount: int, starting_credits: int = 0) -> int:
    """An operator adds (or, with a negative amount, removes) credits; returns the new balance."""
    if not isinstance(amount, int) or abs(amount) > 10**9:
        raise InvalidInput("amount", f"Amount must be a whole number of credits up to 1,000,000,000, got {amount!r}.")
    ensure_user(db, user_id, starting_credits)
    with write(db):
        current = balance(db, user_id)
        if current + amount < 0:
            raise InvalidInput("amount", f"Removing {-amount:,} credits would leave {user_id} below zero (balance {current:,}).")
        db.execute("UPDATE users SET credits = credits + ? WHERE id = ?", [amount, user_id])
        db["ledger"].insert({"user_id": user_id, "delta": amount, "reason": "grant", "job_id": None, "created_at": now()})
    return balance(db, user_id)
