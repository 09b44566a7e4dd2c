import pytest

from studio.errors import InvalidInput, NotFound
from tests.test_jobs import spec, tone


def make(studio, user, title, service="tts"):
    s = spec(title=title)
    s.service = service
    job_id = studio.submit(user, s)
    studio.wait(user, job_id, timeout=60)
    return job_id


def test_newest_first_paginated_searchable_and_filtered(studio):
    ids = [make(studio, "alice", f"clip number {i}") for i in range(7)]
    sfx = make(studio, "alice", "rain on a tin roof 100%", service="sfx")
    make(studio, "bob", "clip number 3")
    rows, total = studio.history("alice", per_page=3)
    assert total == 8 and [r["id"] for r in rows] == [sfx, ids[6], ids[5]]
    rows, _ = studio.history("alice", page=3, per_page=3)
    assert [r["id"] for r in rows] == [ids[1], ids[0]]
    assert [r["id"] for r in studio.history("alice", query="NUMBER 3")[0]] == [ids[3]]
    assert [r["id"] for r in studio.history("alice", service="sfx")[0]] == [sfx]
    assert studio.history("alice", query="100%")[1] == 1  # % is literal, not a wildcard
    assert studio.history("alice", query="_")[1] == 0
    assert studio.history("alice", query="x" * 10_000)[1] == 0  # huge query: no error, no match


@pytest.mark.parametrize("kwargs, message", [
    ({"service": "video"}, "Unknown service"),
    ({"page": 0}, "Page must be 1 or more"),
    ({"per_page": 1000}, "Page size must be 1–100"),
])
def test_bad_history_filters(studio, kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        studio.history("alice", **kwargs)


def test_download_wav_and_mp3_and_delete(studio):
    import io

    import soundfile as sf

    job_id = make(studio, "alice", "a tone")
    wav = studio.audio("alice", job_id, "wav")
    mp3 = studio.audio("alice", job_id, "mp3")
    samples, rate = sf.read(io.BytesIO(mp3))
    assert rate == 16000 and abs(len(samples) / rate - 0.5) < 0.1
    assert sf.info(io.BytesIO(wav)).format == "WAV"
    with pytest.raises(InvalidInput, match="wav or mp3"):
        studio.audio("alice", job_id, "exe")
    key = studio.job("alice", job_id)["result_key"]
    studio.delete("alice", job_id)
    with pytest.raises(NotFound):
        studio.job("alice", job_id)
    with pytest.raises(NotFound):
        studio.storage.get(key)


def test_a_running_job_cannot_be_deleted(studio):
    import threading

    release = threading.Event()

    def run(ctx):
        release.wait(30)
        return [tone()]

    s = spec(run=run)
    job_id = studio.submit("alice", s)
    with pytest.raises(InvalidInput, match="Cancel it first"):
        studio.delete("alice", job_id)
    release.set()
    studio.wait("alice", job_id, timeout=60)
