"""The product's own failures (credits, storage, database), beside the shared ones in
:mod:`audiokit.errors`, which are re-exported here so the studio has one place to import from."""
from __future__ import annotations

from audiokit.errors import Cancelled, EngineUnavailable, InvalidInput, StudioError, UnsupportedAudio

__all__ = ["Cancelled", "DatabaseBusy", "EngineUnavailable", "InsufficientCredits", "InvalidInput", "NotFound",
           "StorageUnavailable", "StudioError", "UnsupportedAudio"]


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
