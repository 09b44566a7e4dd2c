"""Errors as JSON with a code, a message and the right status, in a shape both clients read:
OpenAI's ``{"error": {...}}`` and ElevenLabs' ``{"detail": {...}}``."""
from __future__ import annotations

import logging

from starlette.responses import JSONResponse

from studio.errors import (DatabaseBusy, EngineUnavailable, InsufficientCredits, InvalidInput, NotFound,
                           StorageUnavailable, StudioError, UnsupportedAudio)

log = logging.getLogger(__name__)


class APIError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def response(status: int, code: str, message: str, headers: dict | None = None, param: str | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "type": code, "param": param},
            "detail": {"status": code, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


def from_exception(error: Exception) -> JSONResponse:
    """The response for anything a route raised; unexpected errors are logged, never shown."""
    if isinstance(error, APIError):
        return response(error.status, error.code, error.message, error.headers)
    if isinstance(error, InsufficientCredits):
        return response(402, "insufficient_credits", str(error))
    if isinstance(error, NotFound):
        return response(404, "not_found", str(error))
    if isinstance(error, InvalidInput):
        return response(400, "invalid_request", str(error), param=error.field)
    if isinstance(error, UnsupportedAudio):
        return response(400, "unsupported_audio", str(error))
    if isinstance(error, EngineUnavailable):
        return response(503, "engine_unavailable", str(error))
    if isinstance(error, DatabaseBusy):
        return response(503, "busy", str(error), {"Retry-After": "2"})
    if isinstance(error, StorageUnavailable):
        return response(503, "storage_unavailable", str(error))
    if isinstance(error, StudioError):
        return response(400, "failed", str(error))
    log.exception("API request failed")
    return response(500, "internal_error", f"The request failed ({type(error).__name__}); it was logged.")
