"""Local and S3 storage; S3 against a real SeaweedFS server on 127.0.0.1."""
import urllib.error
import urllib.request
from dataclasses import replace

import pytest

from studio import storage
from studio.config import StorageSettings
from studio.core import Studio
from studio.errors import NotFound, StorageUnavailable
from tests.test_jobs import spec

KEY = storage.make_key("alice", "tts", "0" * 32, "result")


def test_keys_are_generated_per_user_and_service():
    assert KEY.startswith(storage.user_prefix("alice") + "/tts/")
    assert storage.owns("alice", KEY) and not storage.owns("bob", KEY)
    assert storage.user_prefix("alice") != storage.user_prefix("Alice")


@pytest.mark.parametrize("key", [
    "../../etc/passwd", "u/0123456789abcdef/tts/" + "0" * 32 + "/../../x.wav", "/abs/path.wav",
    "u/0123456789abcdef/other/" + "0" * 32 + "/result.wav", "", None, "u/0123456789abcdef/tts/" + "0" * 32 + "/My Song.wav",
])
def test_hostile_keys_are_refused(tmp_path, key):
    store = storage.LocalStorage(tmp_path)
    with pytest.raises(NotFound):
        store.get(key)
    with pytest.raises(NotFound):
        store.put(key, b"x")


def test_local_round_trip_and_delete(tmp_path):
    store = storage.LocalStorage(tmp_path)
    store.put(KEY, b"RIFFdata")
    assert store.get(KEY) == b"RIFFdata"
    assert store.playback_url(KEY) is None
    store.delete(KEY)
    with pytest.raises(NotFound):
        store.get(KEY)
    assert not any(tmp_path.rglob("*.wav"))


def test_local_storage_unwritable_gives_an_actionable_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageUnavailable, match="Check that the data folder exists"):
        storage.LocalStorage(blocker).put(KEY, b"x")


def test_s3_round_trip_and_presigned_playback(s3_settings):
    store = storage.S3Storage(s3_settings.storage)
    store.put(KEY, b"RIFF-bytes-for-s3")
    assert store.get(KEY) == b"RIFF-bytes-for-s3"
    url = store.playback_url(KEY)
    assert "X-Amz-Signature" in url and "X-Amz-Expires=300" in url
    with urllib.request.urlopen(url, timeout=10) as response:  # what the browser does
        assert response.read() == b"RIFF-bytes-for-s3"
    tampered = url.replace(KEY, storage.make_key("bob", "tts", "0" * 32, "result"))
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(tampered, timeout=10)
    assert info.value.code == 403
    store.delete(KEY)
    with pytest.raises(NotFound):
        store.get(KEY)


def test_s3_wrong_credentials_are_reported(s3_settings):
    bad = replace(s3_settings.storage, secret_key="wrong")
    with pytest.raises(StorageUnavailable, match="Check that the S3 server is running") as info:
        storage.S3Storage(bad).put(KEY, b"x")
    for secret in (s3_settings.storage.endpoint_url, "127.0.0.1", bad.access_key, "wrong"):
        assert secret not in str(info.value)  # messages never show endpoints or keys


def test_studio_on_s3_keeps_history_and_deletes_objects(s3_settings):
    studio = Studio(s3_settings)
    job_id = studio.submit("alice", spec())
    row = studio.wait("alice", job_id, timeout=60)
    assert row["status"] == "completed", row["error"]
    url = studio.playback_url("alice", job_id)
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read(4) == b"RIFF"
    studio.delete("alice", job_id)
    with pytest.raises(NotFound):
        studio.storage.get(row["result_key"])
    assert studio.history("alice")[1] == 0
    studio.shutdown()


def test_delete_while_storage_is_down_hides_the_entry_and_the_sweep_finishes_it(s3_settings):
    studio = Studio(s3_settings)
    job_id = studio.submit("alice", spec())
    key = studio.wait("alice", job_id, timeout=60)["result_key"]
    working = studio.storage
    studio.storage = storage.S3Storage(replace(s3_settings.storage, endpoint_url="http://127.0.0.1:9"))
    assert studio.delete("alice", job_id) is False  # marked, not finished
    assert studio.history("alice")[1] == 0  # hidden at once
    with pytest.raises(NotFound):
        studio.job("alice", job_id)
    assert working.get(key)[:4] == b"RIFF"  # nothing deleted yet: the row still points at it
    assert studio.db().execute("SELECT deleting_at FROM jobs WHERE id = ?", [job_id]).fetchone()[0]
    studio.storage = working
    report = studio.sweep()
    assert report.deletions_finished == 1 and report.deletions_pending == 0
    with pytest.raises(NotFound):
        working.get(key)
    assert studio.db().execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == 0
    studio.shutdown()


def test_sweep_removes_orphans_and_stale_previews_but_not_live_objects(settings):
    import time

    from studio import db as database

    studio = Studio(settings, sweep_at_start=False)
    done = studio.submit("alice", spec())
    studio.wait("alice", done, timeout=60)
    orphan = storage.make_key("alice", "tts", "f" * 32, "result")  # a crash between write and record
    studio.storage.put(orphan, b"RIFF-orphan")
    stale = storage.make_key("alice", "tts", done, "preview")  # a preview its ended job still names
    studio.storage.put(stale, b"RIFF-preview")
    database.transact(studio.db(), lambda d: d.execute("UPDATE jobs SET preview_key = ? WHERE id = ?", [stale, done]))
    part = studio.storage.root / "u" / "stray.part"
    part.write_bytes(b"half a file")
    young = studio.sweep()  # everything just written: orphans are left for a while (a write may be in flight)
    assert young.orphans_removed == 0 and young.orphans_too_young == 1 and young.previews_removed == 1
    time.sleep(0.05)
    report = studio.sweep(min_age=0)
    assert report.orphans_removed == 1 and report.partial_writes_removed == 1
    assert not part.exists()
    for key in (orphan, stale):
        with pytest.raises(NotFound):
            studio.storage.get(key)
    assert studio.job("alice", done)["preview_key"] is None
    assert studio.audio("alice", done)[:4] == b"RIFF"  # the finished job's own audio is untouched
    studio.shutdown()
