"""Voice changer jobs through the real queue: charged once, refunded on failure, bad input
free; voice samples are private to their owner."""
import io

import numpy as np
import pytest
import soundfile as sf

from audiokit import codec
from engines import registry
from studio.errors import InvalidInput, NotFound, UnsupportedAudio
from tests import vc_helpers as h

START = 10_000


@pytest.fixture
def refs(studio):
    h.seed_references(studio.settings.data_dir)  # the reference clip, as a second run finds it
    return studio


def _wav(samples, rate=24_000) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, samples, rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def test_a_conversion_is_charged_stored_and_playable(refs):
    studio = refs
    source = h.speech_path("vm-intro").read_bytes()
    job_id = studio.submit_vc("alice", source, "vm-intro.wav", f"kokoro:{h.TARGET_VOICE}", "world", pitch_shift=1.0)
    row = studio.wait("alice", job_id, timeout=300)
    assert row["status"] == "completed", row["error"]
    seconds = row["params"]["source_seconds"]
    assert row["cost"] == studio.price("vc", seconds=seconds) == 50 + int(np.ceil(seconds))
    assert studio.balance("alice") == START - row["cost"]
    result = codec.read_wav(studio.audio("alice", job_id))
    original = codec.read_wav(studio.audio("alice", job_id, which="source"))
    assert result.sample_rate == original.sample_rate == 24_000
    assert result.duration == pytest.approx(original.duration, abs=0.05) == pytest.approx(seconds, abs=0.05)
    assert row["title"] == "vm-intro.wav → Michael (Voice conversion (WORLD))"
    assert "vm-intro" not in row["source_key"] and "/vc/" in row["source_key"]  # generated keys
    assert row["params"]["pitch_shift"] == 1.0 and row["params"]["mode"] == "world"


def test_a_failed_conversion_is_refunded(refs):
    """A target sample with no voiced speech passes the upload checks and fails in the worker."""
    studio = refs
    noise = (0.1 * np.random.default_rng(0).standard_normal(24_000 * 4)).astype(np.float32)
    sample = studio.add_sample("alice", _wav(noise), "hiss.wav", "Hiss")
    job_id = studio.submit_vc("alice", h.speech_path("vm-goodbye").read_bytes(), "bye.wav", f"sample:{sample['id']}")
    row = studio.wait("alice", job_id, timeout=300)
    assert row["status"] == "failed"
    assert "Too little voiced speech in the target voice" in row["error"]
    assert studio.balance("alice") == START
    with pytest.raises(NotFound):
        studio.audio("alice", job_id)


@pytest.mark.parametrize("change, error, message", [
    ({"mode": "karaoke"}, InvalidInput, "Unknown mode 'karaoke'"),
    ({"target": "kokoro:zz_nobody"}, InvalidInput, "Unknown stock voice 'zz_nobody'"),
    ({"target": "af_heart"}, InvalidInput, "Pick a target voice"),
    ({"target": "sample:" + "0" * 32}, NotFound, "No such voice sample"),
    ({"strength": 2.0}, InvalidInput, "Strength must be between 0 and 1"),
    ({"pitch_shift": -13}, InvalidInput, "between -12 and 12"),
    ({"source": b"not audio at all, just words"}, UnsupportedAudio, "not an audio file"),
    ({"source": b""}, UnsupportedAudio, "is empty"),
    ({"mode": "revoice", "target": "kokoro:af_heart", "keep_pitch": True}, InvalidInput, "apply to WORLD mode"),
    ({"mode": "seed"}, InvalidInput, "Seed-VC (neural, optional) is not available on this server"),
])
def test_bad_requests_cost_nothing(studio, change, error, message):
    args = {"source": h.speech_path("vm-goodbye").read_bytes(), "target": "kokoro:af_heart", "mode": "world"}
    args.update(change)
    if args["mode"] == "seed" and registry.get("seed_vc").probe() is None:
        pytest.skip("Seed-VC is installed here")
    source, target, mode = args.pop("source"), args.pop("target"), args.pop("mode")
    with pytest.raises(error) as raised:
        studio.submit_vc("alice", source, "clip.wav", target, mode, **args)
    assert message in str(raised.value)
    assert studio.balance("alice") == START
    assert studio.history("alice")[1] == 0


def test_voice_samples_belong_to_their_owner(studio):
    clip = h.speech_path("vm-intro").read_bytes()
    mine = studio.add_sample("alice", clip, "me.wav", "  My   voice ")
    assert mine["name"] == "My voice" and mine["duration"] == pytest.approx(5.65, abs=0.05)
    assert [s["id"] for s in studio.samples("alice")] == [mine["id"]]
    assert codec.read_wav(studio.sample_wav("alice", mine["id"])).sample_rate == 24_000
    # Bob cannot see, play, use or delete it; he is told it does not exist.
    assert studio.samples("bob") == []
    for attempt in (lambda: studio.sample_wav("bob", mine["id"]),
                    lambda: studio.delete_sample("bob", mine["id"]),
                    lambda: studio.submit_vc("bob", clip, "x.wav", f"sample:{mine['id']}")):
        with pytest.raises(NotFound, match="No such voice sample"):
            attempt()
    assert studio.balance("bob") == START
    studio.delete_sample("alice", mine["id"])
    assert studio.samples("alice") == []
    with pytest.raises(NotFound):
        studio.sample_wav("alice", mine["id"])


@pytest.mark.parametrize("data, name, message", [
    (None, "", "Give the voice sample a name"),
    (None, "x" * 61, "keep it to 60"),
    ("short", "Short", "record at least 3 s"),
    ("../../etc", "Bad id", None),
])
def test_bad_voice_samples_are_refused(studio, data, name, message):
    if data == "../../etc":
        with pytest.raises(NotFound):
            studio.sample_wav("alice", "../../etc/passwd")
        return
    clip = h.speech_path("vm-goodbye" if data == "short" else "vm-intro").read_bytes()
    with pytest.raises((InvalidInput, UnsupportedAudio), match=message):
        studio.add_sample("alice", clip, "clip.wav", name)
    assert studio.samples("alice") == []
