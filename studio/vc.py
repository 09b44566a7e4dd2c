"""Voice changer as a job, the target voices, and each user's own voice samples.

``build_job`` decodes and checks the upload and every setting before anything is charged;
the job stores the decoded source (24 kHz WAV, under a generated key) beside its result.

Targets are named ``kokoro:<voice id>`` (a stock voice: its reference clip is rendered once
by Kokoro and cached under ``<data dir>/voice_refs/``), ``sample:<id>`` (a user's own
recording, stored under the ``voices`` service; only its owner can list, play, use or
delete it — another user's id reads as "not found") or ``custom:<id>`` (a saved voice,
:mod:`studio.voices`: its owner's, or shared with the team in team mode; re-voice speaks
with its style, and WORLD and Seed-VC compare against its reference clip, rendered once with
that style and cached as ``voice_refs/custom-<id>-<style digest>.wav``).
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from audiokit import Audio, codec, decode
from engines.clone import render as style_render
from engines.contract import render
from engines.tts.kokoro import VOICES
from engines.vc.common import (LENGTH_MAX, LENGTH_MIN, PITCH_SHIFT_MAX, STEPS_DEFAULT, STEPS_MAX, STEPS_MIN,
                               VCRequest, VoiceTarget)
from studio import credits, voices
from studio.db import now, write
from studio.errors import EngineUnavailable, InvalidInput, NotFound
from studio.jobs import JobContext, JobSpec
from studio.previews import cached_wav
from studio.storage import make_key

SAMPLE_RATE = 24_000


@dataclass(frozen=True)
class Mode:
    id: str
    engine: str
    label: str
    summary: str
    own_samples: bool  # can it convert to a user's own voice sample?


MODES: dict[str, Mode] = {
    "world": Mode("world", "world_vc", "Voice conversion (WORLD)",
                  "Keeps your words, timing and intonation; moves pitch and formants towards the target. "
                  "Sounds like you, reshaped — not a perfect copy of the target.", True),
    "revoice": Mode("revoice", "revoice", "Re-voice (transcribe and speak)",
                    "The target's full timbre and a studio-clean result, fitted to your timing; your intonation, "
                    "emotion and any non-speech sounds are lost, and misheard words are spoken as heard.", False),
    "seed": Mode("seed", "seed_vc", "Seed-VC (neural, optional)",
                 "Zero-shot neural conversion that keeps intonation and copies timbre closely; needs torch and "
                 "downloaded weights, and is slow on a CPU.", True),
}

# Harvard sentences (IEEE 1969, public domain): every common English sound, about 14 s per voice.
REFERENCE_TEXT = (
    "The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background. "
    "It is easy to tell the depth of a well. These days a chicken leg is a rare dish. "
    "Rice is often served in round bowls. The juice of lemons makes fine punch."
)
SAMPLE_MIN_SECONDS, SAMPLE_MAX_SECONDS = 3.0, 60.0
MAX_SAMPLES_PER_USER = 20
SAMPLE_NAME_MAX = 60
_SAMPLE_ID = re.compile(r"^[0-9a-f]{32}$")


# -- stock voices -------------------------------------------------------------------------
def stock_voices() -> list[tuple[str, str]]:
    """(target id, label) for every stock voice, e.g. ("kokoro:af_heart", "Heart — female, American")."""
    return [(f"kokoro:{v}", f"{name} — {gender}, {accent}") for v, (name, gender, accent) in VOICES.items()]


def reference_path(data_dir: Path, voice: str) -> Path:
    if voice not in VOICES:
        raise InvalidInput("target", f"Unknown stock voice {voice!r}. Pick one of: {', '.join(VOICES)}.")
    return Path(data_dir) / "voice_refs" / f"{voice}.wav"


def stock_reference_wav(studio, voice: str) -> bytes:
    """The voice's reference clip as WAV bytes, rendered by Kokoro the first time and read from disk after."""
    path = reference_path(studio.settings.data_dir, voice)
    return cached_wav(studio.load_engine("kokoro"), voice, REFERENCE_TEXT, path)


def stock_reference(studio, voice: str) -> Audio:
    return codec.read_wav(stock_reference_wav(studio, voice))


# -- saved voices (studio/voices.py) ---------------------------------------------------------
def custom_reference_path(data_dir: Path, custom: "voices.CustomVoice") -> Path:
    """Where a saved voice's reference clip is cached: named by its id and its style, so a clip
    of another style is never taken for it."""
    voice_hex = custom.id.removeprefix(voices.PREFIX)
    return Path(data_dir) / "voice_refs" / f"custom-{voice_hex}-{style_render.style_digest(custom.style)}.wav"


def custom_reference_wav(studio, custom: "voices.CustomVoice") -> bytes:
    """The saved voice reading :data:`REFERENCE_TEXT`, as WAV bytes: rendered with its style the
    first time, read from disk after."""
    path = custom_reference_path(studio.settings.data_dir, custom)
    if path.exists():
        return path.read_bytes()
    speaker = style_render.StyleVoice(studio.engine("kokoro"), custom.style, custom.british, custom.gain_db)
    return cached_wav(speaker, style_render.VOICE_ID, REFERENCE_TEXT, path)


def saved_targets(studio, user_id: str) -> list[tuple[str, str]]:
    """(target id, label) for every saved voice ``user_id`` may use: their own, then the team's."""
    return [(v["id"], f"{v['name']} · " + ("my voice" if v["mine"] else f"shared by {v['owner']}"))
            for v in voices.voices_of(studio, user_id)]


# -- the user's samples ---------------------------------------------------------------------
def _check_sample_id(sample_id: str) -> str:
    if not isinstance(sample_id, str) or not _SAMPLE_ID.match(sample_id):
        raise NotFound(f"No such voice sample: {str(sample_id)[:80]!r}")
    return sample_id


def add_sample(studio, user_id: str, data: bytes, filename: str | None, name: str) -> dict:
    """Decode, check and store one of the user's voice samples; free of charge."""
    name = " ".join(str(name or "").split())
    if not name:
        raise InvalidInput("name", "Give the voice sample a name, e.g. “My voice”.")
    if len(name) > SAMPLE_NAME_MAX:
        raise InvalidInput("name", f"The name is {len(name)} characters; keep it to {SAMPLE_NAME_MAX}.")
    decoded = decode.decode(data, filename, SAMPLE_RATE, max_seconds=SAMPLE_MAX_SECONDS,
                            min_seconds=SAMPLE_MIN_SECONDS, field="sample")
    credits.ensure_user(studio.db(), user_id, studio.settings.starting_credits)
    db = studio.db()
    count = db.execute("SELECT COUNT(*) FROM voice_samples WHERE user_id = ?", [user_id]).fetchone()[0]
    if count >= MAX_SAMPLES_PER_USER:
        raise InvalidInput("sample", f"You already have {count} voice samples (the limit is {MAX_SAMPLES_PER_USER}). "
                                     "Delete one you no longer use first.")
    sample_id = uuid.uuid4().hex
    key = make_key(user_id, "voices", sample_id, "sample")
    studio.storage.put(key, codec.to_wav(decoded.audio))
    row = {"id": sample_id, "user_id": user_id, "name": name, "key": key,
           "duration": round(decoded.duration, 2), "created_at": now()}
    try:
        with write(db):
            db["voice_samples"].insert(row)
    except BaseException:
        studio.storage.delete(key)
        raise
    return row


def list_samples(studio, user_id: str) -> list[dict]:
    return list(studio.db().query(
        "SELECT id, name, duration, created_at FROM voice_samples WHERE user_id = ? ORDER BY created_at DESC, rowid DESC",
        [user_id]))


def get_sample(studio, user_id: str, sample_id: str) -> dict:
    """The sample's row if ``user_id`` owns it; NotFound otherwise (no hint that it exists)."""
    _check_sample_id(sample_id)
    rows = list(studio.db().query("SELECT * FROM voice_samples WHERE id = ? AND user_id = ?", [sample_id, user_id]))
    if not rows:
        raise NotFound(f"No such voice sample: {sample_id}")
    return rows[0]


def sample_wav(studio, user_id: str, sample_id: str) -> bytes:
    return studio.storage.get(get_sample(studio, user_id, sample_id)["key"])


def sample_audio(studio, user_id: str, sample_id: str) -> Audio:
    return codec.read_wav(sample_wav(studio, user_id, sample_id))


def delete_sample(studio, user_id: str, sample_id: str) -> None:
    row = get_sample(studio, user_id, sample_id)
    studio.storage.delete(row["key"])
    db = studio.db()
    with write(db):
        db.execute("DELETE FROM voice_samples WHERE id = ? AND user_id = ?", [sample_id, user_id])


# -- targets and jobs ------------------------------------------------------------------------
def resolve_target(studio, user_id: str, target: str, with_reference: bool = True) -> VoiceTarget:
    """A target id to a VoiceTarget; a sample must belong to ``user_id``, a saved voice must be
    one ``user_id`` may use (NotFound otherwise, before anything is charged)."""
    if not isinstance(target, str) or ":" not in target:
        raise InvalidInput("target", "Pick a target voice (kokoro:<voice>, sample:<id> or custom:<id>), "
                                     f"got {str(target)[:80]!r}.")
    kind, ident = target.split(":", 1)
    if kind == "kokoro":
        if ident not in VOICES:
            raise InvalidInput("target", f"Unknown stock voice {ident!r}. Pick one of: {', '.join(VOICES)}.")
        name = VOICES[ident][0]
        reference = stock_reference(studio, ident) if with_reference else None
        return VoiceTarget(target, name, reference, ident)
    if kind == "sample":
        row = get_sample(studio, user_id, ident)
        reference = codec.read_wav(studio.storage.get(row["key"])) if with_reference else None
        return VoiceTarget(target, row["name"], reference, None)
    if kind == "custom":
        custom = voices.voice_style(studio, user_id, target)
        reference = codec.read_wav(custom_reference_wav(studio, custom)) if with_reference else None
        return VoiceTarget(custom.id, custom.name, reference, None, custom.style, custom.british, custom.gain_db)
    raise InvalidInput("target", f"Unknown kind of target {kind!r}; use kokoro:<voice>, sample:<id> or custom:<id>.")


def build_job(studio, user_id: str, source_bytes: bytes, filename: str | None, target: str, mode: str = "world", *,
              pitch_shift: float = 0.0, strength: float | None = None, keep_pitch: bool = False,
              diffusion_steps: int | None = None, length_adjust: float | None = None, cfg_rate: float | None = None,
              f0_condition: bool = False) -> JobSpec:
    """Check the upload, the target and every setting; price it. Nothing is charged here."""
    if mode not in MODES:
        raise InvalidInput("mode", f"Unknown mode {mode!r}; use one of {', '.join(MODES)}.")
    spec_mode = MODES[mode]
    try:
        engine = studio.load_engine(spec_mode.engine)
    except EngineUnavailable as error:
        raise InvalidInput("mode", f"{spec_mode.label} is not available on this server: {error}") from error
    decoded = decode.decode(source_bytes, filename, SAMPLE_RATE)
    voice = resolve_target(studio, user_id, target, with_reference=False)
    request = VCRequest(decoded.audio, voice, pitch_shift, strength, keep_pitch, diffusion_steps,
                        length_adjust, cfg_rate, f0_condition)
    request = engine.check(request)
    cost = credits.price(studio.settings.prices, "vc", seconds=decoded.duration)
    shown = decode.display_name(filename).strip("'\"") if filename else "Recording"

    def run(ctx: JobContext) -> list[Audio]:
        ctx.progress(0.01, "Preparing the target voice")
        full = VCRequest(request.source, resolve_target(studio, user_id, target, with_reference=mode != "revoice"),
                         request.pitch_shift, request.strength, request.keep_pitch, request.diffusion_steps,
                         request.length_adjust, request.cfg_rate, request.f0_condition)
        return [render(engine, full, ctx.progress, ctx.should_stop)]

    params = {
        "mode": mode, "target": target, "target_name": voice.name, "source_name": shown[:80],
        "source_format": decoded.format, "source_seconds": round(decoded.duration, 2),
        "pitch_shift": request.pitch_shift, "keep_pitch": request.keep_pitch,
    }
    if mode == "world":
        params["strength"] = request.strength
    if mode == "seed":
        params.update(diffusion_steps=request.diffusion_steps, length_adjust=request.length_adjust,
                      cfg_rate=request.cfg_rate, f0_condition=request.f0_condition)
    return JobSpec(
        service="vc", engine=spec_mode.engine, title=f"{shown[:80]} → {voice.name} ({spec_mode.label})",
        params=params, cost=cost, run=run, uploads={"source": codec.to_wav(decoded.audio)},
    )


def estimate(studio, source_bytes: bytes, filename: str | None) -> tuple[float, int, str]:
    """(seconds, credits, format) of an upload, or the reason it cannot be used; charges nothing."""
    decoded = decode.decode(source_bytes, filename, SAMPLE_RATE, normalize=False)
    return decoded.duration, credits.price(studio.settings.prices, "vc", seconds=decoded.duration), decoded.format
