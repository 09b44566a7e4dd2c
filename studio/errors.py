"""Failures a person can fix. Each message says what was wrong, what was received and what to do."""
from __future__ import annotations


class StudioError(Exception):
    """Base class for errors whose message is meant for the person using the studio."""


class InvalidInput(StudioError, ValueError):
    """A field of a request is wrong (empty, too long, out of range, unknown)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class InsufficientCredits(StudioError):
    """The user's balance does not cover the price of the generation."""

    def __init__(self, needed: int, balance: int):
        super().__init__(
            f"This generation costs {needed:,} credits but your balance is {balance:,}. "
            "Shorten the input or ask an operator to grant more credits."
        )
        self.needed = needed
        self.balance = balance


class DatabaseBusy(StudioError):
    """The SQLite database stayed locked longer than the busy timeout."""

    def __init__(self) -> None:
        super().__init__(
            "The studio database is busy with another request. Nothing was charged or lost; "
            "try again in a moment."
        )


class NotFound(StudioError, LookupError):
    """A job or object does not exist, or belongs to another user (the two are not told apart)."""


class StorageUnavailable(StudioError):
    """The audio store (local folder or S3 bucket) could not be reached or written."""


class UnsupportedAudio(StudioError, ValueError):
    """An uploaded file is not audio the studio can decode, or breaks a limit."""
