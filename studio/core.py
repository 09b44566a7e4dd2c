"""The Studio: the one door to the product for pages, the command line, benchmarks, tests
and any HTTP API. Every generation, job, history entry, voice sample and credit goes
through its methods, so they behave the same everywhere. It never imports streamlit: the UI
builds one per process (``st.cache_resource``) and calls it.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from engines import registry
from engines.contract import Engine, EngineInfo, Voice
from studio import credits, history, jobs, previews, sfx, storage as storage_mod, tts, vc
from studio.config import Settings
from studio.db import connect

log = logging.getLogger(__name__)


class Studio:
    def __init__(self, settings: Settings, load_engine: Callable[[str], Engine] = registry.load):
        self.settings = settings
        self.storage = storage_mod.from_settings(settings)
        self.load_engine = load_engine
        self.queue = jobs.JobQueue(settings, self.storage)

    def db(self):
        return connect(self.settings.db_path, self.settings.busy_timeout)

    # -- engines and voices ----------------------------------------------------------------
    @staticmethod
    def engines(kind: str | None = None) -> list[EngineInfo]:
        """Every engine of ``kind``, usable or not, with the fix when not; loads nothing."""
        return registry.info(kind)

    def engine(self, engine_id: str) -> Engine:
        """The engine ``engine_id``, loaded once per process; EngineUnavailable with the fix."""
        return self.load_engine(engine_id)

    def voices(self, engine: str = "kokoro") -> list[Voice]:
        return self.load_engine(engine).voices()

    def preview(self, engine: str, voice: str) -> bytes:
        """WAV of a voice's short sample sentence; free, cached on disk after the first render."""
        return previews.preview_wav(self.load_engine(engine), voice, self.settings.data_dir / "previews")

    # -- users and credits ------------------------------------------------------------
    def balance(self, user_id: str) -> int:
        credits.ensure_user(self.db(), user_id, self.settings.starting_credits)
        return credits.balance(self.db(), user_id)

    def price(self, service: str, **units) -> int:
        return credits.price(self.settings.prices, service, **units)

    # -- text to speech ------------------------------------------------------------------
    def submit_tts(self, user_id: str, text: str, voice: str, engine: str = "kokoro",
                   speed: float | None = None) -> tuple[str, tuple[str, ...]]:
        """Queue a text-to-speech job; returns (job id, notices about the text)."""
        spec, notices = tts.build_job(self.load_engine(engine), text, voice, speed, self.settings.prices)
        return self.queue.submit(user_id, spec), notices

    # -- voice changer -------------------------------------------------------------------
    def submit_vc(self, user_id: str, source: bytes, filename: str | None, target: str, mode: str = "world",
                  **settings) -> str:
        """Queue a conversion of ``source`` into ``target`` ("kokoro:<voice>" or "sample:<id>");
        returns the job id. Bad input raises before any credit is spent."""
        return self.queue.submit(user_id, vc.build_job(self, user_id, source, filename, target, mode, **settings))

    def vc_modes(self) -> dict[str, vc.Mode]:
        return dict(vc.MODES)

    def vc_estimate(self, source: bytes, filename: str | None) -> tuple[float, int, str]:
        """(seconds, credits, format) of an upload, or UnsupportedAudio saying why it cannot be used."""
        return vc.estimate(self, source, filename)

    def stock_targets(self) -> list[tuple[str, str]]:
        return vc.stock_voices()

    def vc_target(self, user_id: str, target: str) -> "vc.VoiceTarget":
        """A target id resolved to its name and reference clip (a sample must belong to ``user_id``)."""
        return vc.resolve_target(self, user_id, target)

    def stock_reference_wav(self, voice: str) -> bytes:
        """The stock voice's reference clip that conversions compare against (rendered once)."""
        return vc.stock_reference_wav(self, voice)

    def add_sample(self, user_id: str, data: bytes, filename: str | None, name: str) -> dict:
        return vc.add_sample(self, user_id, data, filename, name)

    def samples(self, user_id: str) -> list[dict]:
        return vc.list_samples(self, user_id)

    def sample_wav(self, user_id: str, sample_id: str) -> bytes:
        return vc.sample_wav(self, user_id, sample_id)

    def delete_sample(self, user_id: str, sample_id: str) -> None:
        vc.delete_sample(self, user_id, sample_id)

    # -- sound effects -------------------------------------------------------------------
    def plan_sfx(self, prompt: str, duration: float = 5.0, variations: int = 1, loop: bool = False,
                 engine: str = sfx.DEFAULT_ENGINE, seed: int | None = None, **settings) -> tuple[dict, int]:
        """What a sound-effect request would be made of, and its price; free, nothing queued."""
        sfx.precheck(prompt, duration, variations, seed)
        _, _, plan = sfx.build_job(self.load_engine(sfx.check_engine(engine)), prompt, duration, variations, loop,
                                   seed, self.settings.prices, **settings)
        return plan, sfx.price(self.settings.prices, plan["duration"], len(plan["variations"]))

    def submit_sfx(self, user_id: str, prompt: str, duration: float = 5.0, variations: int = 1, loop: bool = False,
                   engine: str = sfx.DEFAULT_ENGINE, seed: int | None = None,
                   **settings) -> tuple[str, tuple[str, ...], dict]:
        """Queue a sound-effect job; returns (job id, notices, plan). InvalidInput before any charge."""
        sfx.precheck(prompt, duration, variations, seed)
        spec, notices, plan = sfx.build_job(self.load_engine(sfx.check_engine(engine)), prompt, duration, variations,
                                            loop, seed, self.settings.prices, **settings)
        return self.queue.submit(user_id, spec), notices, plan

    def sfx_price(self, duration: float, variations: int) -> int:
        return sfx.price(self.settings.prices, duration, variations)

    # -- jobs ----------------------------------------------------------------------------
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

    @property
    def data_dir(self) -> Path:
        return Path(self.settings.data_dir)

    def shutdown(self) -> None:
        self.queue.shutdown()
