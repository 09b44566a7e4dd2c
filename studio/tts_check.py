"""Checked renders: each chunk of a take heard back by the bundled Whisper and compared with what
it was meant to say, so words a voice says wrongly can be found and given a pronunciation.

A chunk's *expected* words are its spoken form, what the voice was given (the lexicon applied,
numbers and abbreviations written out; a ``[word](/phonemes/)`` span counts as its word). What
Whisper hears is put in the same form (:func:`engines.tts.normalize.normalize`: "$3.50" → "three
dollars and fifty cents"); both are cut into words (lower case, punctuation dropped) and aligned
with difflib. A stretch that differs is a mismatch unless it reads the same after Whisper's own
English normaliser (``whisper_normalizer``, when installed: "colour"/"color", "ok"/"okay"), or
what was heard is the written word itself (a respelling said right). Words heard that were never
meant (Whisper's inventions) are not counted; words meant and not heard are (heard: "").

Each mismatch names the written words of the text it belongs to (and their character span in
the text), what was expected, what was heard, and its chunk. A check that cannot run on a chunk
leaves that chunk unchecked; it never fails the take.
"""
from __future__ import annotations

import difflib
import functools
import logging
import re
from typing import Callable

from audiokit import Audio, Cancel
from engines import whisper
from engines.contract import stop_if
from engines.tts.normalize import normalize
from engines.tts.text import Chunk

log = logging.getLogger(__name__)

MAX_MISMATCHES = 200  # a report lists at most this many (a text read wholly wrong says so once)
_SPAN = re.compile(r"\[([^\]\n]+)\]\(/[^)\n]*/\)")  # a pronunciation given as phonemes: [word](/…/)
_TOKEN = re.compile(r"[^\s\-‐‑–—/]+")  # words; hyphens, dashes and slashes separate them
_EDGE = ".,;:!?\"'()[]{}<>…«»¿¡*_“”‘’"  # punctuation at a word's edges, not part of it


def _key(word: str) -> str:
    return re.sub(r"[^\w']|_", "", word.lower()).strip("'")


def _tokens(text: str) -> list[tuple[str, str, int, int]]:
    """The words of ``text`` as (key, word, start, end): the key for matching, the word without
    the punctuation at its edges, and the word's span in ``text``. Words with no letter or digit
    are left out."""
    out = []
    for m in _TOKEN.finditer(text):
        raw = m.group(0)
        word = raw.strip(_EDGE)
        key = _key(word)
        if key:
            start = m.start() + (len(raw) - len(raw.lstrip(_EDGE)))
            out.append((key, word, start, start + len(word)))
    return out


@functools.lru_cache(maxsize=1)
def _whisper_normalizer() -> Callable[[str], str] | None:
    try:
        from whisper_normalizer.english import EnglishTextNormalizer
    except ImportError:
        return None
    return EnglishTextNormalizer()


def _canon(text: str) -> str:
    """``text`` reduced for a lenient comparison: Whisper's English normaliser when installed,
    then only the letters and digits, lower case."""
    norm = _whisper_normalizer()
    if norm is not None:
        try:
            text = norm(text)
        except Exception:  # a normaliser's bug must not stop the check
            log.debug("whisper normaliser failed on %r", text[:80], exc_info=True)
    return re.sub(r"[\W_]", "", text.lower())


def _spoken(heard: str) -> str:
    """What Whisper wrote, in the spoken form the voice was given ("$25" → "twenty-five dollars")."""
    try:
        return normalize(heard)
    except Exception:  # normalize is for the studio's own texts; a transcript must not break it
        log.debug("could not normalise the transcript %r", heard[:80], exc_info=True)
        return heard


def _written_spans(expected: list[str], written: list[str]) -> list[tuple[int, int]]:
    """For each expected word, the first and last written word it stands for (indices into
    ``written``): words that match are paired, a stretch that was rewritten ("$3.50" → "three
    dollars and fifty cents") stands for the whole written stretch, and a word with no written
    counterpart belongs to the written word before it."""
    spans = [(0, 0)] * len(expected)
    matcher = difflib.SequenceMatcher(a=expected, b=written, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for i in range(i1, i2):
            if tag == "equal":
                spans[i] = (j1 + i - i1, j1 + i - i1)
            elif tag == "replace":
                spans[i] = (j1, j2 - 1)
            else:  # "delete": said, never written (a word the normaliser added)
                near = min(max(j1 - 1, 0), max(len(written) - 1, 0))
                spans[i] = (near, near)
    return spans


def compare(written: str, spoken: str, heard: str) -> list[dict]:
    """The mismatches between what a chunk meant to say and what was heard in it.

    ``written`` is the chunk as written, ``spoken`` its spoken form (phoneme spans allowed),
    ``heard`` the transcript. Each mismatch: ``written`` (the written words it belongs to),
    ``start``/``end`` (their span in ``written``), ``expected`` and ``heard``."""
    expected = _tokens(_SPAN.sub(lambda m: m.group(1), spoken))
    got = _tokens(_spoken(heard))
    words = _tokens(written)
    matcher = difflib.SequenceMatcher(a=[t[0] for t in expected], b=[t[0] for t in got], autojunk=False)
    regions = [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag in ("replace", "delete")]
    if not regions:
        return []
    spans = _written_spans([t[0] for t in expected], [t[0] for t in words])
    found: list[dict] = []
    for i1, i2, j1, j2 in regions:
        said = " ".join(t[1] for t in expected[i1:i2])
        heard_words = " ".join(t[1] for t in got[j1:j2])
        if words:
            first, last = min(spans[i][0] for i in range(i1, i2)), max(spans[i][1] for i in range(i1, i2))
            start, end = words[first][2], words[last][3]
        else:
            start, end = 0, len(written)
        text = written[start:end]
        heard_canon = _canon(heard_words)
        if heard_canon and heard_canon in (_canon(said), _canon(text)):
            continue  # the same after normalising ("colour"/"color"), or the written word itself
        if found and (found[-1]["start"], found[-1]["end"]) == (start, end):  # one written word, two stretches
            found[-1]["expected"] += " " + said
            found[-1]["heard"] = " ".join(x for x in (found[-1]["heard"], heard_words) if x)
            continue
        found.append({"written": text, "start": start, "end": end, "expected": said, "heard": heard_words})
    return found


class Checker:
    """Hears each chunk of one take back and collects the mismatches, for the take's report.

    Hand :meth:`add` to the engine as its ``on_chunk`` hook (it only keeps the chunk); call
    :meth:`check_pending` when the engine has handed over its audio (so the first audio is not
    held back by the check); :meth:`report` is what the job stores."""

    def __init__(self, text: str, transcribe: Callable[[Audio], str] = whisper.transcribe):
        self.text = text
        self._transcribe = transcribe
        self._pending: list[tuple[int, Chunk, Audio]] = []
        self._at = 0  # where the next chunk is looked for in the text
        self.chunks = 0
        self.mismatches: list[dict] = []
        self.unchecked: list[int] = []
        self.truncated = False

    def add(self, index: int, chunk: Chunk, audio: Audio) -> None:
        self._pending.append((index, chunk, audio))

    def check_pending(self, cancel: Cancel | None = None) -> None:
        """Hear back the chunks kept since the last call; Cancelled between chunks once ``cancel()``."""
        pending, self._pending = self._pending, []
        for index, chunk, audio in pending:
            stop_if(cancel)
            self._check(index, chunk, audio)

    def _locate(self, chunk: Chunk) -> int | None:
        """Where ``chunk`` starts in the text (chunks are slices of it, in order), or None."""
        at = self.text.find(chunk.text, self._at)
        if at < 0:
            return None
        self._at = at + len(chunk.text)
        return at

    def _check(self, index: int, chunk: Chunk, audio: Audio) -> None:
        self.chunks += 1
        offset = self._locate(chunk)
        try:
            heard = self._transcribe(audio)
            found = compare(chunk.text, chunk.render_text, heard)
        except Exception as error:  # the check is a service on top of the take: it never fails it
            log.warning("chunk %d could not be checked: %s", index, error, exc_info=True)
            self.unchecked.append(index)
            return
        for mismatch in found:
            if len(self.mismatches) >= MAX_MISMATCHES:
                self.truncated = True
                return
            if offset is None:
                mismatch["start"] = mismatch["end"] = None
            else:
                mismatch["start"] += offset
                mismatch["end"] += offset
            self.mismatches.append({"chunk": index, **mismatch})

    def report(self) -> dict:
        """``chunks`` (how many were checked or tried), ``mismatches`` (each with ``chunk``,
        ``written``, ``start``/``end`` in the text or None, ``expected``, ``heard``), ``unchecked``
        (chunks whose check could not run) and ``truncated`` (more than :data:`MAX_MISMATCHES`)."""
        self.check_pending()
        return {"chunks": self.chunks, "mismatches": list(self.mismatches), "unchecked": list(self.unchecked),
                "truncated": self.truncated}
