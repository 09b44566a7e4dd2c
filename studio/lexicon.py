"""The pronunciation dictionary: words or phrases said another way, applied before synthesis.

An entry is a word or phrase and its pronunciation: a **respelling** (``Nguyen`` → ``win``) or
**phonemes** in IPA between slashes (``Nguyen`` → ``/wˈɪn/``). A word matches case-insensitively
on word boundaries (:func:`engines.tts.text.apply_lexicon`), so ``nguyen`` and ``Nguyen`` are one
entry (:func:`key`): adding it again replaces it.

**Scopes.** Each user has their own entries. In team mode (``settings.auth == "team"``) there is
also one team-wide dictionary that every signed-in user reads and edits; each entry records who
last edited it. What a user's speech gets (:func:`effective`) is the team's entries overridden by
the user's own for the same word. Each scope holds at most :data:`MAX_ENTRIES` entries, so the two
together stay within what a request takes (``engines.tts.common.LEXICON_MAX_ENTRIES``).

**Phonemes** are checked against the symbols the voices know (:data:`PHONEME_CHARS`: Kokoro's
vocabulary and the Piper voice's phoneme map); common ASCII stand-ins are turned into IPA
(``'`` → ``ˈ``, ``g`` → ``ɡ``, ``:`` → ``ː``), and CMU ARPAbet (``W IH1 N``) is converted to IPA.

**Files.** PLS (W3C Pronunciation Lexicon Specification 1.0, what ElevenLabs imports and
exports): ``<alias>`` ↔ a respelling, ``<phoneme>`` ↔ ``/phonemes/``; alphabet ``ipa`` or
``cmu-arpabet`` (converted to IPA: a fixed table of 39 symbols, with the stress digits put before
the vowel, where espeak-ng and misaki put them; refusing would turn away most dictionaries made
for ElevenLabs' English models). CSV with the header ``word,pronunciation`` (or
``grapheme,alias`` / ``grapheme,phoneme``), UTF-8 with or without a BOM. The XML parser refuses
entity declarations (billion laughs, external entities) and files over :data:`MAX_FILE_BYTES`.
An import is all or nothing: a file that cannot be read, or that would pass the limit, changes
nothing; entries that can be read but not used are skipped, each with its reason. An edit of many
entries at once (:func:`apply_rules`, the API's rules) is all or nothing too, with no skipping.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from xml.parsers import expat
from xml.sax.saxutils import escape

from engines.tts.common import LEXICON_MAX_ENTRIES
from studio.db import now, write
from studio.errors import InvalidInput, NotFound

WORD_MAX = 100  # characters of a word or phrase
PRONUNCIATION_MAX = 200  # characters of a respelling or of phonemes (a chunk is 300, Kokoro's context 510 phonemes)
MAX_ENTRIES = LEXICON_MAX_ENTRIES // 2  # per scope: a user's own and the team's together fit one request
MAX_FILE_BYTES = 2_000_000
TEAM = "team"
USER = "user"

PLS_NS = "http://www.w3.org/2005/01/pronunciation-lexicon"
XML_NS = "http://www.w3.org/XML/1998/namespace"
PLS_SCHEMA = "http://www.w3.org/TR/2007/CR-pronunciation-lexicon-20071212/pls.xsd"

# The phoneme symbols some voice reads: Kokoro's vocabulary (kokoro-onnx config.json, misaki's
# symbols included) and the bundled Piper voice's phoneme_id_map (espeak-ng IPA), less
# punctuation, digits and what the inline syntax ``[word](/phonemes/)`` uses. tests/test_lexicon.py
# checks every one against both tables.
PHONEME_CHARS = frozenset(
    " AIOQSTWYabcdefhijklmnopqrstuvwxyz"
    "æçðøħŋœǀǁǂǃɐɑɒɓɔɕɖɗɘəɚɛɜɞɟɠɡɢɣɤɥɦɧɨɪɫɬɭɮɯɰɱɲɳɴɵɶɸɹɺɻɽɾʀʁʂʃʄʈʉʊʋʌʍʎʏʐʑʒʔʕʘʙʛʜʝʟʡʢʣʤʥʦʧʨʰʲ"
    "ˈˌːˑ˞ˤ\u0327\u0329\u032a\u032f\u0303βεθχᵊᵝᵻⱱꭧ")
# What people type for IPA symbols they cannot reach, and marks the voices would misread.
_IPA_STAND_INS = {"'": "ˈ", "’": "ˈ", "ʼ": "ˈ", ":": "ː", "g": "ɡ", "ɝ": "ɜɹ", "ɚ\u02de": "ɚ",
                  "\u0361": "", "\u035c": "", ".": "", "‿": ""}

# CMU ARPAbet → IPA (General American, as espeak-ng writes it); AH and ER differ by stress.
ARPABET = {
    "AA": "ɑ", "AE": "æ", "AH": "ʌ", "AO": "ɔ", "AW": "aʊ", "AX": "ə", "AXR": "ɚ", "AY": "aɪ", "EH": "ɛ",
    "ER": "ɜɹ", "EY": "eɪ", "IH": "ɪ", "IX": "ɨ", "IY": "i", "OW": "oʊ", "OY": "ɔɪ", "UH": "ʊ", "UW": "u",
    "UX": "ʉ", "B": "b", "CH": "tʃ", "D": "d", "DH": "ð", "DX": "ɾ", "EL": "l̩", "EM": "m̩", "EN": "n̩", "F": "f",
    "G": "ɡ", "HH": "h", "H": "h", "JH": "dʒ", "K": "k", "L": "l", "M": "m", "N": "n", "NG": "ŋ", "NX": "ɾ̃",
    "P": "p", "Q": "ʔ", "R": "ɹ", "S": "s", "SH": "ʃ", "T": "t", "TH": "θ", "V": "v", "W": "w", "WH": "ʍ",
    "Y": "j", "Z": "z", "ZH": "ʒ",
}
_ARPABET_UNSTRESSED = {"AH": "ə", "ER": "ɚ"}
_ARPABET_VOWELS = {"AA", "AE", "AH", "AO", "AW", "AX", "AXR", "AY", "EH", "ER", "EY", "IH", "IX", "IY", "OW", "OY",
                   "UH", "UW", "UX"}
_ARPABET_TOKEN = re.compile(r"^([A-Za-z]{1,3})([012]?)$")
IPA_ALPHABETS = {"ipa", "x-ipa"}
ARPABET_ALPHABETS = {"cmu-arpabet", "x-cmu-arpabet", "arpabet", "cmu"}

WORD_HEADERS = ("word", "grapheme", "text", "phrase")
PRONUNCIATION_HEADERS = ("pronunciation", "alias", "phoneme", "phonemes", "respelling")


@dataclass(frozen=True)
class ImportReport:
    """What an import (or an edit, :func:`apply_rules`) did: entries added, replaced (the word was
    there with another pronunciation), unchanged (there with the same one), removed, and those
    skipped, each with why."""

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    skipped: tuple[str, ...] = ()
    removed: int = 0

    @property
    def summary(self) -> str:
        parts = [f"{self.added} added", f"{self.replaced} replaced"]
        if self.unchanged:
            parts.append(f"{self.unchanged} already there")
        if self.removed:
            parts.append(f"{self.removed} removed")
        parts.append(f"{len(self.skipped)} skipped")
        return ", ".join(parts) + "."


@dataclass
class _Read:
    """Entries read from a file, in order: (where, word, pronunciation), and what was skipped."""

    entries: list[tuple[str, str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


# -- the table -------------------------------------------------------------------------------------
def ensure_schema(db) -> None:
    db.execute("""CREATE TABLE IF NOT EXISTS lexicon (
        scope TEXT NOT NULL, owner TEXT NOT NULL, key TEXT NOT NULL, word TEXT NOT NULL,
        pronunciation TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL, PRIMARY KEY (scope, owner, key))""")


def _where(user_id: str, team: bool) -> tuple[str, str]:
    """(scope, owner) of the user's own entries, or of the team's."""
    return (TEAM, "") if team else (USER, user_id)


def _check_team(team: bool, team_mode: bool) -> None:
    if team and not team_mode:
        raise InvalidInput("team", "There is no team dictionary in single-user mode; add the entry to your own.")


# -- checks ----------------------------------------------------------------------------------------
def key(word: str) -> str:
    """What a word is matched by: lower case, whitespace collapsed (as apply_lexicon matches)."""
    return " ".join(word.lower().split())


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch)[0] == "C" for ch in text)


def check_word(word) -> str:
    """The word or phrase, whitespace tidied; InvalidInput("word") saying what is wrong."""
    if not isinstance(word, str):
        raise InvalidInput("word", f"The word must be text, got {type(word).__name__}.")
    word = " ".join(word.split())
    if not word:
        raise InvalidInput("word", "The word is empty. Type the word or phrase to say differently, e.g. Nguyen.")
    if len(word) > WORD_MAX:
        raise InvalidInput("word", f"The word or phrase {word[:30]!r}… is {len(word)} characters; "
                                   f"keep it to {WORD_MAX}.")
    if _has_control(word):
        raise InvalidInput("word", f"The word {word[:40]!r} contains invisible control characters. Type it again.")
    if not any(ch.isalnum() for ch in word):
        raise InvalidInput("word", f"The word {word!r} has no letters or digits; a voice matches words, "
                                   "not punctuation alone.")
    return word


def arpabet_to_ipa(text: str, word: str = "") -> str:
    """CMU ARPAbet (``T AH0 M EY1 T OW2``) as IPA (``təmˈeɪtˌoʊ``): the stress mark goes before the
    vowel, where espeak-ng and misaki put it. InvalidInput naming an unknown symbol."""
    out = []
    for token in text.replace(",", " ").split():
        match = _ARPABET_TOKEN.match(token)
        symbol = match[1].upper() if match else token
        if symbol not in ARPABET:
            raise InvalidInput("pronunciation", f"The ARPAbet pronunciation of {word[:40]!r} has {token[:12]!r}, "
                                                "which is not a CMU ARPAbet symbol (AA, AE, AH … ZH, with 0, 1 "
                                                "or 2 after a vowel for its stress).")
        stress = match[2]
        if stress and symbol not in _ARPABET_VOWELS:
            raise InvalidInput("pronunciation", f"The ARPAbet pronunciation of {word[:40]!r} puts a stress digit "
                                                f"on the consonant {token!r}; stress goes on vowels only.")
        ipa = _ARPABET_UNSTRESSED.get(symbol, ARPABET[symbol]) if stress == "0" else ARPABET[symbol]
        out.append({"1": "ˈ", "2": "ˌ"}.get(stress, "") + ipa)
    if not out:
        raise InvalidInput("pronunciation", f"The ARPAbet pronunciation of {word[:40]!r} is empty.")
    return "".join(out)


def phonemes(value: str, alphabet: str, word: str = "") -> str:
    """Phonemes written in ``alphabet`` (IPA, or CMU ARPAbet converted to IPA) as the studio writes
    them, between slashes, ready for :func:`check_pronunciation` (which checks the symbols); ""
    for none. InvalidInput("pronunciation") for another alphabet or an unknown ARPAbet symbol."""
    own = alphabet.strip().lower()
    value = " ".join(value.split())
    value = value.strip("/").strip() if value.startswith("/") and value.endswith("/") else value
    if own in ARPABET_ALPHABETS:
        value = arpabet_to_ipa(value, word)
    elif own not in IPA_ALPHABETS:
        raise InvalidInput("pronunciation", f"The phonemes of {word[:40]!r} are in the alphabet {own[:30]!r}; the "
                                            "studio reads IPA (alphabet \"ipa\") and CMU ARPAbet "
                                            "(alphabet \"cmu-arpabet\").")
    return f"/{value}/" if value else ""


def _looks_arpabet(text: str) -> bool:
    """Space-separated upper-case ARPAbet symbols (``W IH1 N``), more than one or with a stress digit:
    never IPA (misaki's capital symbols come one per vowel, without digits or spaces between)."""
    tokens = [re.fullmatch(r"([A-Z]{1,3})([012]?)", t) for t in text.split()]
    if not tokens or not all(t and t[1] in ARPABET for t in tokens):
        return False
    return len(tokens) > 1 or any(t[2] for t in tokens)


def _ipa(phonemes: str, word: str) -> str:
    """IPA phonemes with ASCII stand-ins replaced, checked against :data:`PHONEME_CHARS`."""
    text = phonemes
    for old, new in _IPA_STAND_INS.items():
        text = text.replace(old, new)
    out = []
    for ch in text:
        if ch in PHONEME_CHARS:
            out.append(ch)
            continue
        parts = unicodedata.normalize("NFD", ch)  # "ẽ" → "e" + a combining tilde, both known
        out.append(parts if all(p in PHONEME_CHARS for p in parts) else ch)
    text = " ".join("".join(out).split())
    unknown = sorted({ch for ch in text if ch not in PHONEME_CHARS})
    if unknown:
        shown = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in unknown[:6])
        raise InvalidInput("pronunciation", f"The phonemes of {word[:40]!r} use {shown}, which no voice here "
                                            "reads. Write IPA between slashes, e.g. /wˈɪn/, or CMU ARPAbet, "
                                            "e.g. /W IH1 N/; or give a respelling without slashes, e.g. win.")
    if not text:
        raise InvalidInput("pronunciation", f"The phonemes of {word[:40]!r} are empty. Write them between the "
                                            "slashes, e.g. /wˈɪn/.")
    return text


def check_pronunciation(pronunciation, word: str = "") -> str:
    """A respelling, or IPA phonemes written ``/…/`` (ARPAbet converted); InvalidInput("pronunciation")."""
    if not isinstance(pronunciation, str):
        raise InvalidInput("pronunciation", f"The pronunciation must be text, got {type(pronunciation).__name__}.")
    said = " ".join(pronunciation.split())
    if not said or said == "//":
        raise InvalidInput("pronunciation", f"The pronunciation of {word[:40]!r} is empty. Give a respelling "
                                            "(win) or phonemes between slashes (/wˈɪn/).")
    if len(said) > PRONUNCIATION_MAX:
        raise InvalidInput("pronunciation", f"The pronunciation of {word[:40]!r} is {len(said)} characters; "
                                            f"keep it to {PRONUNCIATION_MAX}.")
    if _has_control(said):
        raise InvalidInput("pronunciation", f"The pronunciation of {word[:40]!r} contains invisible control "
                                            "characters. Type it again.")
    opens, closes = said.startswith("/"), said.endswith("/") and len(said) > 1
    if opens != closes:
        raise InvalidInput("pronunciation", f"The pronunciation {said[:40]!r} of {word[:40]!r} has an unbalanced "
                                            "slash: write phonemes between two slashes (/wˈɪn/), or a respelling "
                                            "with none (win).")
    if not opens:
        if "/" in said:
            raise InvalidInput("pronunciation", f"The respelling {said[:40]!r} of {word[:40]!r} contains a slash: "
                                                "phonemes go between two slashes (/wˈɪn/), a respelling has none.")
        if not any(ch.isalnum() for ch in said):
            raise InvalidInput("pronunciation", f"The respelling {said!r} of {word[:40]!r} has no letters to say.")
        return said
    inner = said[1:-1].strip()
    if "/" in inner:
        raise InvalidInput("pronunciation", f"The phonemes {said[:40]!r} of {word[:40]!r} have more than two "
                                            "slashes: write one pronunciation, between one pair (/wˈɪn/).")
    if any(ch in inner for ch in "[]()"):
        raise InvalidInput("pronunciation", f"The phonemes {said[:40]!r} of {word[:40]!r} contain brackets or "
                                            "parentheses; leave them out (optional sounds cannot be marked).")
    if _looks_arpabet(inner):
        inner = arpabet_to_ipa(inner, word)
    return f"/{_ipa(inner, word)}/"


def check_entry(word, pronunciation) -> tuple[str, str]:
    word = check_word(word)
    return word, check_pronunciation(pronunciation, word)


def kind(pronunciation: str) -> str:
    """"phonemes" for ``/…/``, else "respelling"."""
    return "phonemes" if pronunciation.startswith("/") else "respelling"


# -- reading and writing entries -----------------------------------------------------------------
def _rows(db, scope: str, owner: str) -> list[dict]:
    return list(db.query("SELECT word, pronunciation, key, updated_by, updated_at FROM lexicon "
                         "WHERE scope = ? AND owner = ? ORDER BY key", [scope, owner]))


def entries(db, user_id: str, team_mode: bool = False) -> list[dict]:
    """The user's own entries, then (team mode) the team's, each sorted by word: dicts of word,
    pronunciation, kind, team (bool), updated_by, updated_at and, for a team entry, overridden
    (the user has their own for that word, which wins)."""
    ensure_schema(db)
    own = _rows(db, USER, user_id)
    mine = {r["key"] for r in own}
    out = [{**r, "kind": kind(r["pronunciation"]), "team": False, "overridden": False} for r in own]
    if team_mode:
        out += [{**r, "kind": kind(r["pronunciation"]), "team": True, "overridden": r["key"] in mine}
                for r in _rows(db, TEAM, "")]
    for row in out:
        row.pop("key")
    return out


def effective(db, user_id: str, team_mode: bool = False) -> tuple[tuple[str, str], ...]:
    """The (word, pronunciation) pairs the user's speech gets: the team's (team mode), overridden
    by the user's own for the same word."""
    ensure_schema(db)
    table: dict[str, tuple[str, str]] = {}
    if team_mode:
        table.update({r["key"]: (r["word"], r["pronunciation"]) for r in _rows(db, TEAM, "")})
    table.update({r["key"]: (r["word"], r["pronunciation"]) for r in _rows(db, USER, user_id)})
    return tuple(table.values())


def scope_pairs(db, user_id: str, scope: str = "effective", team_mode: bool = False) -> tuple[tuple[str, str], ...]:
    """(word, pronunciation) pairs of "own", "team" or "effective" (what the user's speech gets)."""
    if scope == "effective":
        return effective(db, user_id, team_mode)
    if scope not in ("own", "team"):
        raise InvalidInput("scope", f"Export own, team or effective entries, got {str(scope)[:20]!r}.")
    _check_team(scope == "team", team_mode)
    ensure_schema(db)
    return tuple((r["word"], r["pronunciation"]) for r in _rows(db, *_where(user_id, scope == "team")))


def _count(db, scope: str, owner: str) -> int:
    return db.execute("SELECT COUNT(*) FROM lexicon WHERE scope = ? AND owner = ?", [scope, owner]).fetchone()[0]


def _full(count: int, team: bool) -> InvalidInput:
    whose = "The team dictionary" if team else "Your dictionary"
    return InvalidInput("lexicon", f"{whose} would have {count:,} entries; the limit is {MAX_ENTRIES:,}. "
                                   "Delete entries you no longer need first.")


def upsert(db, user_id: str, word, pronunciation, team: bool = False, team_mode: bool = False) -> dict:
    """Add an entry, or replace the one for the same word (case-insensitive); returns it, with
    ``replaced``: the pronunciation it had before, or None."""
    _check_team(team, team_mode)
    word, said = check_entry(word, pronunciation)
    scope, owner = _where(user_id, team)
    ensure_schema(db)
    stamp = now()
    with write(db):
        before = db.execute("SELECT pronunciation FROM lexicon WHERE scope = ? AND owner = ? AND key = ?",
                            [scope, owner, key(word)]).fetchone()
        if before is None and _count(db, scope, owner) >= MAX_ENTRIES:
            raise _full(MAX_ENTRIES + 1, team)
        _put(db, scope, owner, word, said, user_id, stamp)
    return {"word": word, "pronunciation": said, "kind": kind(said), "team": team, "updated_by": user_id,
            "updated_at": stamp, "replaced": before[0] if before else None}


def _put(db, scope: str, owner: str, word: str, said: str, user_id: str, stamp: str) -> None:
    db.execute("INSERT INTO lexicon (scope, owner, key, word, pronunciation, created_at, updated_at, updated_by) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scope, owner, key) DO UPDATE SET "
               "word = excluded.word, pronunciation = excluded.pronunciation, updated_at = excluded.updated_at, "
               "updated_by = excluded.updated_by", [scope, owner, key(word), word, said, stamp, stamp, user_id])


def delete(db, user_id: str, word, team: bool = False, team_mode: bool = False) -> None:
    """Delete the entry for ``word`` (case-insensitive) from the user's own dictionary or the
    team's; NotFound when there is none."""
    _check_team(team, team_mode)
    scope, owner = _where(user_id, team)
    ensure_schema(db)
    with write(db):
        gone = db.execute("DELETE FROM lexicon WHERE scope = ? AND owner = ? AND key = ?",
                          [scope, owner, key(str(word or ""))]).rowcount
    if not gone:
        whose = "the team dictionary" if team else "your dictionary"
        raise NotFound(f"{str(word)[:60]!r} is not in {whose}.")


def store(db, user_id: str, read: _Read, team: bool = False, team_mode: bool = False) -> ImportReport:
    """Write what a file held into one scope, in one transaction: all of it, or (over the
    limit) none of it. Later duplicates of a word in the file are skipped."""
    _check_team(team, team_mode)
    scope, owner = _where(user_id, team)
    ensure_schema(db)
    skipped = list(read.skipped)
    wanted: dict[str, tuple[str, str, str]] = {}
    for where, word, said in read.entries:
        first = wanted.get(key(word))
        if first:
            same = "the same pronunciation" if first[2] == said else f"another pronunciation ({said[:40]})"
            skipped.append(f"{where}: {word[:40]!r} repeats {first[0]} ({first[1][:40]!r}) with {same}; "
                           "words match regardless of case, so the first is kept.")
            continue
        wanted[key(word)] = (where, word, said)
    added = replaced = unchanged = 0
    stamp = now()
    with write(db):
        have = {r["key"]: r["pronunciation"] for r in _rows(db, scope, owner)}
        new = [k for k in wanted if k not in have]
        if len(have) + len(new) > MAX_ENTRIES:
            raise _full(len(have) + len(new), team)
        for k, (_, word, said) in wanted.items():
            if k not in have:
                added += 1
            elif have[k] == said:
                unchanged += 1
                continue
            else:
                replaced += 1
            _put(db, scope, owner, word, said, user_id, stamp)
    return ImportReport(added, replaced, unchanged, tuple(skipped))


def apply_rules(db, user_id: str, upserts=(), removals=(), replace_all: bool = False, team: bool = False,
                team_mode: bool = False) -> ImportReport:
    """Edit one scope in one transaction, all or nothing: remove the words in ``removals`` (those
    not there are ignored), and add ``upserts``, (where, word, pronunciation) triples as a file's
    entries are, each replacing the entry for its word (a later one for the same word wins); with
    ``replace_all`` the scope then holds exactly ``upserts``. An entry that fails
    :func:`check_entry` raises its InvalidInput led by its ``where``, and a result over
    :data:`MAX_ENTRIES` the limit's; either way nothing changes."""
    _check_team(team, team_mode)
    scope, owner = _where(user_id, team)
    wanted: dict[str, tuple[str, str]] = {}
    for where, word, pronunciation in upserts:
        try:
            word, said = check_entry(word, pronunciation)
        except InvalidInput as error:
            raise InvalidInput(error.field, f"{where}: {error}") from None
        wanted[key(word)] = (word, said)
    gone = {key(str(word)) for word in removals}
    ensure_schema(db)
    added = replaced = unchanged = 0
    stamp = now()
    with write(db):
        have = {r["key"]: (r["word"], r["pronunciation"]) for r in _rows(db, scope, owner)}
        drop = (set(have) if replace_all else gone & set(have)) - set(wanted)
        count = len(have) - len(drop) + sum(1 for k in wanted if k not in have)
        if count > MAX_ENTRIES:
            raise _full(count, team)
        db.conn.executemany("DELETE FROM lexicon WHERE scope = ? AND owner = ? AND key = ?",
                            [(scope, owner, k) for k in sorted(drop)])
        for k, (word, said) in wanted.items():
            before = have.get(k)
            if before is None:
                added += 1
            elif before[1] == said:
                unchanged += 1
            else:
                replaced += 1
            if before != (word, said):  # the same pronunciation may come with the word in another case
                _put(db, scope, owner, word, said, user_id, stamp)
    return ImportReport(added, replaced, unchanged, removed=len(drop))


# -- files -------------------------------------------------------------------------------------------
def _check_size(data: bytes, what: str) -> bytes:
    if not isinstance(data, (bytes, bytearray)):
        raise InvalidInput("file", f"The {what} file must be bytes, got {type(data).__name__}.")
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput("file", f"The {what} file is {len(data) / 1e6:.1f} MB; the limit is "
                                   f"{MAX_FILE_BYTES / 1e6:.0f} MB ({MAX_ENTRIES:,} entries). Split it.")
    if not data.strip():
        raise InvalidInput("file", f"The {what} file is empty.")
    return bytes(data)


def _add(read: _Read, where: str, word: str, pronunciation: str) -> None:
    """Check one entry read from a file: kept, or skipped with the reason."""
    try:
        word, said = check_entry(word, pronunciation)
    except InvalidInput as error:
        read.skipped.append(f"{where}: {error}")
    else:
        read.entries.append((where, word, said))


class _Refused(Exception):
    """An XML construct the studio does not read (an entity declaration)."""


def _parse_xml(data: bytes):
    """The document as an ElementTree element, parsed by expat with entity declarations refused
    (no billion laughs, no external entities, no DTD fetched)."""
    from xml.etree.ElementTree import TreeBuilder

    builder = TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")

    def name(tag: str) -> str:
        return "{" + tag if "}" in tag else tag

    def refuse(*_args):
        raise _Refused()

    parser.StartElementHandler = lambda tag, attrs: builder.start(name(tag), {name(k): v for k, v in attrs.items()})
    parser.EndElementHandler = lambda tag: builder.end(name(tag))
    parser.CharacterDataHandler = builder.data
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except _Refused:
        raise InvalidInput("file", "The PLS file declares XML entities (<!ENTITY …>), which the studio does not "
                                   "read: they can expand without end or read other files. Remove the <!DOCTYPE> "
                                   "block and write the text out.") from None
    except expat.ExpatError as error:
        raise InvalidInput("file", f"The file is not well-formed XML: {expat.ErrorString(error.code)} at line "
                                   f"{error.lineno}, column {error.offset + 1}. Check it in an XML editor, or "
                                   "export it again.") from None
    return builder.close()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def read_pls(data: bytes) -> _Read:
    """The entries of a PLS lexicon: each ``<lexeme>``'s graphemes with its preferred (else first)
    ``<alias>`` or ``<phoneme>`` (IPA, or ARPAbet converted to IPA)."""
    root = _parse_xml(_check_size(data, "PLS"))
    if _local(root.tag) != "lexicon" or "}" in root.tag and root.tag[1:].split("}")[0] != PLS_NS:
        raise InvalidInput("file", f"This XML is not a PLS lexicon: its root is <{_local(root.tag)}>, expected "
                                   f"<lexicon xmlns=\"{PLS_NS}\">.")
    alphabet = (root.get("alphabet") or "ipa").strip().lower()
    read = _Read()
    lexemes = [e for e in root if _local(e.tag) == "lexeme"]
    if not lexemes:
        raise InvalidInput("file", "The PLS lexicon has no <lexeme> entries.")
    for number, lexeme in enumerate(lexemes, 1):
        where = f"lexeme {number}"
        graphemes = [_text(e) for e in lexeme if _local(e.tag) == "grapheme" and _text(e)]
        said = [e for e in lexeme if _local(e.tag) in ("alias", "phoneme")]
        if not graphemes:
            read.skipped.append(f"{where}: it has no <grapheme> (the word to match).")
            continue
        where = f"{where} ({graphemes[0][:40]!r})"
        if not said:
            read.skipped.append(f"{where}: it has no <alias> or <phoneme>.")
            continue
        chosen = next((e for e in said if (e.get("prefer") or "").strip().lower() == "true"), said[0])
        value = _text(chosen)
        if _local(chosen.tag) == "phoneme":
            try:
                value = phonemes(value, chosen.get("alphabet") or alphabet, graphemes[0])
            except InvalidInput as error:
                read.skipped.append(f"{where}: {error}")
                continue
        for grapheme in graphemes:
            _add(read, where, grapheme, value)
    return read


def write_pls(pairs, lang: str = "en-US") -> bytes:
    """A PLS 1.0 lexicon (alphabet IPA) of (word, pronunciation) pairs: ``<alias>`` for a
    respelling, ``<phoneme>`` for phonemes — the form ElevenLabs imports."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<lexicon version="1.0" xmlns="{PLS_NS}"',
             '      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
             f'      xsi:schemaLocation="{PLS_NS} {PLS_SCHEMA}"',
             f'      alphabet="ipa" xml:lang="{escape(lang)}">']
    for word, said in pairs:
        tag, value = ("phoneme", said[1:-1]) if kind(said) == "phonemes" else ("alias", said)
        lines += ["  <lexeme>", f"    <grapheme>{escape(word)}</grapheme>", f"    <{tag}>{escape(value)}</{tag}>",
                  "  </lexeme>"]
    lines.append("</lexicon>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def read_csv(data: bytes) -> _Read:
    """The entries of a CSV file whose first row is ``word,pronunciation`` (or ``grapheme,alias``
    / ``grapheme,phoneme``; a semicolon or a tab may separate the columns)."""
    data = _check_size(data, "CSV")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise InvalidInput("file", f"The CSV file is not UTF-8 text (line {line}). Save it as “CSV UTF-8” and "
                                   "try again.") from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1  # the line the record being read starts on (a quoted value may span lines)
    try:
        header = next(rows, [])
        columns = [h.strip().lower().lstrip("\ufeff") for h in header]
        word_col = next((columns.index(h) for h in WORD_HEADERS if h in columns), None)
        said_cols = [(columns.index(h), h) for h in PRONUNCIATION_HEADERS if h in columns]
        if word_col is None or not said_cols:
            raise InvalidInput("file", f"Row 1 of the CSV file must be the header word,pronunciation (or "
                                       f"grapheme,alias or grapheme,phoneme); got {delimiter.join(header)[:60]!r}.")
        read = _Read()
        start = rows.line_num + 1
        for row in rows:
            where = f"row {start}"
            if not any(cell.strip() for cell in row):
                start = rows.line_num + 1
                continue
            if len(row) > len(columns):
                raise InvalidInput("file", f"Row {start} of the CSV file has {len(row)} columns; the header "
                                           f"has {len(columns)}. Put quotes around a value that contains "
                                           f"{'a comma' if delimiter == ',' else 'the separator'}: {row[:4]}.")
            cells = row + [""] * (len(columns) - len(row))
            word = cells[word_col].strip()
            for col, name in said_cols:
                value = cells[col].strip()
                if value:
                    if name.startswith("phoneme") and not value.startswith("/"):
                        value = f"/{value}/"
                    break
            else:
                value = ""
            _add(read, f"{where} ({word[:40]!r})" if word else where, word, value)
            start = rows.line_num + 1
    except csv.Error as error:
        raise InvalidInput("file", f"Row {start} of the CSV file cannot be read: {error}. Check its quotes: a "
                                   "value with a quote inside is written \"like \"\"this\"\"\".") from None
    if not read.entries and not read.skipped:
        raise InvalidInput("file", "The CSV file has a header but no entries.")
    return read


def write_csv(pairs) -> bytes:
    """CSV with the header ``word,pronunciation`` (phonemes between slashes), UTF-8 with a BOM so
    spreadsheets show IPA as it is."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["word", "pronunciation"])
    writer.writerows(pairs)
    return out.getvalue().encode("utf-8-sig")


def read_file(data: bytes, filename: str | None) -> _Read:
    """A PLS (.pls, .xml) or CSV (.csv) file's entries; the format is told from the name, else
    from the content."""
    name = (filename or "").lower()
    if name.endswith((".pls", ".xml")):
        return read_pls(data)
    if name.endswith((".csv", ".txt", ".tsv")):
        return read_csv(data)
    if name and "." in name:
        raise InvalidInput("file", f"{filename[:60]!r} is neither a PLS lexicon (.pls, .xml) nor a CSV file (.csv).")
    head = bytes(data[:200]).lstrip(b"\xef\xbb\xbf \t\r\n")
    return read_pls(data) if head.startswith(b"<") else read_csv(data)


def import_pls(db, user_id: str, data: bytes, team: bool = False, team_mode: bool = False) -> ImportReport:
    return store(db, user_id, read_pls(data), team, team_mode)


def import_csv(db, user_id: str, data: bytes, team: bool = False, team_mode: bool = False) -> ImportReport:
    return store(db, user_id, read_csv(data), team, team_mode)


def export_pls(db, user_id: str, scope: str = "effective", team_mode: bool = False) -> bytes:
    return write_pls(scope_pairs(db, user_id, scope, team_mode))


def export_csv(db, user_id: str, scope: str = "effective", team_mode: bool = False) -> bytes:
    return write_csv(scope_pairs(db, user_id, scope, team_mode))
