import pytest

from audiokit.errors import InvalidInput
from engines.tts.text import MAX_CHARS, PAUSE_PARAGRAPH, clean_text, split_chunks


@pytest.mark.parametrize(
    "raw, message",
    [
        ("", "The text is empty"),
        ("   \n\t  ", "The text is empty"),
        (None, "The text is empty"),
        ("x" * (MAX_CHARS + 1), "10,001 characters; the limit is 10,000"),
        ("😀🎉 !!! ...", "no words to speak"),
        ("\x00\x07\x1b", "no words to speak"),
    ],
)
def test_bad_text_is_rejected_with_a_clear_message(raw, message):
    with pytest.raises(InvalidInput, match=message) as info:
        clean_text(raw)
    assert info.value.field == "text"


def test_control_characters_and_emoji_are_removed_and_reported():
    cleaned = clean_text("Hello\x00 world 😀. It\x1bs “fine”\u00a0now.")
    assert cleaned.text == 'Hello world. Its "fine" now.'
    assert any("control character" in n for n in cleaned.notices)
    assert any("emoji" in n for n in cleaned.notices)


def test_clean_text_at_exactly_the_limit_is_accepted():
    assert len(clean_text("a" * MAX_CHARS).text) == MAX_CHARS


def test_sentences_keep_abbreviations_and_decimals_together():
    text = "Dr. Smith paid $3.50 on Jan. 3rd. The U.S. team won! Did it? Yes."
    chunks = split_chunks(text, max_chars=30, first_max_chars=30)
    joined = [c.text for c in chunks]
    assert "Dr. Smith paid $3.50 on Jan." in joined[0]
    assert all(len(c) <= 30 for c in joined)
    assert " ".join(joined) == text


def test_first_chunk_is_short_and_later_chunks_pack_sentences():
    text = ("This opening sentence is rather long, much longer than the first chunk allows, so it is cut. "
            + "Then many short sentences follow. " * 10).strip()
    chunks = split_chunks(text, max_chars=120, first_max_chars=60)
    assert len(chunks[0].text) <= 60
    assert all(len(c.text) <= 120 for c in chunks)
    assert max(len(c.text) for c in chunks[1:]) > 60  # later chunks are packed, not one sentence each
    # nothing is lost or reordered
    assert " ".join(c.text for c in chunks).split() == text.split()


def test_pauses_follow_punctuation_and_paragraphs():
    chunks = split_chunks("First paragraph ends here.\n\nSecond one, with a clause.", max_chars=30, first_max_chars=30)
    assert chunks[0].pause_after == PAUSE_PARAGRAPH
    assert chunks[-1].pause_after == 0.0


def test_a_word_longer_than_the_limit_is_still_split():
    chunks = split_chunks("a" * 500, max_chars=200, first_max_chars=60)
    assert "".join(c.text for c in chunks) == "a" * 500
    assert all(len(c.text) <= 200 for c in chunks)


def test_spoken_form_expands_abbreviations_only_as_whole_words():
    from engines.tts.text import spoken_form

    assert spoken_form("Dr. Smith met Mrs. Jones on Jan. 5th, e.g. at noon.") == \
        "Doctor Smith met Missus Jones on January 5th, for example at noon."
    assert spoken_form("Drive to the Dr.Who shop. No. 5 vs. No") == "Drive to the Dr.Who shop. number 5 versus No"
