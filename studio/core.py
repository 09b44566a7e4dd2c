"""The studio's one entry point for front ends, benchmarks and the command line.

``Studio`` ties settings, storage, the job queue and the engines together and never
imports streamlit: the UI builds one per process (``st.cache_resource``) and calls it.
"""
from __future__ import annotations

import logging
from typing import Callable

from engines import registry
from studio import credits, history, jobs, storage as storage_mod, tts
from studio.config import Settings
from studio.db import connect

log = logging.getLogger(__name__)


class Studio:
    def __init__(self, settings: Settings, load_engine: Callable[[str], object] = registry.load):
        self.settings = settings
        self.storage = storage_mod.from_settings(settings)
        self.load_engine = load_engine
        self.queue = jobs.JobQueue(settings, self.storage)

    def db(self):
        return connect(self.settings.db_path, self.settings.busy_timeout)

    # -- users and credits ------------------------------------------------------------
    def balance(self, user_id: str) -> int:
        credits.ensure_user(self.db(), user_id, self.settings.starting_credits)
        return credits.balance(self.db(), user_id)

    def price(self, service: str, **units) -> int:
        return credits.price(self.settings.prices, service, **units)

    # -- generating ----------------------------------------------------------------------
    def submit_tts(self, user_id: str, text: str, voice: str, engine: str = "kokoro",
                   speed: float | None = None) -> tuple[str, tuple[str, ...]]:
        """Queue a text-to-speech job; returns (job id, notices about the text)."""
        spec, notices = tts.build_job(self.load_engine(engine), text, voice, speed, self.settings.prices)
        return self.queue.submit(user_id, spec), notices

    def submit(self, user_id: str, spec: jobs.JobSpec) -> str:
        return self.queue.submit(user_id, spec)

    def job(self, user_id: str, job_id: str) -> dict:
        return jobs.get_job(self.db(), user_id, job_id)

    def wait(self, user_id: str, job_id: str, timeout: float = 600.0) -> dict:
        return jobs.wait(self.db(), user_id, job_id, timeout)

    def cancel(self, user_id: str, job_id: str) -> bool:
        return self.queue.cancel(user_id, job_id)

    # -- history -------------------------------------------------------------------------
    def history(self, user_id: str, **filters) -> tuple[list[dict], int]:
        return history.list_jobs(self.db(), user_id, **filters)

    def audio(self, user_id: str, job_id: str, fmt: str = "wav", index: int = 0, which: str = "result") -> bytes:
        return history.audio_bytes(self.db(), self.storage, user_id, job_id, fmt, index, which)

    def playback_url(self, user_id: str, job_id: str, index: int = 0, which: str = "result") -> str | None:
        """A presigned URL for S3 storage (checked against the owner first); None for local files."""
        return self.storage.playback_url(history.object_key(self.db(), user_id, job_id, index, which))

    def delete(self, user_id: str, job_id: str) -> None:
        history.delete_job(self.db(), self.storage, user_id, job_id)

    def shutdown(self) -> None:
        self.queue.shutdown()
