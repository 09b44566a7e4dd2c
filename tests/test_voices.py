"""Saved voices through a real Studio (SQLite file, local storage, the real Kokoro): the designer,
a clone as a job (progress, credits, consent, Cancel), the stored tensor, speaking with the
voice, isolation between users, sharing in team mode, deletion."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from audiokit import codec
from engines import registry, speaker
from studio.errors import InvalidInput, NotFound, StudioError
from tests.test_clone import STOCK, prompts, wav

MIX = {"af_heart": 2, "am_michael": 1}


@pytest.fixture(scope="module")
def cloner(kokoro):
    if speaker.probe():
        pytest.skip(f"speaker encoder: {speaker.probe()}")
    from engines.clone.kokoro_clone import KokoroCloneEngine

    engine = KokoroCloneEngine(kokoro=kokoro, stock=STOCK).load()
    engine.prepare()
    return engine


def _studio(settings, cloner=None):
    from studio.core import Studio

    def load(engine_id: str):  # the cloner with a small stock table (its registry line comes with integration)
        if engine_id == "kokoro_clone":
            if cloner is None:
                pytest.skip("no cloner")
            return cloner
        return registry.load(engine_id)

    return Studio(settings, load_engine=load, sweep_at_start=False)


@pytest.fixture(autouse=True)
def short_previews(monkeypatch):
    """A short preview sentence: each saved voice renders one, and the CPU is shared."""
    from studio import voices

    monkeypatch.setattr(voices, "PREVIEW_TEXT", "Hello, this is my voice.")


@pytest.fixture
def studio(settings, cloner):
    s = _studio(settings, cloner)
    yield s
    s.shutdown()


@pytest.fixture
def team(settings, cloner):
    s = _studio(replace(settings, auth="team", allow_registration=True), cloner)
    yield s
    s.shutdown()


def _style_object(studio, user, voice_id):
    from studio import voices

    row = voices.get_voice(studio, user, voice_id)
    return voices.style_from_bytes(studio.storage.get(row["style_key"]))


# -- the designer ----------------------------------------------------------------------------
def test_a_designed_voice_is_saved_listed_and_speaks(studio, whisper):
    from engines import whisper as asr
    from studio import voices

    before = studio.balance("ann")
    voice = voices.create_designed_voice(studio, "ann", "  Warm   narrator ", MIX, speed=1.1)
    assert voice["id"].startswith("custom:") and len(voice["id"]) == len("custom:") + 32
    assert voice["name"] == "Warm narrator" and voice["kind"] == "design" and voice["mine"]
    assert voice["recipe"]["design"]["weights"] == [round(2 / 3, 4), round(1 / 3, 4)]
    assert studio.balance("ann") == before  # designing is free
    assert [v["id"] for v in voices.voices_of(studio, "ann")] == [voice["id"]]

    style = _style_object(studio, "ann", voice["id"])
    assert style.shape == (510, 1, 256) and style.dtype == np.float32 and np.all(np.isfinite(style))
    preview = codec.read_wav(voices.preview_wav(studio, "ann", voice["id"]))
    assert preview.duration > 1 and np.max(np.abs(preview.samples)) > 0.1

    audio = voices.speak(studio, "ann", voice["id"], "The garden is green in the spring.")
    assert audio.sample_rate == 24_000
    heard = asr.transcribe(audio, whisper=whisper).lower()
    assert "garden" in heard and "spring" in heard


def test_the_designer_preview_is_free_and_unsaved(studio):
    from studio import voices

    data = voices.preview_design(studio, {"bf_emma": 1, "bm_george": 1}, 0.9, "Good morning.")
    assert codec.read_wav(data).duration > 0.5
    assert voices.voices_of(studio, "ann") == []


@pytest.mark.parametrize("name, mix, speed, message", [
    ("", MIX, 1.0, "Give the voice a name"),
    ("x" * 61, MIX, 1.0, "keep it to 60"),
    ("One", {"af_heart": 1}, 1.0, "Blend 2–4"),
    ("Two", {"af_heart": 1, "zz_nobody": 1}, 1.0, "Unknown voice"),
    ("Fast", MIX, 2.0, "Speed must be"),
])
def test_bad_designs_are_refused_before_anything_is_saved(studio, name, mix, speed, message):
    from studio import voices

    with pytest.raises(InvalidInput, match=message):
        voices.create_designed_voice(studio, "ann", name, mix, speed)
    assert voices.voices_of(studio, "ann") == []


# -- owners ---------------------------------------------------------------------------------
def test_voices_are_private_to_their_owner_and_deleted_whole(studio):
    from studio import voices

    voice = voices.create_designed_voice(studio, "ann", "Mine", MIX)
    row = voices.get_voice(studio, "ann", voice["id"])
    assert voices.voices_of(studio, "bob") == []
    for call in (lambda: voices.voice_style(studio, "bob", voice["id"]),
                 lambda: voices.preview_wav(studio, "bob", voice["id"]),
                 lambda: voices.delete_voice(studio, "bob", voice["id"]),
                 lambda: voices.rename_voice(studio, "bob", voice["id"], "Stolen")):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(NotFound):
        voices.voice_style(studio, "ann", "custom:" + "0" * 32)
    with pytest.raises(NotFound):
        voices.voice_style(studio, "ann", "custom:../../etc")

    voices.delete_voice(studio, "ann", voice["id"])
    assert voices.voices_of(studio, "ann") == []
    for key in (row["style_key"], row["preview_key"]):
        with pytest.raises(NotFound):
            studio.storage.get(key)
    with pytest.raises(NotFound):
        voices.delete_voice(studio, "ann", voice["id"])


def test_sharing_is_for_team_mode(studio):
    from studio import voices

    voice = voices.create_designed_voice(studio, "ann", "Mine", MIX)
    with pytest.raises(InvalidInput, match="team mode"):
        voices.set_shared(studio, "ann", voice["id"], True)


def test_a_shared_voice_is_usable_by_the_team_but_changed_by_its_owner_only(team):
    from studio import voices

    voice = voices.create_designed_voice(team, "ann", "Team voice", MIX)
    assert voices.voices_of(team, "bob") == []
    shared = voices.set_shared(team, "ann", voice["id"], True)
    assert shared["shared"]
    seen = voices.voices_of(team, "bob")
    assert [(v["id"], v["mine"], v["owner"]) for v in seen] == [(voice["id"], False, "ann")]
    assert voices.voice_style(team, "bob", voice["id"]).style.shape == (510, 1, 256)
    with pytest.raises(NotFound):
        voices.delete_voice(team, "bob", voice["id"])
    with pytest.raises(NotFound):
        voices.set_shared(team, "bob", voice["id"], False)
    voices.set_shared(team, "ann", voice["id"], False)
    assert voices.voices_of(team, "bob") == []
    with pytest.raises(NotFound):
        voices.voice_style(team, "bob", voice["id"])


# -- cloning as a job -------------------------------------------------------------------------
def test_cloning_needs_consent_and_charges_nothing_without_it(studio):
    from studio import voices

    x, rate = prompts(20)
    before = studio.balance("ann")
    with pytest.raises(InvalidInput, match="right to clone") as error:
        voices.submit_clone(studio, "ann", wav(x, rate), "me.wav", "Me", "quick", consent=False)
    assert error.value.field == "consent"
    assert studio.balance("ann") == before
    assert studio.history("ann")[1] == 0


def test_a_bad_clip_is_refused_before_any_charge(studio):
    from audiokit.errors import UnsupportedAudio
    from studio import voices

    before = studio.balance("ann")
    with pytest.raises(UnsupportedAudio, match="only"):
        voices.submit_clone(studio, "ann", wav(*prompts(3)), "short.wav", "Me", "quick", consent=True)
    assert studio.balance("ann") == before


def test_a_clone_job_saves_a_voice_with_consent_and_costs_its_budget(studio):
    from studio import voices

    x, rate = prompts(20)
    before = studio.balance("ann")
    price = voices.clone_price(studio.settings, "quick")
    job_id = voices.submit_clone(studio, "ann", wav(x, rate), "me.wav", "My clone", "quick", consent=True,
                                 max_seconds=10)
    assert studio.balance("ann") == before - price
    row = studio.wait("ann", job_id, timeout=600)
    assert row["status"] == "completed", row["error"]
    assert row["service"] == "voices" and row["params"]["budget"] == "quick"
    listed = voices.voices_of(studio, "ann")
    assert [v["id"] for v in listed] == [row["params"]["voice"]]
    voice = listed[0]
    assert voice["kind"] == "clone" and voice["consent"] == voices.CONSENT and voice["consent_at"]
    assert voice["recipe"]["clone"]["budget"] == "quick"
    style = _style_object(studio, "ann", voice["id"])
    assert style.shape == (510, 1, 256) and np.all(np.isfinite(style))
    take = codec.read_wav(studio.audio("ann", job_id))  # the job's result is the voice's preview
    assert take.duration > 2
    assert codec.read_wav(studio.audio("ann", job_id, which="source")).duration > 15  # the clip, kept with the job
    assert voices.voices_of(studio, "bob") == []
    # the job can leave the history; the voice stays
    studio.delete("ann", job_id)
    assert [v["id"] for v in voices.voices_of(studio, "ann")] == [voice["id"]]


def test_a_cancelled_clone_is_refunded_and_leaves_no_voice(studio):
    from studio import voices

    x, rate = prompts(20)
    before = studio.balance("ann")
    job_id = voices.submit_clone(studio, "ann", wav(x, rate), "me.wav", "Cancelled", "quick", consent=True,
                                 max_seconds=60)
    assert studio.cancel("ann", job_id)
    row = studio.wait("ann", job_id, timeout=300)
    assert row["status"] == "cancelled"
    assert studio.balance("ann") == before
    assert voices.voices_of(studio, "ann") == []


def test_a_clone_cancelled_after_its_voice_was_written_leaves_no_voice_even_when_its_entry_is_deleted(
        studio, monkeypatch):
    """The race: the voice is saved, then the job is cancelled (refunded) before it completes.
    Deleting that history entry at once must not turn the refunded voice into a usable one."""
    from studio import voices

    saved = voices._save

    def save_then_cancel(studio_, user_id, *args):
        saved(studio_, user_id, *args)
        studio_.cancel(user_id, args[-1])  # the job id is _save's last argument

    monkeypatch.setattr(voices, "_save", save_then_cancel)
    x, rate = prompts(20)
    before = studio.balance("ann")
    job_id = voices.submit_clone(studio, "ann", wav(x, rate), "me.wav", "Raced", "quick", consent=True,
                                 max_seconds=10)
    assert studio.wait("ann", job_id, timeout=600)["status"] == "cancelled"
    assert studio.balance("ann") == before
    studio.delete("ann", job_id)  # before anything lists the voices
    assert voices.voices_of(studio, "ann") == []


def test_budgets_have_prices(studio):
    from studio import voices

    prices = voices.clone_prices(studio.settings)
    assert list(prices) == ["quick", "standard", "thorough"]
    assert prices["quick"][1] < prices["standard"][1] < prices["thorough"][1]
    with pytest.raises(StudioError):
        voices.clone_price(studio.settings, "forever")


# -- using a voice elsewhere --------------------------------------------------------------------
def test_a_saved_voice_speaks_through_a_text_to_speech_job(studio, whisper):
    """Studio.submit_tts takes a saved voice id like a stock one: the voice's own engine and
    speed, through the real queue, charged like any TTS job, and private to its owner."""
    from engines import whisper as asr
    from studio import voices

    voice = voices.create_designed_voice(studio, "ann", "Narrator", {"bf_emma": 1, "bm_george": 1}, speed=0.9)
    engine, speed = voices.tts_engine(studio, "ann", voice["id"])
    assert speed == 0.9 and engine.voices()[0].accent == "British"
    before = studio.balance("ann")
    job_id, _ = studio.submit_tts("ann", "Please call me back after lunch.", voice["id"])
    row = studio.wait("ann", job_id, timeout=300)
    assert row["status"] == "completed", row["error"]
    assert row["params"]["voice"] == voice["id"] and row["params"]["speed"] == 0.9
    assert studio.balance("ann") < before
    heard = asr.transcribe(codec.read_wav(studio.audio("ann", job_id)), whisper=whisper).lower()
    assert "call" in heard and "lunch" in heard
    with pytest.raises(NotFound):
        studio.submit_tts("bob", "Not my voice to use.", voice["id"])
    assert studio.balance("bob") == studio.settings.starting_credits


def test_the_sweep_keeps_saved_voices(studio):
    from studio import voices

    voice = voices.create_designed_voice(studio, "ann", "Kept", MIX)
    studio.sweep(min_age=0)
    voices.voice_style(studio, "ann", voice["id"])
    assert voices.preview_wav(studio, "ann", voice["id"])
