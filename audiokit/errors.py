"""Failures a person can fix, shared by every layer. Each message says what was wrong, what
was received and what to do. The studio adds its own (credits, storage, database) in
:mod:`studio.errors`."""
from __future__ import annotations


class StudioError(Exception):
    """Base class for errors whose message is meant for the person using the studio."""


class InvalidInput(StudioError, ValueError):
    """A field of a request is wrong (empty, too long, out of range, unknown)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class UnsupportedAudio(StudioError, ValueError):
    """An uploaded file is not audio the studio can decode, or breaks a limit."""


class EngineUnavailable(StudioError, RuntimeError):
    """The engine cannot run on this machine (weights or a dependency missing); the message says how to get it."""


class Cancelled(Exception):
    """The job was cancelled while the engine was working."""
