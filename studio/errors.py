"""The product's own failures (credits, storage, database), beside the shared ones in
:mod:`audiokit.errors`, which are re-exported here so the studio has one place to import from."""
from __future__ import annotations

from audiokit.errors import Cancelled, EngineUnavailable, InvalidInput, StudioError, UnsupportedAudio

__all__ = ["Cancelled", "DatabaseBusy", "DatabaseUnavailable", "DiskFull", "EngineUnavailable", "InsufficientCredits",
           "InvalidInput", "NotFound", "SignInRefused", "StartupProblem", "StorageUnavailable", "StudioError",
           "UnsupportedAudio"]


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


class DiskFull(StudioError):
    """The disk holding the database or the audio files has no space left."""

    def __init__(self) -> None:
        super().__init__(
            "The disk holding the studio's data is full. Nothing was charged; free some space on it "
            "(or move data_dir to a larger disk), then try again."
        )


class DatabaseUnavailable(StudioError):
    """The database cannot be opened or written (read-only, missing folder, newer schema)."""


class StartupProblem(StudioError):
    """Something the studio needs at start-up is missing or broken; the message says how to fix it."""


class SignInRefused(StudioError):
    """A sign-in or sign-up was refused (wrong password, too many attempts, registration closed)."""
