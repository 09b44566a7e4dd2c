"""Checked renders (studio/tts_check.py), per-user settings (studio/preferences.py) and the Text
to Speech page's check report: a real Studio on a temporary folder, the real Piper voice, the
real bundled Whisper tiny.en hearing it back."""
import json
import time

import numpy as np
import pytest

from engines.tts.common import TTSRequest
from engines.tts.text import split_chunks
from studio.errors import InvalidInput, NotFound
from studio.storage import make_key
from studio.tts_check import compare
from tests.conftest import open_app

TIMEOUT = 300
# Two sentences, two chunks for Piper. The dictionary gives "Tuesday" the phonemes of "banana" and
# "team" those of "elephant": wrong pronunciations a listener is sure to hear. (A made-up word is
# no good here: Piper may spell it out letter by letter, and Whisper then hears it written right.)
WRONG = "We meet on Tuesday at the library. Please welcome Anna to the team."
BANANA = "/bənˈænə/"
ELEPHANT = "/ˈɛləfənt/"
CLEAN = "Good morning, and thank you for calling."


def chunk_of(text: str, word: str, piper) -> int:
    """The index of the chunk Piper speaks ``word`` in."""
    chunks = split_chunks(text, first_max_chars=piper.first_chunk_chars)
    return next(i for i, c in enumerate(chunks) if word in c.text)


# -- the comparison ----------------------------------------------------------------------------------
@pytest.mark.parametrize("written, spoken, heard", [
    ("Dr. Smith paid $3.50 for coffee in 1969.",
     "Doctor Smith paid three dollars and fifty cents for coffee in nineteen sixty-nine.",
     " Dr. Smith paid $3.50 for coffee in 1969."),  # Whisper writes numbers as digits
    ("Siobhan read it.", "shiv awn read it.", " Siobhan read it."),  # a respelling said right
    ("Hello there.", "Hello there.", " Hello there. Thank you."),  # words heard that were never meant
    ("The well-known café opens at 7pm.", "The well-known café opens at seven PM.", " The well known cafe opens at 7 p.m."),
])
def test_what_was_meant_is_not_flagged(written, spoken, heard):
    assert compare(written, spoken, heard) == []


def test_spelling_variants_are_not_flagged_with_whispers_normaliser():
    pytest.importorskip("whisper_normalizer", reason="whisper-normalizer (requirements-bench.txt) is not installed")
    assert compare("The colour is grey.", "The colour is grey.", " The color is gray.") == []


@pytest.mark.parametrize("written, spoken, heard, expected", [
    ("We meet on Tuesday.", "We meet on [Tuesday](/bənˈænə/).", " We meet on banana.",
     [{"written": "Tuesday", "start": 11, "end": 18, "expected": "Tuesday", "heard": "banana"}]),
    ("It costs $3.50 today.", "It costs three dollars and fifty cents today.", " It costs three dollars today.",
     [{"written": "$3.50", "start": 9, "end": 14, "expected": "and fifty cents", "heard": ""}]),
    ("Please welcome Vrzlbthq, our guest.", "Please welcome Vrzlbthq, our guest.", " Please welcome VRCLBT HQ, our guest.",
     [{"written": "Vrzlbthq", "start": 15, "end": 23, "expected": "Vrzlbthq", "heard": "VRCLBT HQ"}]),
])
def test_a_word_heard_differently_names_its_written_word(written, spoken, heard, expected):
    assert compare(written, spoken, heard) == expected


# -- the engine hands over each chunk ----------------------------------------------------------------
def test_each_chunk_reaches_the_hook_in_order(piper):
    text = "First sentence here. Second one, a little longer than the first. Third!"
    seen = []
    request = piper.check(TTSRequest(text, "joe"))
    pieces = list(piper.run(request, on_chunk=lambda i, chunk, audio: seen.append((i, chunk, audio))))
    chunks = split_chunks(request.text, first_max_chars=piper.first_chunk_chars)
    assert [i for i, _, _ in seen] == list(range(len(chunks))) and len(chunks) == 3
    assert [c for _, c, _ in seen] == chunks
    for _, _, audio in seen:
        assert audio.sample_rate == piper.sample_rate and audio.duration > 0.3
        assert np.max(np.abs(audio.samples)) > 0.05
    # the chunks are the take, less the pauses between them
    assert sum(len(a.samples) for _, _, a in seen) < sum(len(p.samples) for p in pieces)


# -- a checked job ----------------------------------------------------------------------------------
def test_a_word_said_wrongly_is_flagged_with_its_chunk(studio, piper):
    studio.add_pronunciation("ann", "Tuesday", BANANA)
    studio.add_pronunciation("ann", "team", ELEPHANT)
    job_id, _ = studio.submit_tts("ann", WRONG, "joe", "piper", checked=True)
    row = studio.wait("ann", job_id, TIMEOUT)
    assert row["status"] == "completed", row["error"]  # mismatches never fail a job
    report = studio.check_report("ann", job_id)
    assert report["chunks"] == 2 and report["unchecked"] == [] and not report["truncated"]
    flagged = {m["written"]: m for m in report["mismatches"]}
    # Piper speaks with a little randomness: a neighbour may be misheard too, and the flagged
    # stretch is then e.g. "the team". The two words must each be in a stretch of their own.
    stretch = {word: next((w for w in flagged if word in w.split()), None) for word in ("Tuesday", "team")}
    assert None not in stretch.values() and stretch["Tuesday"] != stretch["team"], report
    tuesday = flagged[stretch["Tuesday"]]
    assert tuesday["chunk"] == chunk_of(WRONG, "Tuesday", piper) == 0
    assert WRONG[tuesday["start"]:tuesday["end"]] == stretch["Tuesday"]
    assert "Tuesday" in tuesday["expected"] and "banana" in tuesday["heard"].lower()
    team = flagged[stretch["team"]]
    assert team["chunk"] == chunk_of(WRONG, "team", piper) == 1
    assert WRONG[team["start"]:team["end"]] == stretch["team"]
    assert "team" in team["expected"] and "team" not in team["heard"].lower()
    # the report is the job's: stored with it, and nobody else's to read
    assert studio.job("ann", job_id)["params"]["check"] == report
    with pytest.raises(NotFound):
        studio.check_report("bob", job_id)


def test_a_clean_sentence_gives_an_empty_report_and_the_check_is_charged(studio):
    job_id, _ = studio.submit_tts("ann", CLEAN, "joe", "piper", checked=True)
    row = studio.wait("ann", job_id, TIMEOUT)
    assert row["status"] == "completed", row["error"]
    assert studio.check_report("ann", job_id) == {"chunks": 1, "mismatches": [], "unchecked": [], "truncated": False}
    plain, checked = studio.tts_price(len(CLEAN)), studio.tts_price(len(CLEAN), checked=True)
    assert checked == plain + studio.price("tts_check", characters=len(CLEAN)) > plain
    assert row["cost"] == checked and studio.balance("ann") == 10_000 - checked
    debits = studio.db().execute("SELECT COUNT(*) FROM ledger WHERE job_id = ?", [job_id]).fetchone()[0]
    assert debits == 1  # one charge, the check included


def test_a_job_that_was_not_checked_has_no_report(studio):
    job_id, _ = studio.submit_tts("ann", CLEAN, "joe", "piper")
    assert "checked" not in studio.job("ann", job_id)["params"]
    with pytest.raises(InvalidInput, match="This clip was not checked"):
        studio.check_report("ann", job_id)
    studio.cancel("ann", job_id)


def test_a_cancelled_checked_job_is_refunded_in_full(studio):
    text = " ".join(f"This is sentence number {n} of a long text to check." for n in range(1, 21))
    job_id, _ = studio.submit_tts("ann", text, "joe", "piper", checked=True)
    cost = studio.tts_price(len(text), checked=True)
    assert studio.balance("ann") == 10_000 - cost
    deadline = time.monotonic() + TIMEOUT
    while not studio.job("ann", job_id)["preview_key"] and time.monotonic() < deadline:
        time.sleep(0.05)  # its first part is out: it is speaking and checking
    assert studio.cancel("ann", job_id) is True
    assert studio.balance("ann") == 10_000
    deadline = time.monotonic() + TIMEOUT
    while studio.job("ann", job_id)["preview_key"] and time.monotonic() < deadline:
        time.sleep(0.05)  # the worker stopped and dropped its part
    row = studio.job("ann", job_id)
    assert row["status"] == "cancelled" and studio.check_report("ann", job_id) is None
    assert studio.balance("ann") == 10_000


def test_a_failed_checked_job_is_refunded_in_full(studio):
    # The user's tts folder in the audio store is a file: nothing of the job can be stored.
    blocked = studio.storage._path(make_key("ann", "tts", "0" * 32, "result")).parent.parent
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("in the way")
    job_id, _ = studio.submit_tts("ann", CLEAN, "joe", "piper", checked=True)
    row = studio.wait("ann", job_id, TIMEOUT)
    assert row["status"] == "failed" and "check" not in row["params"]
    assert studio.check_report("ann", job_id) is None
    assert studio.balance("ann") == 10_000
    refunds = studio.db().execute("SELECT COUNT(*) FROM ledger WHERE job_id = ? AND kind = 'refund'",
                                  [job_id]).fetchone()[0]
    assert refunds == 1


@pytest.mark.parametrize("checked, message", [
    ("yes", "checked must be true or false"),
    (1, "checked must be true or false"),
])
def test_a_bad_check_flag_is_refused_before_anything_is_charged(studio, checked, message):
    with pytest.raises(InvalidInput, match=message):
        studio.submit_tts("ann", CLEAN, "joe", "piper", checked=checked)
    assert studio.balance("ann") == 10_000 and studio.history("ann")[1] == 0


# -- settings remembered per user -------------------------------------------------------------------
def test_settings_are_remembered_per_user(studio):
    defaults = {"tts_speed": 1.0, "tts_pause": 1.0, "tts_checked": False}
    assert studio.preferences("ann") == defaults
    assert studio.remember("ann", tts_speed=1.2, tts_pause=1.5, tts_checked=True) == \
        {"tts_speed": 1.2, "tts_pause": 1.5, "tts_checked": True}
    assert studio.remember("ann", tts_pause=0.5)["tts_pause"] == 0.5  # one setting, the others kept
    assert studio.preferences("ann") == {"tts_speed": 1.2, "tts_pause": 0.5, "tts_checked": True}
    assert studio.preferences("bob") == defaults  # another user never sees them


@pytest.mark.parametrize("values, message", [
    ({"tts_speed": 2.5}, "tts_speed must be a number from 0.7 to 1.3, got 2.5"),
    ({"tts_pause": float("nan")}, "tts_pause must be a number from 0.5 to 2.0"),
    ({"tts_checked": "yes"}, "tts_checked must be true or false"),
    ({"tts_speed": True}, "tts_speed must be a number"),
    ({"volume": 3}, "There is no setting 'volume' to remember"),
])
def test_bad_settings_are_refused_and_nothing_is_stored(studio, values, message):
    with pytest.raises(InvalidInput, match=message):
        studio.remember("ann", **({"tts_pause": 1.5, "tts_checked": True} | values))
    assert studio.preferences("ann") == {"tts_speed": 1.0, "tts_pause": 1.0, "tts_checked": False}


def test_a_stored_value_that_is_no_longer_valid_reads_as_the_default(studio):
    studio.remember("ann", tts_speed=1.1, tts_pause=1.5)
    db = studio.db()
    with db.conn:
        db.execute("UPDATE preferences SET value = ? WHERE user_id = 'ann' AND name = 'tts_speed'", [json.dumps(9)])
        db.execute("UPDATE preferences SET value = 'not json' WHERE user_id = 'ann' AND name = 'tts_pause'")
    assert studio.preferences("ann") == {"tts_speed": 1.0, "tts_pause": 1.0, "tts_checked": False}


# -- the page ---------------------------------------------------------------------------------------
def test_the_page_checks_a_render_remembers_its_settings_and_adds_a_pronunciation(app_env):
    from ui import session, tts_check

    studio = session.studio()
    studio.add_pronunciation("local", "team", ELEPHANT)  # said wrongly: the check must flag it
    at = open_app(timeout=TIMEOUT)
    assert at.slider(key="tts_pause").value == 1.0 and at.slider(key="tts_pause").label == "Pause between sentences"
    checkbox = at.checkbox(key="tts_checked")
    assert checkbox.label == "Check the render with speech recognition" and checkbox.value is False
    at.radio(key="tts_engine").set_value("piper").run()
    at.text_area(key="tts_text").input(WRONG)
    at.slider(key="tts_pause").set_value(1.5)
    at.checkbox(key="tts_checked").check().run()
    price = studio.tts_price(len(WRONG), checked=True)
    assert any(f"costs {price:,} credits" in c.value and "for the check" in c.value for c in at.caption)
    at.button(key="tts_generate").click().run()
    assert not at.exception, at.exception
    job_id = at.session_state["tts_job"]
    assert studio.job("local", job_id)["params"]["pause"] == 1.5
    assert studio.preferences("local") == {"tts_speed": 1.0, "tts_pause": 1.5, "tts_checked": True}
    assert studio.wait("local", job_id, TIMEOUT)["status"] == "completed"
    time.sleep(1.2)  # run_every fragments do not tick in AppTest: rerun by hand
    at.run()
    assert not at.exception, at.exception
    assert "Speech check" in [h.value for h in at.subheader]
    report = studio.check_report("local", job_id)
    flagged = [m["written"] for m in tts_check.words(report["mismatches"])]
    # Piper speaks with a little randomness, so Whisper may also mishear a neighbour: the
    # mismatched stretch is then e.g. "the team"; it is the word that must be offered.
    i = next((k for k, written in enumerate(flagged) if "team" in written.split()), None)
    assert i is not None, report
    assert at.text_input(key=f"tts-check-word-{job_id}-{i}").value == flagged[i]
    at.text_input(key=f"tts-check-say-{job_id}-{i}").input("teem")
    at.button(key=f"tts-check-add-{job_id}-{i}").click().run()
    assert not at.exception, at.exception
    assert (flagged[i], "teem") in studio.pronunciations("local")
    # A new session starts from the remembered settings.
    again = open_app(timeout=TIMEOUT)
    assert again.slider(key="tts_pause").value == 1.5 and again.checkbox(key="tts_checked").value is True


def test_the_report_marks_each_mismatched_word_in_the_text_once():
    from ui.tts_check import highlighted, words

    text = "Meet <Vrzlbthq> on Tuesday & vrzlbthq."
    mismatches = [{"chunk": 0, "written": "Vrzlbthq", "start": 6, "end": 14, "expected": "Vrzlbthq", "heard": "BRZ"},
                  {"chunk": 1, "written": "vrzlbthq", "start": 30, "end": 38, "expected": "vrzlbthq", "heard": ""},
                  {"chunk": 1, "written": "Tuesday", "start": None, "end": None, "expected": "Tuesday", "heard": "x"}]
    out = highlighted(text, mismatches)
    assert out.count("<mark") == 2 and "&lt;<mark" in out and "&amp;" in out  # the text is escaped
    assert 'heard “nothing”' in out
    assert [m["written"] for m in words(mismatches)] == ["Vrzlbthq", "Tuesday"]
