"""The Studio: the one door to the product for pages, the command line, benchmarks, tests
and any HTTP API. Every generation, job, history entry, voice sample and credit goes
through its methods, so they behave the same everywhere. It never imports streamlit: the UI
builds one per process (``st.cache_resource``) and calls it.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable, Iterator

from audiokit import Audio, codec
from engines import registry
from engines.clone import render
from engines.contract import Engine, EngineInfo, Voice
from engines.tts.text import clean_text, spoken_form
from studio import (alignment, apikeys, credits, health, history, jobs, lexicon, links, preferences, previews, sfx,
                    streaming, tts, users, vc, voices)
from studio import storage as storage_mod, sweep as sweep_mod
from studio.config import Settings
from studio.db import connect, write
from studio.errors import Cancelled, InvalidInput, StudioError

log = logging.getLogger(__name__)


class JobFailed(StudioError):
    """A job ended as failed; the message is the one stored with it."""


class _Publishing:
    """A job context whose ``partial`` (the whole take so far) also publishes each new chunk."""

    def __init__(self, ctx):
        self._ctx, self._sent = ctx, 0

    def __getattr__(self, name):
        return getattr(self._ctx, name)

    def partial(self, audio: Audio) -> None:
        streaming.publish(self._ctx.job_id, Audio(audio.samples[self._sent:], audio.sample_rate))
        self._sent = len(audio.samples)
        self._ctx.partial(audio)


def streaming_job(spec: jobs.JobSpec) -> jobs.JobSpec:
    """``spec`` whose chunks are published to :mod:`studio.streaming` as they render."""
    inner = spec.run

    def run(ctx):
        streaming.open_stream(ctx.job_id)
        try:
            return inner(_Publishing(ctx))
        finally:
            streaming.close(ctx.job_id)

    spec.run = run
    return spec


class Studio:
    """Start-up checks run first (StartupProblem with the fix when something is wrong); then this
    process registers as a worker, recovers the jobs of workers that are gone, and sweeps in the
    background."""

    def __init__(self, settings: Settings, load_engine: Callable[[str], Engine] = registry.load,
                 sweep_at_start: bool = True):
        self.settings = settings
        self.storage = storage_mod.from_settings(settings)
        health.check(settings, self.storage)
        self.load_engine = load_engine
        self.queue = jobs.JobQueue(settings, self.storage, maintenance=self._maintain)
        if sweep_at_start:
            threading.Thread(target=self._sweep_quietly, name="studio-sweep", daemon=True).start()

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

    @staticmethod
    def engine_voices(engine_id: str) -> list[Voice]:
        """The voices an engine offers, read without loading it."""
        return registry.get(engine_id).voices()

    def voices(self, engine: str = "kokoro") -> list[Voice]:
        return self.load_engine(engine).voices()

    def preview(self, engine: str, voice: str) -> bytes:
        """WAV of a voice's short sample sentence; free, cached on disk after the first render."""
        return previews.preview_wav(self.load_engine(engine), voice, self.settings.data_dir / "previews")

    # -- users and credits ------------------------------------------------------------
    def balance(self, user_id: str) -> int:
        credits.ensure_user(self.db(), user_id, self.settings.starting_credits)
        return credits.balance(self.db(), user_id)

    def spent(self, user_id: str) -> int:
        """Credits this user has spent in all (charges less refunds)."""
        row = self.db().execute("SELECT COALESCE(-SUM(delta), 0) FROM ledger WHERE user_id = ? AND job_id IS NOT NULL",
                                [user_id]).fetchone()
        return int(row[0])

    def price(self, service: str, **units) -> int:
        return credits.price(self.settings.prices, service, **units)

    # -- text to speech ------------------------------------------------------------------
    def submit_tts(self, user_id: str, text: str, voice: str, engine: str = "kokoro",
                   speed: float | None = None, live: bool = False, *, pause: float | None = None,
                   checked: bool = False, **settings) -> tuple[str, tuple[str, ...]]:
        """Queue a text-to-speech job; returns (job id, notices about the text). With ``live``
        its chunks are published as they render, for :meth:`follow` (the API's streaming
        routes, the page's live player). ``voice`` may be a saved voice ("custom:<id>") the
        user may use: with Kokoro it speaks with its style at its own speed unless ``speed`` is
        given; with an engine that speaks zero-shot from a clip (StyleTTS2) the saved voice's
        reference reading, or one of the user's voice samples ("sample:<id>"), is the reference.
        ``settings`` are the engine's own (StyleTTS2: alpha, beta, diffusion_steps,
        embedding_scale). The user's pronunciation dictionary is applied. With ``checked`` each
        chunk is heard back by Whisper (the ``tts_check`` price on top): see :meth:`check_report`."""
        engine_, engine_voice = self.load_engine(engine), voice
        if isinstance(voice, str) and voice.startswith(("custom:", "sample:")) and engine != "kokoro":
            if not getattr(engine_, "zero_shot", False):
                raise InvalidInput("voice", f"{engine_.title} cannot speak in your own voices; pick Kokoro for them.")
            target = vc.resolve_target(self, user_id, voice)
            engine_voice, settings = target.name, {**settings, "reference": target.reference}
        elif voices.is_custom(voice):
            engine_, own_speed = voices.tts_engine(self, user_id, voice)
            engine_voice, speed = render.VOICE_ID, own_speed if speed is None else speed
        spec, notices = tts.build_job(engine_, text, engine_voice, speed, self.settings.prices, pause=pause,
                                      lexicon=self.pronunciations(user_id), shown_voice=voice, checked=checked,
                                      settings=settings)
        if live:
            spec = streaming_job(spec)
        job_id = self.queue.submit(user_id, spec)
        if live:
            streaming.open_stream(job_id)
        return job_id, notices

    def tts_price(self, characters: int, checked: bool = False) -> int:
        """Credits for a text of ``characters``, and for the check on top when ``checked``."""
        return tts.price(self.settings.prices, characters, checked)

    def check_report(self, user_id: str, job_id: str) -> dict | None:
        """What the speech check of a checked text-to-speech job found (:mod:`studio.tts_check`):
        ``mismatches`` (chunk, written, start, end, expected, heard), ``chunks``, ``unchecked``,
        ``truncated``; None until the job has completed. NotFound for anyone else's job;
        InvalidInput for a job that was not checked."""
        row = self.job(user_id, job_id)
        if row["service"] != "tts" or not row["params"].get("checked"):
            raise InvalidInput("job", "This clip was not checked. Turn on “Check the render with speech "
                                      "recognition” when you generate it.")
        return row["params"].get("check") if row["status"] == "completed" else None

    def follow(self, user_id: str, job_id: str, timeout: float = 600.0) -> Iterator[Audio]:
        """The job's audio as it renders, chunk by chunk, from the first chunk on. When the job
        renders in another process (or ended a while ago) this waits and yields the stored
        result. Raises the job's error if it failed; Cancelled if it was cancelled."""
        self.job(user_id, job_id)  # ownership first: NotFound for anyone else's job
        if streaming.is_live(job_id):
            yield from streaming.follow(job_id, timeout)
        row = self.wait(user_id, job_id, timeout)
        if row["status"] == "failed":
            raise JobFailed(row["error"] or "The generation failed.")
        if row["status"] == "cancelled":
            raise Cancelled()
        if not streaming.is_live(job_id):
            yield codec.read_wav(self.audio(user_id, job_id))

    # -- pronunciation dictionary (studio/lexicon.py) --------------------------------------
    @property
    def team_mode(self) -> bool:
        """Whether several signed-in users share this studio (``settings.auth == "team"``): a team
        dictionary and team-shared voices exist."""
        return self.settings.auth == "team"

    def pronunciations(self, user_id: str) -> tuple[tuple[str, str], ...]:
        """The (word, pronunciation) pairs applied to ``user_id``'s speech: the team's (team mode),
        overridden by the user's own for the same word."""
        return lexicon.effective(self.db(), user_id, self.team_mode)

    def lexicon_entries(self, user_id: str) -> list[dict]:
        """The user's own entries, then (team mode) the team's: word, pronunciation, kind
        (respelling / phonemes), team, updated_by, updated_at, overridden."""
        return lexicon.entries(self.db(), user_id, self.team_mode)

    def add_pronunciation(self, user_id: str, word: str, pronunciation: str, team: bool = False) -> dict:
        """Add an entry to the user's dictionary (or, team mode, the team's), replacing the one for
        the same word; InvalidInput naming the field. The entry comes back with ``replaced``."""
        return lexicon.upsert(self.db(), user_id, word, pronunciation, team, self.team_mode)

    def delete_pronunciation(self, user_id: str, word: str, team: bool = False) -> None:
        lexicon.delete(self.db(), user_id, word, team, self.team_mode)

    def import_lexicon(self, user_id: str, data: bytes, filename: str | None, team: bool = False,
                       ) -> lexicon.ImportReport:
        """Import a PLS (.pls, .xml) or CSV file, all or nothing; the report says what was added,
        replaced and skipped (with why)."""
        return lexicon.store(self.db(), user_id, lexicon.read_file(data, filename), team, self.team_mode)

    def edit_lexicon(self, user_id: str, add=(), remove=(), replace: bool = False, team: bool = False,
                     ) -> lexicon.ImportReport:
        """Edit the user's dictionary (or, team mode, the team's) in one step, all or nothing: remove
        the words in ``remove`` (those not there are ignored) and add ``add``, (where, word,
        pronunciation) triples, each replacing the entry for its word; with ``replace`` the
        dictionary then holds exactly ``add``. InvalidInput, led by the bad entry's ``where``, or
        for passing the limit; then nothing changed."""
        return lexicon.apply_rules(self.db(), user_id, add, remove, replace, team, self.team_mode)

    def export_lexicon(self, user_id: str, fmt: str = "pls", scope: str = "effective") -> bytes:
        """The dictionary as a PLS lexicon or CSV file: "effective" (what the user's speech gets),
        "own" or "team"."""
        if fmt not in ("pls", "csv"):
            raise InvalidInput("format", f"Dictionaries are exported as pls or csv, got {str(fmt)[:10]!r}.")
        export = lexicon.export_pls if fmt == "pls" else lexicon.export_csv
        return export(self.db(), user_id, scope, self.team_mode)

    def spoken_preview(self, user_id: str, text: str) -> str:
        """``text`` as it would be spoken with the user's dictionary (numbers and the rest written
        as words, phonemes as ``[word](/phonemes/)``); free."""
        return spoken_form(clean_text(text).text, self.pronunciations(user_id))

    # -- voice changer -------------------------------------------------------------------
    def submit_vc(self, user_id: str, source: bytes, filename: str | None, target: str, mode: str = "world",
                  **settings) -> str:
        """Queue a conversion of ``source`` into ``target`` ("kokoro:<voice>", "sample:<id>" or a
        saved voice "custom:<id>"); returns the job id. Bad input, or a target the user may not
        use (NotFound), raises before any credit is spent."""
        return self.queue.submit(user_id, vc.build_job(self, user_id, source, filename, target, mode, **settings))

    def vc_modes(self) -> dict[str, vc.Mode]:
        return dict(vc.MODES)

    def vc_estimate(self, source: bytes, filename: str | None) -> tuple[float, int, str]:
        """(seconds, credits, format) of an upload, or UnsupportedAudio saying why it cannot be used."""
        return vc.estimate(self, source, filename)

    def stock_targets(self) -> list[tuple[str, str]]:
        return vc.stock_voices()

    def saved_targets(self, user_id: str) -> list[tuple[str, str]]:
        """(target id, label) of the saved voices ``user_id`` may convert into, e.g. "Anna · my voice"."""
        return vc.saved_targets(self, user_id)

    def vc_target(self, user_id: str, target: str) -> "vc.VoiceTarget":
        """A target id resolved to its name and reference clip (a sample must belong to ``user_id``,
        a saved voice must be one they may use)."""
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
                 engine: str = sfx.DEFAULT_ENGINE, seed: int | None = None, accept_closest: bool = False,
                 **settings) -> tuple[dict, int]:
        """What a sound-effect request would be made of, how sure the match is, and its price;
        free, nothing queued. A loose match comes back with ``plan["needs_confirmation"]``."""
        sfx.precheck(prompt, duration, variations, seed)
        engine_ = self.load_engine(sfx.check_engine(engine))
        try:
            _, _, plan = sfx.build_job(engine_, prompt, duration, variations, loop, seed, self.settings.prices,
                                       accept_closest=accept_closest, **settings)
        except sfx.NeedsConfirmation as error:
            plan = error.plan
        return plan, sfx.plan_price(self.settings.prices, plan)

    def submit_sfx(self, user_id: str, prompt: str, duration: float = 5.0, variations: int = 1, loop: bool = False,
                   engine: str = sfx.DEFAULT_ENGINE, seed: int | None = None, accept_closest: bool = False,
                   **settings) -> tuple[str, tuple[str, ...], dict]:
        """Queue a sound-effect job; returns (job id, notices, plan). InvalidInput before any charge;
        NeedsConfirmation (with ``.plan``) for a loose match unless ``accept_closest``."""
        sfx.precheck(prompt, duration, variations, seed)
        spec, notices, plan = sfx.build_job(self.load_engine(sfx.check_engine(engine)), prompt, duration, variations,
                                            loop, seed, self.settings.prices, accept_closest=accept_closest, **settings)
        return self.queue.submit(user_id, spec), notices, plan

    def sfx_price(self, duration: float, variations: int) -> int:
        return sfx.price(self.settings.prices, duration, variations)

    # -- your own voices (studio/voices.py) ------------------------------------------------
    def clone_prices(self) -> dict:
        return voices.clone_prices(self.settings)

    def submit_clone(self, user_id: str, data: bytes, filename: str | None, name: str, budget: str = "standard",
                     consent: bool = False, shared: bool = False) -> str:
        """Queue fitting a Kokoro voice to a clip; checked (clip, name, consent) before any charge."""
        return voices.submit_clone(self, user_id, data, filename, name, budget, consent, shared)

    def preview_design(self, mix, speed: float = 1.0) -> bytes:
        return voices.preview_design(self, mix, speed)

    def create_designed_voice(self, user_id: str, name: str, mix, speed: float = 1.0, shared: bool = False) -> dict:
        return voices.create_designed_voice(self, user_id, name, mix, speed, shared)

    def voices_of(self, user_id: str) -> list[dict]:
        """The user's saved voices and, in team mode, those shared with the team."""
        return voices.voices_of(self, user_id)

    def voice_preview(self, user_id: str, voice_id: str) -> bytes:
        return voices.preview_wav(self, user_id, voice_id)

    def share_voice(self, user_id: str, voice_id: str, shared: bool) -> dict:
        return voices.set_shared(self, user_id, voice_id, shared)

    def delete_voice(self, user_id: str, voice_id: str) -> None:
        voices.delete_voice(self, user_id, voice_id)

    # -- settings remembered per user (studio/preferences.py) ------------------------------
    def preferences(self, user_id: str) -> dict:
        """``user_id``'s remembered settings (``tts_speed``, ``tts_pause``, ``tts_checked``), each
        the default until remembered."""
        return preferences.get(self.db(), user_id)

    def remember(self, user_id: str, **values) -> dict:
        """Remember settings for ``user_id`` (InvalidInput for an unknown name or a bad value,
        nothing stored then); returns them all."""
        return preferences.remember(self.db(), user_id, self.settings.write_patience, **values)

    # -- API keys ------------------------------------------------------------------------
    def create_api_key(self, user_id: str, name: str) -> tuple[dict, str]:
        """A new API key: (its row, the secret, shown this once)."""
        credits.ensure_user(self.db(), user_id, self.settings.starting_credits)
        return apikeys.create(self.db(), user_id, name)

    def api_keys(self, user_id: str) -> list[dict]:
        return apikeys.list_keys(self.db(), user_id)

    def revoke_api_key(self, user_id: str, key_id: str) -> None:
        apikeys.revoke(self.db(), user_id, key_id)

    def authenticate(self, secret: str | None) -> tuple[str, str] | None:
        """(user id, key id) for a live API key, None otherwise."""
        return apikeys.authenticate(self.db(), secret)

    def local_api_key(self) -> str:
        """Single-user mode's own key (in ``<data_dir>/api-key``), created on first use."""
        credits.ensure_user(self.db(), "local", self.settings.starting_credits)
        return apikeys.local_key(self.settings.data_dir, self.db())

    # -- jobs ----------------------------------------------------------------------------
    def submit(self, user_id: str, spec: jobs.JobSpec) -> str:
        return self.queue.submit(user_id, spec)

    def job(self, user_id: str, job_id: str) -> dict:
        return jobs.get_job(self.db(), user_id, job_id)

    def active_job(self, user_id: str, service: str) -> str | None:
        """The user's newest queued or running job of ``service`` (from the database, so a reload,
        another tab or another process sees it too)."""
        return jobs.active_job(self.db(), user_id, service)

    def wait(self, user_id: str, job_id: str, timeout: float = 600.0) -> dict:
        return jobs.wait(self.db(), user_id, job_id, timeout)

    def cancel(self, user_id: str, job_id: str) -> bool:
        return self.queue.cancel(user_id, job_id)

    def cancel_rendered(self, user_id: str, job_id: str) -> int:
        """Cancel a job whose listener went away (a closed stream): it is refunded, then charged
        for the share it had rendered (its progress). Returns the credits kept."""
        row = self.job(user_id, job_id)
        if not self.cancel(user_id, job_id):
            return row["cost"]
        keep = int(row["cost"] * min(max(float(row["progress"] or 0.0), 0.0), 1.0))
        if keep > 0:
            db = self.db()
            try:
                with write(db):
                    credits.debit(db, user_id, keep, job_id)
            except StudioError as error:
                log.warning("could not charge the rendered part of job %s: %s", job_id, error)
                return 0
        return keep

    # -- history -------------------------------------------------------------------------
    def history(self, user_id: str, **filters) -> tuple[list[dict], int]:
        """Newest first; filters: service, query, voice, page, per_page."""
        return history.list_jobs(self.db(), user_id, **filters)

    def history_voices(self, user_id: str, service: str | None = None) -> list[tuple[str, str]]:
        """(voice, label) of every voice in the user's history, for a filter."""
        return history.voices_used(self.db(), user_id, service)

    def audio(self, user_id: str, job_id: str, fmt: str = "wav", index: int = 0, which: str = "result") -> bytes:
        return history.audio_bytes(self.db(), self.storage, user_id, job_id, fmt, index, which)

    def audio_link(self, user_id: str, job_id: str, fmt: str = "wav", index: int = 0, which: str = "result",
                   *, browser: str | None = None) -> str:
        """A signed, short-lived path (``/audio/<token>``) to the job's audio, for this user in
        this browser only (``browser``: its ``links.BROWSER_COOKIE``; without one the link opens
        nowhere); it stops working at sign-out (:meth:`end_sessions`)."""
        history.object_key(self.db(), user_id, job_id, index, which)  # the owner and the audio exist
        return "/audio/" + links.sign(self.settings.data_dir, self.db(), user_id, job_id, which, index, fmt,
                                      browser=browser)

    def live_link(self, user_id: str, job_id: str, *, browser: str | None = None) -> str:
        """A signed path (``/audio/live/<token>``) that streams a live job's audio as it renders
        (WAV), bound to ``browser`` like :meth:`audio_link`."""
        self.job(user_id, job_id)
        return "/audio/live/" + links.sign(self.settings.data_dir, self.db(), user_id, job_id, "live", 0, "wav",
                                           browser=browser)

    def clip_link(self, user_id: str, data: bytes, *, browser: str | None = None) -> str:
        """A signed path to a clip that is not a job's (a voice preview, a voice sample), for this
        user in ``browser`` only, like :meth:`audio_link`."""
        clip_id = links.stash(user_id, data)
        return "/audio/" + links.sign(self.settings.data_dir, self.db(), user_id, clip_id, "clip", 0, "wav",
                                      browser=browser)

    def link_audio(self, claims: dict) -> bytes:
        """The audio a verified link names, fetched through the owner checks."""
        if claims["w"] == "clip":
            return links.unstash(claims["u"], claims["j"])
        return self.audio(claims["u"], claims["j"], claims["f"], claims["i"], claims["w"])

    def open_link(self, token: str, browser: str | None = None) -> dict:
        """The claims of a signed audio link fetched by ``browser`` (the request's
        ``links.BROWSER_COOKIE``); NotFound when forged, expired, signed out or another browser's."""
        return links.verify(self.settings.data_dir, self.db(), token, browser)

    def end_sessions(self, user_id: str) -> None:
        """Sign-out: every audio link given to ``user_id`` stops working."""
        links.end_sessions(self.db(), user_id)

    def playback_url(self, user_id: str, job_id: str, index: int = 0, which: str = "result") -> str | None:
        """A presigned URL for S3 storage (checked against the owner first); None for local files."""
        return self.storage.playback_url(history.object_key(self.db(), user_id, job_id, index, which))

    def word_times(self, user_id: str, job_id: str) -> list[tuple[str, float, float]]:
        """Each word of a finished text-to-speech job with its start and end (seconds)."""
        row = self.job(user_id, job_id)
        if row["service"] != "tts" or row["status"] != "completed":
            raise InvalidInput("job", "Word timings exist for finished text-to-speech clips only.")
        return alignment.word_times(codec.read_wav(self.audio(user_id, job_id)), row["title"])

    def subtitles(self, user_id: str, job_id: str, fmt: str = "srt") -> str:
        """SRT or WebVTT subtitles of a finished text-to-speech job."""
        if fmt not in ("srt", "vtt"):
            raise InvalidInput("format", f"Subtitles come as srt or vtt, got {str(fmt)[:10]!r}.")
        words = self.word_times(user_id, job_id)
        return alignment.srt(words) if fmt == "srt" else alignment.webvtt(words)

    def delete(self, user_id: str, job_id: str) -> bool:
        """Delete a finished job and its audio. True when all is gone; False when the audio store
        could not be reached: the entry is hidden at once and its files are removed by the sweep.
        A voice written by a clone job that was then cancelled or failed goes first: once the job's
        row is gone nothing would tell it from a finished clone."""
        voices.drop_abandoned(self, user_id)
        return history.delete_job(self.db(), self.storage, user_id, job_id)

    # -- upkeep ---------------------------------------------------------------------------
    def sweep(self, min_age: float | None = None, objects: bool = True) -> sweep_mod.SweepReport:
        """Finish marked deletions, drop previews of ended jobs, remove objects no row refers to
        (older than ``min_age`` seconds, default ``sweep_min_age``) and deleted saved voices'
        cached reference clips."""
        age = self.settings.sweep_min_age if min_age is None else min_age
        return sweep_mod.sweep(self.db(), self.storage, age, objects, data_dir=self.settings.data_dir)

    def _sweep_quietly(self) -> None:
        try:
            self.sweep()
        except Exception as error:  # never stops the studio; the CLI sweep reports in full
            log.warning("start-up sweep failed: %s", error)

    def _maintain(self) -> None:
        self.sweep(objects=False)

    # -- team mode ------------------------------------------------------------------------
    def sign_in(self, username: str, password: str, client: str | None) -> str:
        """The user name if the password is right; SignInRefused (wrong, or throttled) otherwise."""
        return users.sign_in(self.db(), self.settings.users_file, username, password, client)

    def sign_out(self, username: str) -> None:
        """End every session of ``username``: sign-in cookies issued before now stop working."""
        credits.ensure_user(self.db(), username, self.settings.starting_credits)
        users.sign_out(self.db(), username)

    def session_valid(self, username: str, issued_at: float) -> bool:
        """Is a sign-in cookie of ``username`` issued at ``issued_at`` (Unix time) still good?"""
        return users.session_valid(self.db(), self.settings.users_file, username, issued_at)

    def register(self, username: str, name: str, email: str, password: str, repeat: str,
                 invite_code: str | None = None, client: str | None = None) -> str:
        """Create an account (registration must be on); it starts with ``registration_credits``."""
        return users.register(self.db(), self.settings, username, name, email, password, repeat, invite_code, client)

    def cookie_settings(self) -> dict:
        """{name, key, expiry_days} of the sign-in cookie (the key is generated once and kept)."""
        return users.cookie_settings(self.settings.users_file)

    def display_name(self, username: str) -> str | None:
        return users.display_name(self.settings.users_file, username)

    @property
    def data_dir(self) -> Path:
        return Path(self.settings.data_dir)

    def shutdown(self) -> None:
        self.queue.shutdown()
