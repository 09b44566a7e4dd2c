"""Text checks and sentence chunking for speech synthesis.

``clean_text`` turns whatever a person pasted into text a voice can read and says what it
removed; ``split_chunks`` cuts it at sentence (then clause, then word) boundaries into
pieces the model handles well, each with the pause that should follow it. The first chunk
is kept short so the first audio is ready quickly.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from audiokit.errors import InvalidInput

MAX_CHARS = 10_000

# Pauses inserted after a chunk, by what ended it (seconds at speed 1.0).
PAUSE_PARAGRAPH = 0.55
PAUSE_SENTENCE = 0.28
PAUSE_CLAUSE = 0.12
PAUSE_WORD = 0.03

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc", "no", "inc",
    "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "approx", "dept", "est", "fig", "gen", "gov", "lt", "col", "sgt",
    "capt", "rev", "hon", "ave", "blvd", "rd",
}
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")
_CLAUSE_END = re.compile(r"[,;:—–]\s+")
# Characters kept: letters, marks, numbers, punctuation, spaces and these symbols.
_KEPT_SYMBOLS = set("$€£¥%&+=<>#@/°©®™§")
_REPLACEMENTS = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\t": " "}


@dataclass(frozen=True)
class CleanText:
    text: str
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chunk:
    text: str
    pause_after: float  # seconds of silence after this chunk


def clean_text(raw: str | None, max_chars: int = MAX_CHARS) -> CleanText:
    """Check and tidy a text for synthesis; raise :class:`InvalidInput` when nothing can be said."""
    if raw is None or not raw.strip():
        raise InvalidInput("text", "The text is empty. Type or paste what you want to hear.")
    if len(raw) > max_chars:
        raise InvalidInput(
            "text",
            f"The text is {len(raw):,} characters; the limit is {max_chars:,}. "
            "Split it into several generations.",
        )
    text = unicodedata.normalize("NFC", raw)
    for old, new in _REPLACEMENTS.items():
        text = text.replace(old, new)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept: list[str] = []
    controls = symbols = 0
    for ch in text:
        cat = unicodedata.category(ch)
        if ch == "\n" or cat[0] in "LMNPZ" or ch in _KEPT_SYMBOLS:
            kept.append(ch)
        elif cat[0] == "C":
            controls += 1
        else:  # emoji, pictographs, arrows, box drawing …
            symbols += 1
            kept.append(" ")
    text = re.sub(r"[ ]{2,}", " ", "".join(kept))
    text = re.sub(r"[ ]+([.,!?;:])", r"\1", text)
    text = re.sub(r"\n[ ]+|[ ]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    notices = []
    if controls:
        notices.append(f"Removed {controls} invisible control character{'s' * (controls != 1)}.")
    if symbols:
        notices.append(f"Skipped {symbols} emoji or symbol{'s' * (symbols != 1)} that a voice cannot read.")
    if not any(ch.isalnum() for ch in text):
        raise InvalidInput(
            "text",
            "The text has no words to speak (only symbols, emoji or punctuation). "
            "Type some words.",
        )
    return CleanText(text, tuple(notices))


def _sentence_spans(paragraph: str) -> list[tuple[str, float]]:
    """Split one paragraph into sentences, keeping abbreviations and decimals intact."""
    sentences: list[tuple[str, float]] = []
    start = 0
    for m in _SENTENCE_END.finditer(paragraph):
        before = paragraph[start : m.start() + 1]
        last_word = re.findall(r"([A-Za-z]+)\.$", before.rstrip())
        if last_word and (last_word[0].lower() in _ABBREVIATIONS or len(last_word[0]) == 1):
            continue  # "Dr. Smith", "U.S. army", "e.g. this"
        sentences.append((paragraph[start : m.end()].strip(), PAUSE_SENTENCE))
        start = m.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append((tail, PAUSE_SENTENCE))
    return sentences


def _cut(text: str, limit: int) -> tuple[str, str, float]:
    """Cut ``text`` (longer than ``limit``) at the last clause end, else the last space."""
    window = text[: limit + 1]
    clauses = list(_CLAUSE_END.finditer(window))
    if clauses and clauses[-1].end() > limit // 3:
        at = clauses[-1].end()
        return text[:at].strip(), text[at:].strip(), PAUSE_CLAUSE
    space = window.rfind(" ")
    if space > limit // 3:
        return text[:space].strip(), text[space:].strip(), PAUSE_WORD
    return text[:limit], text[limit:], 0.0  # one enormous "word"


def split_chunks(text: str, max_chars: int = 260, first_max_chars: int = 60) -> list[Chunk]:
    """Split text into chunks of at most ``max_chars`` (the first at most ``first_max_chars``).

    Sentences are packed together while they fit; a sentence longer than the limit is cut
    at a clause boundary, else a word boundary. Each chunk records the pause to insert
    after it: longer after a paragraph, shorter after a clause.
    """
    pieces: list[tuple[str, float]] = []
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    for p_index, paragraph in enumerate(paragraphs):
        sentences = _sentence_spans(paragraph)
        if sentences and p_index < len(paragraphs) - 1:
            sentences[-1] = (sentences[-1][0], PAUSE_PARAGRAPH)
        pieces.extend(sentences)

    chunks: list[Chunk] = []
    current, current_pause = "", 0.0
    for sentence, pause in pieces:
        while sentence:
            limit = first_max_chars if not chunks else max_chars
            if current and len(current) + 1 + len(sentence) <= limit and current_pause < PAUSE_PARAGRAPH:
                current, current_pause = f"{current} {sentence}", pause
                sentence = ""
                continue
            if current:
                chunks.append(Chunk(current, current_pause))
                current = ""
                continue
            if len(sentence) <= limit:
                current, current_pause = sentence, pause
                sentence = ""
            else:
                head, sentence, cut_pause = _cut(sentence, limit)
                chunks.append(Chunk(head, cut_pause))
    if current:
        chunks.append(Chunk(current, 0.0))
    elif chunks:
        chunks[-1] = Chunk(chunks[-1].text, 0.0)
    return chunks


_SPOKEN = {
    "Mr.": "Mister", "Mrs.": "Missus", "Ms.": "Miz", "Dr.": "Doctor", "Prof.": "Professor",
    "Jan.": "January", "Feb.": "February", "Mar.": "March", "Apr.": "April", "Jun.": "June",
    "Jul.": "July", "Aug.": "August", "Sep.": "September", "Sept.": "September", "Oct.": "October",
    "Nov.": "November", "Dec.": "December", "vs.": "versus", "etc.": "et cetera", "e.g.": "for example",
    "i.e.": "that is", "approx.": "approximately", "No.": "number",
}
_SPOKEN_RE = re.compile(r"(?<![\w.])(" + "|".join(re.escape(k) for k in _SPOKEN) + r")(?=\s|$)")


def spoken_form(text: str) -> str:
    """Expand abbreviations that some voices read letter by letter ("Dr." → "Doctor")."""
    return _SPOKEN_RE.sub(lambda m: _SPOKEN[m.group(1)], text)
