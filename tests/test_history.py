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


def test_filter_by_voice_across_speech_and_conversions(studio):
    def made(service, params, title):
        s = spec(title=title)
        s.service, s.params = service, params
        job_id = studio.submit("alice", s)
        studio.wait("alice", job_id, timeout=60)
        return job_id

    spoken = made("tts", {"voice": "af_heart", "speed": 1.0}, "spoken by Heart")
    converted = made("vc", {"target": "kokoro:af_heart", "target_name": "Heart", "mode": "world"}, "into Heart")
    made("tts", {"voice": "bm_george"}, "spoken by George")
    mine = made("vc", {"target": "sample:" + "e" * 32, "target_name": "My voice"}, "into my sample")
    assert [r["id"] for r in studio.history("alice", voice="af_heart")[0]] == [converted, spoken]
    assert [r["id"] for r in studio.history("alice", voice="af_heart", service="tts")[0]] == [spoken]
    assert [r["id"] for r in studio.history("alice", voice="sample:" + "e" * 32)[0]] == [mine]
    assert dict(studio.history_voices("alice")) == {"af_heart": "Heart", "bm_george": "bm_george",
                                                    "sample:" + "e" * 32: "My voice"}
    assert studio.history_voices("bob") == []


def test_a_local_storage_failure_during_delete_hides_the_entry_and_the_sweep_finishes(studio, tmp_path):
    from studio.storage import LocalStorage

    job_id = make(studio, "alice", "to delete")
    key = studio.job("alice", job_id)["result_key"]
    working = studio.storage
    broken = tmp_path / "not-a-folder"
    broken.write_text("a file where the audio folder should be")
    studio.storage = LocalStorage(broken)  # every delete fails with "not a directory"
    assert studio.delete("alice", job_id) is False
    assert studio.history("alice")[1] == 0
    with pytest.raises(NotFound):
        studio.delete("alice", job_id)  # already on its way out
    assert working.get(key)[:4] == b"RIFF"
    studio.storage = working
    assert studio.sweep().deletions_finished == 1
    with pytest.raises(NotFound):
        working.get(key)


def test_a_cancelled_job_drops_its_preview(studio):
    import threading
    import time

    from audiokit.errors import Cancelled

    ready = threading.Event()

    def run(ctx):
        ctx.partial(tone(0.3))
        ready.set()
        while not ctx.should_stop():
            time.sleep(0.01)
        raise Cancelled()

    job_id = studio.submit("alice", spec(run=run))
    assert ready.wait(30)
    preview = studio.job("alice", job_id)["preview_key"]
    assert preview and studio.storage.get(preview)[:4] == b"RIFF"
    assert studio.cancel("alice", job_id)
    deadline = time.monotonic() + 30
    while studio.job("alice", job_id)["preview_key"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert studio.job("alice", job_id)["preview_key"] is None
    with pytest.raises(NotFound):
        studio.storage.get(preview)
    assert studio.balance("alice") == 10_000
