"""The benchmark's own judges, on cases built by hand: a judge that misplaces what it measures
grades the studio for its own mistake."""
from bench.bench_tts_quality import bad_split, split_time


def test_the_split_is_found_where_the_head_ends_in_the_sentence_spoken_whole():
    times = [("NASA", 0.0, 0.4), ("said", 0.4, 0.7), ("the", 0.7, 0.8), ("probe,", 0.8, 1.2), ("launched", 1.3, 1.7),
             ("in", 1.7, 1.8), ("1977,", 1.8, 2.6), ("is", 2.9, 3.0), ("now", 3.0, 3.2)]
    head = "NASA said the probe, launched in nineteen seventy-seven,".split()
    rest = "is now more than fifteen billion miles".split()
    # Whisper writes the year in digits: the next piece's first word is found instead, and the
    # measure ends where it starts (not at the 8th word by count, "is", which ends 0.4 s later)
    assert split_time(times, head, rest) == 2.9
    spelled = [*times[:6], ("nineteen", 1.8, 2.1), ("seventy-seven,", 2.1, 2.6), *times[7:]]
    assert split_time(spelled, head, rest) == 2.6  # the head's own last word, when heard as written
    assert split_time(times[:6], head, ["whatever"]) is None  # nothing heard there: no measure


def test_a_final_fall_is_a_fall_beyond_the_same_words_unsplit():
    split = {"kind": "clause", "fall_split": 4.0, "fall_unsplit": 1.0}
    assert bad_split(split) and not bad_split({**split, "fall_unsplit": 2.0})
    assert not bad_split({**split, "fall_split": -1.0, "fall_unsplit": -5.0})  # a rise is never a final fall
    assert bad_split({"kind": "other", "fall_split": None, "fall_unsplit": None})  # not at a pause at all
