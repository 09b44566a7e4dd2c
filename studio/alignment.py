"""Word timings of a rendered take, for ``/with-timestamps`` and SRT/WebVTT subtitles.

Kokoro (through kokoro-onnx) and Piper do not expose their durations, so the take is
force-aligned with the bundled Whisper's word timestamps: the words Whisper hears are matched
to the words of the text (difflib on normalised words); a word Whisper missed or misheard
gets a time between its neighbours, shared out by length. Characters share their word's span.
"""
from __future__ import annotations

import difflib
import re

from audiokit import Audio
from engines import whisper

_WORD = re.compile(r"\S+")


def _norm(word: str) -> str:
    return re.sub(r"[^a-z0-9]", "", word.lower())


def word_times(audio: Audio, text: str) -> list[tuple[str, float, float]]:
    """Each word of ``text`` (as written) with its start and end in ``audio``, in seconds."""
    written = [m.group(0) for m in _WORD.finditer(text)]
    if not written:
        return []
    heard = whisper.words(audio)
    times: list[tuple[float, float] | None] = [None] * len(written)
    matcher = difflib.SequenceMatcher(a=[_norm(w) for w in written], b=[_norm(w) for w, _, _ in heard], autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            times[block.a + k] = heard[block.b + k][1:]
    total = audio.duration
    i = 0
    while i < len(written):  # fill each run of unknown words between the known times around it
        if times[i] is not None:
            i += 1
            continue
        j = i
        while j < len(written) and times[j] is None:
            j += 1
        start = times[i - 1][1] if i > 0 else 0.0
        end = times[j][0] if j < len(written) else total
        if end < start:
            end = start
        lengths = [max(len(w), 1) for w in written[i:j]]
        at = start
        for k, n in zip(range(i, j), lengths):
            step = (end - start) * n / sum(lengths)
            times[k] = (at, at + step)
            at += step
        i = j
    return [(w, round(t[0], 3), round(t[1], 3)) for w, t in zip(written, times)]


def characters(text: str, words: list[tuple[str, float, float]]) -> tuple[list[str], list[float], list[float]]:
    """ElevenLabs-style character alignment: every character of ``text`` with a start and end."""
    chars, starts, ends = [], [], []
    spans = [m.span() for m in _WORD.finditer(text)]
    w = 0
    previous_end = 0.0
    for index, ch in enumerate(text):
        while w < len(spans) and index >= spans[w][1]:
            previous_end = words[w][2] if w < len(words) else previous_end
            w += 1
        if w < len(spans) and spans[w][0] <= index < spans[w][1] and w < len(words):
            _, start, end = words[w]
            n = spans[w][1] - spans[w][0]
            k = index - spans[w][0]
            starts.append(round(start + (end - start) * k / n, 3))
            ends.append(round(start + (end - start) * (k + 1) / n, 3))
        else:  # space or punctuation between words: the gap before the next word
            nxt = words[w][1] if w < len(words) else previous_end
            starts.append(round(previous_end, 3))
            ends.append(round(max(previous_end, nxt), 3))
        chars.append(ch)
    return chars, starts, ends


def _stamp(seconds: float, sep: str) -> str:
    ms = int(round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def cues(words: list[tuple[str, float, float]], max_words: int = 8) -> list[tuple[float, float, str]]:
    """Subtitle cues: up to ``max_words`` words, closed early after a sentence's end."""
    out, current = [], []
    for word in words:
        current.append(word)
        if len(current) >= max_words or word[0].endswith((".", "!", "?")):
            out.append((current[0][1], current[-1][2], " ".join(w for w, _, _ in current)))
            current = []
    if current:
        out.append((current[0][1], current[-1][2], " ".join(w for w, _, _ in current)))
    return out


def srt(words: list[tuple[str, float, float]]) -> str:
    return "\n".join(f"{i}\n{_stamp(a, ',')} --> {_stamp(b, ',')}\n{t}\n" for i, (a, b, t) in enumerate(cues(words), 1))


def webvtt(words: list[tuple[str, float, float]]) -> str:
    return "WEBVTT\n\n" + "\n".join(f"{_stamp(a, '.')} --> {_stamp(b, '.')}\n{t}\n" for a, b, t in cues(words))
