"""Text-to-speech as a job: check the request, price it, and run it chunk by chunk; a checked
job also hears each chunk back (:mod:`studio.tts_check`) and keeps the report in its params."""
from __future__ import annotations

import unicodedata
from dataclasses import fields

import numpy as np

from audiokit import Audio
from engines import whisper
from engines.tts.common import ChunkedTTS, TTSRequest
from engines.tts.text import MAX_CHARS, clean_text
from studio import credits, tts_check
from studio.errors import InvalidInput
from studio.jobs import JobContext, JobSpec

__all__ = ["MAX_CHARS", "build_job", "check_speakable", "price"]

MAX_STACKED_MARKS = 4  # more accents than this on one letter is a flood ("Zalgo" text), not a language


def check_speakable(text: str) -> tuple[str, ...]:
    """Refuse, before anything is charged, a text with nothing a voice can say: no letters or
    digits, or a flood of combining accents. Returns notices (the voices are English)."""
    letters = marks = run = longest = 0
    scripts: dict[str, int] = {}
    for ch in unicodedata.normalize("NFC", text):
        category = unicodedata.category(ch)
        if category[0] == "M":
            marks += 1
            run += 1
            longest = max(longest, run)
            continue
        run = 0
        if category[0] in "LN":
            letters += 1
            if category[0] == "L":
                script = unicodedata.name(ch, "UNKNOWN").split()[0]
                scripts[script] = scripts.get(script, 0) + 1
    if letters == 0:
        raise InvalidInput("text", "The text has no letters or digits to speak. Type some words.")
    if longest > MAX_STACKED_MARKS or marks > letters:
        raise InvalidInput("text", f"The text is mostly combining accents ({marks:,} accents on {letters:,} letters, "
                                   f"up to {longest} stacked on one letter); a voice cannot read that. "
                                   "Paste the plain text instead.")
    written = sum(scripts.values())
    foreign = written - scripts.get("LATIN", 0)
    if written and foreign / written > 0.5:
        others = sorted((n for n in scripts if n != "LATIN"), key=lambda n: -scripts[n])[:2]
        named = " and ".join(n if n == "CJK" else n.title() for n in others)
        return (f"The voices speak English; text in other scripts ({named}) may be skipped or read wrongly.",)
    return ()


def price(prices: dict, characters: int, checked: bool = False) -> int:
    """Credits for a text of ``characters``; a checked render adds the ``tts_check`` price."""
    cost = credits.price(prices, "tts", characters=characters)
    return cost + (credits.price(prices, "tts_check", characters=characters) if checked and characters else 0)


def build_job(engine, text: str, voice: str, speed: float | None, prices: dict, *, pause: float | None = None,
              lexicon=(), shown_voice: str | None = None, checked: bool = False,
              settings: dict | None = None) -> tuple[JobSpec, tuple[str, ...]]:
    """Validate before anything is charged; return the job and notices about the text (e.g. emoji skipped).
    ``lexicon`` is the user's pronunciation dictionary as (word, pronunciation) pairs; ``shown_voice``
    is the voice id the history records when ``voice`` is the engine's own name for it (a saved voice).
    ``checked``: each chunk is heard back by Whisper once rendered, and the mismatches are kept in
    the job's ``params["check"]`` (:func:`studio.tts_check.Checker.report`); it costs ``tts_check``
    on top, in the same charge. ``settings`` are the engine's own request fields (StyleTTS2's
    alpha, beta, diffusion_steps, embedding_scale, reference); a name the engine does not have is
    refused."""
    if not isinstance(checked, bool):
        raise InvalidInput("checked", f"checked must be true or false, got {str(checked)[:20]!r}.")
    cleaned = clean_text(text)
    notices = cleaned.notices + check_speakable(cleaned.text)
    settings = dict(settings or {})
    kind = getattr(engine, "request_type", TTSRequest)  # the engine's own request, with its settings
    unknown = sorted(set(settings) - {f.name for f in fields(kind)} | set(settings) & {"text", "voice", "speed",
                                                                                      "pause", "lexicon"})
    if unknown:
        raise InvalidInput("settings", f"{engine.title} has no setting {', '.join(map(repr, unknown))}.")
    request = engine.check(kind(cleaned.text, voice, speed, pause=pause, lexicon=tuple(lexicon), **settings))
    if checked:
        if not isinstance(engine, ChunkedTTS):
            raise InvalidInput("checked", f"The {engine.id} engine cannot check its renders; turn the check off.")
        missing = whisper.probe()
        if missing:
            raise InvalidInput("checked", f"Checking a render needs the bundled speech recogniser: {missing}")
    cost = price(prices, len(cleaned.text), checked)

    def run(ctx: JobContext) -> list[Audio]:
        checker = tts_check.Checker(request.text) if checked else None
        done = [0.0]  # the engine's last progress, which the check's own message keeps

        def progress(fraction: float, message: str = "") -> None:
            done[0] = fraction
            ctx.progress(fraction, message)

        options = {"on_chunk": checker.add} if checker else {}
        pieces: list[np.ndarray] = []
        for piece in engine.load().run(request, progress=progress, cancel=ctx.should_stop, **options):
            pieces.append(piece.samples)
            ctx.partial(Audio(np.concatenate(pieces), piece.sample_rate))
            if checker:  # after the audio is handed on, so the first of it is not held back
                ctx.progress(done[0], "Listening back to check the words")
                checker.check_pending(ctx.should_stop)
        if checker:
            ctx.note(check=checker.report())
        return [Audio(np.concatenate(pieces), engine.sample_rate)]

    params = {"voice": shown_voice or voice, "speed": request.speed, "pause": request.pause,
              "characters": len(cleaned.text)}
    if checked:
        params["checked"] = True
    for name, value in settings.items():  # a reference clip is recorded by its voice id
        if name != "reference":
            params[name] = getattr(request, name, value)
    spec = JobSpec(service="tts", engine=engine.id, title=cleaned.text[:2000], params=params, cost=cost, run=run)
    return spec, notices
