"""Text checks, sentence chunking and the spoken form of a text, for speech synthesis.

``clean_text`` turns whatever a person pasted into text a voice can read and says what it
removed. ``split_chunks`` cuts it into the pieces the voice renders one at a time: chunks end at
sentence ends; only a sentence too long for the model (or the first sentence, so the first audio
is ready quickly) is split, and then only where a speaker would pause: at clause punctuation
(comma, semicolon, colon, dash) or, inside a long clause that has none, at a phrase boundary
(before a conjunction, relative pronoun or preposition). A piece that ends mid-sentence is
rendered ending in a comma (:attr:`Chunk.render_text`), which Kokoro and Piper speak with a
continuing intonation rather than a final fall.

``spoken_form(text, lexicon)`` is the text as it will be spoken: a pronunciation lexicon applied
first (:func:`apply_lexicon`), then numbers, money, dates, abbreviations and the rest written as
words (:mod:`engines.tts.normalize`).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator, Mapping

from audiokit.errors import InvalidInput
from engines.tts.normalize import (LEADING_ABBREVIATIONS, READ_SYMBOLS, TRAILING_ABBREVIATIONS,
                                   abbreviation_ends_sentence, dotted_ends_sentence, normalize, outside_spans)

MAX_CHARS = 10_000
# Longest chunk, in characters of its spoken form: Kokoro's context is 510 phonemes, and
# English runs about one phoneme (plus stress marks) per letter.
MAX_CHUNK_CHARS = 300
# The first chunk is cut shorter (at a clause or phrase boundary) so the first audio is ready fast.
FIRST_CHUNK_CHARS = 80

# Pauses inserted after a chunk, by what ended it (seconds at speed 1.0 and pause 1.0).
PAUSE_PARAGRAPH = 0.6
PAUSE_SENTENCE = 0.35
PAUSE_CLAUSE = 0.15
PAUSE_PHRASE = 0.06
PAUSE_WORD = 0.03
PAUSES = {"paragraph": PAUSE_PARAGRAPH, "sentence": PAUSE_SENTENCE, "clause": PAUSE_CLAUSE,
          "phrase": PAUSE_PHRASE, "word": PAUSE_WORD, "hard": 0.0, "end": 0.0}

_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")
# Clause punctuation followed by a space; a dash with spaces around it counts too.
_CLAUSE_END = re.compile(r"(?:[,;:]|\s?[—–]|\s-{1,2})(?=\s)\s+")

# Phrase boundaries: before these words (a long clause without punctuation is cut there).
CONJUNCTIONS = {"and", "but", "or", "nor", "yet", "because", "although", "though", "while", "whereas",
                "unless", "since", "if", "once", "whether", "until", "after", "before"}
RELATIVES = {"who", "whom", "whose", "which", "where", "when"}
PREPOSITIONS = {"in", "on", "at", "by", "for", "with", "from", "into", "onto", "about", "above", "across",
                "against", "along", "among", "around", "behind", "below", "beneath", "beside",
                "besides", "between", "beyond", "during", "except", "inside", "near", "over", "through",
                "throughout", "toward", "towards", "under", "underneath", "upon", "within", "without",
                "via", "despite"}
PHRASE_WORDS = CONJUNCTIONS | RELATIVES | PREPOSITIONS
# A phrase boundary needs this many words before it, and MIN_TAIL_WORDS after it: nobody pauses
# after "The museum" in "The museum in the old town hall opens at nine", or before "in 2009" at the
# end of a sentence, and a piece of a word or two said on its own sounds like a stumble. A first
# chunk cut for speed needs as many words even at clause punctuation: "For Monday," plays for
# under a second, less than the rest of the sentence takes to render, so the take would stall.
MIN_HEAD_WORDS = 4
MIN_TAIL_WORDS = 3
# A phrase boundary is never right after one of these ("because of", "the in-laws", "up to").
NO_CUT_AFTER = {"the", "a", "an", "of", "to", "and", "or", "but", "nor", "this", "that", "these", "those",
                 "my", "your", "his", "her", "its", "our", "their", "very", "not", "no", "as", "than", "so",
                 "more", "less", "up", "out", "off", "down", "away", "back", "instead", "because",
                 "according", "due", "prior", "rather", "such", "each", "every", "any", "some", "both",
                 "either", "neither", "just", "even", "only", "all", *PHRASE_WORDS}
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
# Characters kept: letters, marks, numbers, punctuation, spaces, these symbols and those the normaliser reads.
_KEPT_SYMBOLS = set("$€£¥%&+=<>#@/°©®™§") | READ_SYMBOLS
_REPLACEMENTS = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\t": " "}


@dataclass(frozen=True)
class CleanText:
    text: str
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chunk:
    text: str  # the slice of the input, as written
    pause_after: float  # seconds of silence after this chunk (at speed 1 and pause 1)
    render_text: str = ""  # what the voice is given: the spoken form, ending in a comma mid-sentence
    cut: str = "end"  # what ended it: paragraph, sentence, clause, phrase, word, hard or end

    def __post_init__(self) -> None:
        if not self.render_text:
            object.__setattr__(self, "render_text", self.text)

    @property
    def mid_sentence(self) -> bool:
        """Whether the chunk ends inside a sentence (the next chunk continues it)."""
        return self.cut in ("clause", "phrase", "word", "hard")


def sentence_groups(chunks: list[Chunk]) -> Iterator[list[Chunk]]:
    """The chunks of each sentence together, in order (a chunk ending mid-sentence joins the next)."""
    group: list[Chunk] = []
    for chunk in chunks:
        group.append(chunk)
        if not chunk.mid_sentence:
            yield group
            group = []
    if group:
        yield group


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
    text = re.sub(r"[ ]+([.,!?;:])(?!(?<=\.)\d)", r"\1", text)  # but "a .38 caliber" keeps its space
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


def _sentence_spans(paragraph: str) -> list[str]:
    """Split one paragraph into sentences, keeping abbreviations, initials and decimals intact."""
    sentences: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(paragraph):
        before = paragraph[start : m.start() + 1]
        words = before.split()
        last = words[-1] if words else ""
        key = last[:-1].lower() if last.endswith(".") else None
        if key in TRAILING_ABBREVIATIONS:  # "Acme Inc. The …" ends; "Acme Inc. shares" does not
            if not abbreviation_ends_sentence(paragraph, m.start() + 1):
                continue
        elif re.fullmatch(r"(?:[A-Za-z]\.){2,}", last) and key not in LEADING_ABBREVIATIONS:
            if not dotted_ends_sentence(paragraph, m.start() + 1, last):  # "the U.S. Army", "by 5 p.m. Please"
                continue
        elif re.fullmatch(r"[A-Za-z]\.", last) or key in LEADING_ABBREVIATIONS:
            continue  # "Dr. Smith", "J. Smith", "e.g. this"
        if last.endswith(".") and paragraph[m.end():m.end() + 1].islower():
            continue  # a sentence does not open in lower case: "a 12 lb. turkey", "a Ph.D. in physics"
        sentences.append(paragraph[start : m.end()].strip())
        start = m.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    # a "sentence" with nothing to say ("?!?!", "...") is not spoken on its own: it joins the one
    # before it, or, at the start, the one after
    joined: list[str] = []
    for sentence in sentences:
        if joined and (not _has_words(sentence) or not _has_words(joined[-1])):
            joined[-1] = f"{joined[-1]} {sentence}"
        else:
            joined.append(sentence)
    return joined


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _boundaries(text: str) -> list[tuple[int, str]]:
    """Places inside ``text`` where it may be cut, as (end of the head, kind), kind being
    "clause" (after clause punctuation) or "phrase" (before a conjunction, relative pronoun or
    preposition, at least :data:`MIN_HEAD_WORDS` words in and :data:`MIN_TAIL_WORDS` before the
    end). The head is ``text[:end].rstrip()``, the rest ``text[end:].lstrip()``."""
    found: dict[int, str] = {}
    for m in _CLAUSE_END.finditer(text):
        if m.start() > 0 and m.end() < len(text):
            found[m.end()] = "clause"
    words = list(_WORD.finditer(text))
    for prev, word in zip(words, words[1:]):
        gap = text[prev.end():word.start()]
        if gap != " " or word.group().lower() not in PHRASE_WORDS or len(text[:word.start()].split()) < MIN_HEAD_WORDS \
                or len(text[word.start():].split()) < MIN_TAIL_WORDS:
            continue
        before = prev.group().lower()
        if before in NO_CUT_AFTER or (word.group().lower() in ("and", "or") and re.search(r"\d", text[max(0, prev.start() - 12):prev.end()])):
            continue
        found.setdefault(word.start(), "phrase")
    return sorted(found.items())


def _longest_fitting(cuts: list[int], fits) -> int | None:
    """The last of the increasing positions ``cuts`` whose head ``fits``, found by bisection:
    a longer head's spoken form is (all but always) longer, and measuring each candidate would
    normalise the text hundreds of times on a long unpunctuated sentence."""
    low, high = 0, len(cuts)  # cuts[:low] fit, cuts[high:] do not
    while low < high:
        middle = (low + high) // 2
        low, high = (middle + 1, high) if fits(cuts[middle]) else (low, middle)
    return cuts[low - 1] if low else None


def _take(text: str, limit: int, length) -> tuple[str, str, str]:
    """Cut ``text`` (longer than ``limit`` by ``length``) into (head, rest, kind): the longest head
    within the limit ending at clause punctuation; else, in a first clause too long for the limit,
    the longest ending before a phrase word; else at the last space (a word cut); else a hard cut."""
    reach = 2 * limit + 40  # spoken forms are rarely shorter than the text: look no further
    bounds = [(at, kind) for at, kind in _boundaries(text[:reach + 1]) if at <= reach]
    for wanted in ("clause", "phrase"):
        at = _longest_fitting([at for at, kind in bounds if kind == wanted],
                              lambda at: length(text[:at].rstrip()) <= limit)
        if at is not None:
            return text[:at].rstrip(), text[at:].lstrip(), wanted
    at = _longest_fitting([m.start() for m in re.finditer(r" ", text[:reach]) if m.start() > 0],
                          lambda at: length(text[:at]) <= limit)
    if at is not None:
        return text[:at].rstrip(), text[at:].lstrip(), "word"
    at = _longest_fitting(list(range(1, max(1, min(len(text) - 1, limit)) + 1)),  # one enormous "word"
                          lambda at: length(text[:at]) <= limit)
    at = at or 1
    return text[:at], text[at:], "hard"


def _take_soonest(text: str, limit: int, length) -> tuple[str, str, str] | None:
    """The shortest head of ``text`` of at least :data:`MIN_HEAD_WORDS` words and within ``limit``
    that ends at clause punctuation or a phrase boundary, as (head, rest, kind); None when there
    is none."""
    for at, kind in _boundaries(text[:2 * limit + 41]):
        head = text[:at].rstrip()
        if len(head.split()) < MIN_HEAD_WORDS:
            continue
        if length(head) > limit:
            return None
        return head, text[at:].lstrip(), kind
    return None


def split_chunks(text: str, max_chars: int = MAX_CHUNK_CHARS, first_max_chars: int = FIRST_CHUNK_CHARS,
                 lexicon: Mapping[str, str] | Iterable[tuple[str, str]] | None = None) -> list[Chunk]:
    """Split text into the chunks a voice renders one at a time, in order; joined, their texts
    are the input (modulo whitespace).

    Each sentence is a chunk. A sentence whose spoken form is longer than ``max_chars`` is cut
    (see :func:`_take`), and so is the first sentence when longer than ``first_max_chars``, so the
    first audio is quick. That first cut is made only where it costs little: a first sentence
    within 1.5 times the limit is spoken whole unless clause punctuation within the limit can end
    a chunk of at least :data:`MIN_HEAD_WORDS` words, and where only a word cut (or a shorter
    clause) fits the limit, the first chunk may reach twice it to end at clause punctuation or a
    phrase boundary instead (a slightly later start beats a stumble, or a stall).
    Each chunk records what ended it and the pause to insert after it;
    ``render_text`` is its spoken form (lexicon applied), ending in a comma when the chunk ends
    mid-sentence, so it is spoken with a continuing intonation.
    """
    entries = _lexicon_items(lexicon)

    def spoken(piece: str) -> str:
        return spoken_form(piece, entries)

    def length(piece: str) -> int:
        return len(spoken(piece))

    def fits(piece: str, limit: int) -> bool:  # a piece far longer as written is not measured
        return len(piece) <= 4 * limit + 100 and length(piece) <= limit

    chunks: list[Chunk] = []
    paragraphs = [p.strip() for p in re.split(r"\n", text) if p.strip()]
    for p_index, paragraph in enumerate(paragraphs):
        sentences = _sentence_spans(paragraph)
        for s_index, sentence in enumerate(sentences):
            last = s_index == len(sentences) - 1
            end_kind = ("paragraph" if p_index < len(paragraphs) - 1 else "end") if last else "sentence"
            rest = sentence
            while rest:
                limit = first_max_chars if not chunks else max_chars
                if len(rest) <= 1 or fits(rest, limit):
                    head, rest, kind = rest, "", end_kind
                else:
                    whole = rest
                    head, rest, kind = _take(whole, limit, length)
                    short = kind == "clause" and len(head.split()) < MIN_HEAD_WORDS
                    if not chunks and (kind != "clause" or short) and limit < max_chars:
                        if fits(whole, min(max_chars, limit * 3 // 2)):
                            head, rest, kind = whole, "", end_kind  # short enough: no stumble for speed
                        elif kind in ("word", "hard") or short:
                            wider = min(max_chars, 2 * limit)
                            head, rest, kind = _take_soonest(whole, wider, length) or (head, rest, kind)
                    if not rest:
                        kind = end_kind
                if head:
                    chunks.append(Chunk(head, PAUSES[kind], _render_text(spoken(head), kind), kind))
    return chunks


def _render_text(spoken: str, kind: str) -> str:
    """The spoken form of a chunk as the voice gets it: a chunk that ends mid-sentence ends in a
    comma (a dash, semicolon or colon there becomes one; a phrase or word cut gets one)."""
    if kind not in ("clause", "phrase", "word", "hard"):
        return spoken
    stripped = re.sub(r"(?:\s*[,;:—–-]+)+$", "", spoken.rstrip())
    return stripped + ","


# -- the spoken form ------------------------------------------------------------------------------

_PHONEMES_VALUE = re.compile(r"^/(.+)/$", re.S)


def _lexicon_items(lexicon: Mapping[str, str] | Iterable[tuple[str, str]] | None) -> tuple[tuple[str, str], ...]:
    if not lexicon:
        return ()
    items = lexicon.items() if isinstance(lexicon, Mapping) else lexicon
    return tuple((str(k), str(v)) for k, v in items if str(k).strip())


@lru_cache(maxsize=64)
def _lexicon_pattern(entries: tuple[tuple[str, str], ...]) -> tuple[re.Pattern, dict[str, str]]:
    table: dict[str, str] = {}
    for key, value in entries:  # later entries win, as in a dict
        table[" ".join(key.lower().split())] = value
    keys = sorted(table, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(re.escape(part) for part in key.split()) for key in keys)
    return re.compile(r"(?<![\w])(?:" + alternatives + r")(?![\w])", re.IGNORECASE), table


def apply_lexicon(text: str, lexicon: Mapping[str, str] | Iterable[tuple[str, str]] | None) -> str:
    """``text`` with each lexicon entry applied: a word or phrase (matched case-insensitively, on
    word boundaries, whitespace inside a phrase matched loosely, the longest entry first) is
    replaced by its respelling, or, when the value is written ``/phonemes/``, marked
    ``[word](/phonemes/)`` so the phonemes reach the voice as they are (Kokoro: misaki's inline
    syntax, IPA as Kokoro's vocabulary has it; Piper: espeak IPA)."""
    entries = _lexicon_items(lexicon)
    if not entries:
        return text
    pattern, table = _lexicon_pattern(entries)

    def replace(m: re.Match) -> str:
        value = table[" ".join(m.group(0).lower().split())].strip()
        phonemes = _PHONEMES_VALUE.match(value)
        if phonemes:
            word = re.sub(r"[\[\]()]", "", m.group(0))
            symbols = re.sub(r"[/()\[\]]", "", phonemes.group(1)).strip()
            return f"[{word}](/{symbols}/)"
        return re.sub(r"[\[\]]", "", value)

    return outside_spans(text, lambda part: pattern.sub(replace, part))  # never inside an existing phoneme span


def spoken_form(text: str, lexicon: Mapping[str, str] | Iterable[tuple[str, str]] | None = None) -> str:
    """The text as it will be spoken: the lexicon applied (:func:`apply_lexicon`), then numbers,
    money, times, dates, units, symbols, abbreviations and addresses written as words
    (:func:`engines.tts.normalize.normalize`). "Dr. Smith paid $3.50" → "Doctor Smith paid three
    dollars and fifty cents"."""
    return normalize(apply_lexicon(text, lexicon))
