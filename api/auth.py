"""Who is calling: an API key as ``Authorization: Bearer …`` or ``xi-api-key: …``, a request
rate per key, and request size limits."""
from __future__ import annotations

import os
import threading
import time

from starlette.requests import Request

from api.errors import APIError
from studio.core import Studio

RATE_PER_MINUTE = int(os.environ.get("STUDIO_API_RATE_PER_MINUTE", "120"))
MAX_BODY_BYTES = 50 * 1024 * 1024 + 64 * 1024  # an upload of 50 MB plus its form fields


def key_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("xi-api-key") or None


class RateLimiter:
    """A token bucket per key: ``per_minute`` requests a minute, bursts up to the same number."""

    def __init__(self, per_minute: int = RATE_PER_MINUTE):
        self.per_minute = per_minute
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key_id: str) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        now = time.monotonic()
        rate = self.per_minute / 60.0
        with self._lock:
            tokens, at = self._buckets.get(key_id, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - at) * rate)
            if tokens < 1.0:
                self._buckets[key_id] = (tokens, now)
                return (1.0 - tokens) / rate
            self._buckets[key_id] = (tokens - 1.0, now)
            return 0.0


limiter = RateLimiter()


def user_of(request: Request, studio: Studio) -> str:
    """The user behind the request's key; APIError 401 or 429 otherwise."""
    secret = key_of(request)
    if not secret:
        raise APIError(401, "missing_api_key", "Send your API key as `Authorization: Bearer <key>` or `xi-api-key: <key>`. "
                                               "Create one on the Account page.")
    found = studio.authenticate(secret)
    if found is None:
        raise APIError(401, "invalid_api_key", "This API key is not valid or was revoked. Create a new one on the Account page.")
    user_id, key_id = found
    wait = limiter.take(key_id)
    if wait > 0:
        raise APIError(429, "rate_limited", f"Too many requests for this key (limit {limiter.per_minute} a minute). "
                                            f"Try again in {wait:.1f} s.", {"Retry-After": str(max(1, round(wait)))})
    return user_id


def check_size(request: Request, limit: int = MAX_BODY_BYTES) -> None:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise APIError(413, "too_large", f"The request is {int(length) / 2**20:.1f} MB; the limit is {limit // 2**20} MB.")
