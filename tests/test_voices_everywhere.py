"""Saved voices wherever a stock voice is: the voice changer's targets (re-voice speaks with the
voice's style, WORLD converts towards its reference clip), the HTTP API (the official openai and
elevenlabs clients against the real server), history and credits like any job; and nobody
else's saved voice, anywhere (NotFound, before anything is charged)."""
from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf

from audiokit import Audio, codec
from engines import registry, speaker
from studio.errors import NotFound
from tests import vc_helpers as h

MIX = {"af_heart": 2, "am_michael": 1}
LOW_MIX = {"am_michael": 1, "am_adam": 1}  # a low voice: the source speaker is female


@pytest.fixture(autouse=True)
def short_previews(monkeypatch):
    """A short preview sentence: each saved voice renders one, and the CPU is shared."""
    from studio import voices

    monkeypatch.setattr(voices, "PREVIEW_TEXT", "Hello, this is my voice.")


def _source() -> bytes:
    return h.speech_path("vm-intro").read_bytes()


# -- the voice changer ---------------------------------------------------------------------------
def test_a_saved_voice_is_a_revoice_target_charged_and_in_history(studio, whisper):
    voice = studio.create_designed_voice("ann", "Narrator", MIX)
    assert (voice["id"], "Narrator · my voice") in studio.saved_targets("ann")
    before = studio.balance("ann")
    job_id = studio.submit_vc("ann", _source(), "vm-intro.wav", voice["id"], "revoice")
    row = studio.wait("ann", job_id, timeout=600)
    assert row["status"] == "completed", row["error"]
    assert row["params"]["target"] == voice["id"] and row["params"]["target_name"] == "Narrator"
    assert row["title"] == "vm-intro.wav → Narrator (Re-voice (transcribe and speak))"
    assert row["cost"] == studio.price("vc", seconds=row["params"]["source_seconds"])
    assert studio.balance("ann") == before - row["cost"]

    out = codec.read_wav(studio.audio("ann", job_id))
    source = h.speech("vm-intro")
    assert out.sample_rate == 24_000 and out.duration == pytest.approx(source.duration, rel=0.15)
    said, heard = h.transcribe(whisper, source), h.transcribe(whisper, out)
    assert len(h.words(said)) >= 5 and h.wer(said, heard) <= 0.3, (said, heard)

    rows, total = studio.history("ann", voice=voice["id"])
    assert total == 1 and rows[0]["id"] == job_id
    assert (voice["id"], "Narrator") in studio.history_voices("ann")


def test_a_saved_voice_is_a_world_target_through_its_cached_reference(studio):
    from studio import vc, voices

    voice = studio.create_designed_voice("ann", "Low", LOW_MIX)
    job_id = studio.submit_vc("ann", _source(), "vm-intro.wav", voice["id"], "world")
    row = studio.wait("ann", job_id, timeout=600)
    assert row["status"] == "completed", row["error"]
    out = codec.read_wav(studio.audio("ann", job_id))
    assert out.duration == pytest.approx(row["params"]["source_seconds"], abs=0.05)
    assert np.sqrt(np.mean(out.samples**2)) > 0.02

    custom = voices.voice_style(studio, "ann", voice["id"])
    path = vc.custom_reference_path(studio.settings.data_dir, custom)
    assert path.exists() and path.name.startswith(f"custom-{voice['id'][7:]}-")
    reference = codec.read_wav(path.read_bytes())
    assert reference.duration > 8  # the Harvard sentences, in the saved voice
    goal, before, after = h.median_f0(reference), h.median_f0(h.speech("vm-intro")), h.median_f0(out)
    assert goal < 150 < before and abs(np.log(after / goal)) < np.log(1.25), (before, after, goal)

    stamp = path.stat().st_mtime_ns
    assert studio.vc_target("ann", voice["id"]).reference.duration == pytest.approx(reference.duration)
    assert path.stat().st_mtime_ns == stamp  # read from disk, not rendered again

    studio.delete_voice("ann", voice["id"])  # the sweep (this one, or the queue's every minute) drops its clip
    assert studio.sweep(min_age=3600).references_removed <= 1 and not path.exists()


def test_nobody_else_can_convert_into_a_saved_voice(studio):
    voice = studio.create_designed_voice("ann", "Mine", MIX)
    assert studio.saved_targets("bob") == []
    for mode in ("revoice", "world"):
        with pytest.raises(NotFound):
            studio.submit_vc("bob", _source(), "vm-intro.wav", voice["id"], mode)
    for target in ("custom:" + "0" * 32, "custom:../../etc", "custom:"):
        with pytest.raises(NotFound):
            studio.submit_vc("ann", _source(), "vm-intro.wav", target, "revoice")
    with pytest.raises(NotFound):
        studio.vc_target("bob", voice["id"])
    assert studio.balance("bob") == studio.settings.starting_credits
    assert studio.history("bob") == ([], 0)


def test_a_shared_voice_is_a_target_for_the_team(settings):
    from studio import vc
    from studio.core import Studio

    team = Studio(replace(settings, auth="team", allow_registration=True), sweep_at_start=False)
    try:
        voice = team.create_designed_voice("ann", "Team voice", MIX)
        with pytest.raises(NotFound):
            vc.resolve_target(team, "bob", voice["id"], with_reference=False)
        team.share_voice("ann", voice["id"], True)
        assert team.saved_targets("bob") == [(voice["id"], "Team voice · shared by ann")]
        target = vc.resolve_target(team, "bob", voice["id"], with_reference=False)
        assert (target.name, target.style.shape, target.british) == ("Team voice", (510, 1, 256), False)
    finally:
        team.shutdown()


def test_the_pages_offer_saved_voices(app_env):
    """The Voice Changer lists the user's saved voices as targets in every mode; History can
    filter clone jobs and names the voice."""
    from tests.conftest import open_app
    from ui import session

    session.studio().create_designed_voice("local", "Page voice", MIX)
    at = open_app("pages/2_Voice_Changer.py", timeout=180)
    for mode in ("world", "revoice"):
        at.radio(key="vc_mode").set_value(mode).run()
        assert at.radio(key="vc_mode").value == mode and not at.exception, at.exception
        assert "Page voice · my voice" in at.selectbox(key="vc_target").options, mode
    at.switch_page("pages/4_History.py").run()
    assert not at.exception, at.exception
    assert "Voice Cloning" in at.selectbox(key="hist_service").options


# -- clone jobs in history -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cloner(kokoro):
    if speaker.probe():
        pytest.skip(f"speaker encoder: {speaker.probe()}")
    from engines.clone.kokoro_clone import KokoroCloneEngine
    from tests.test_clone import STOCK

    engine = KokoroCloneEngine(kokoro=kokoro, stock=STOCK).load()  # a small stock table: seconds, not minutes
    engine.prepare()
    return engine


def test_a_clone_job_is_in_history_with_its_label_and_deleting_it_keeps_the_voice(settings, cloner):
    from studio import history, sweep, voices
    from studio.core import Studio
    from tests.test_clone import prompts, wav
    from ui import widgets

    studio = Studio(settings, load_engine=lambda e: cloner if e == "kokoro_clone" else registry.load(e),
                    sweep_at_start=False)
    try:
        before = studio.balance("ann")
        job_id = voices.submit_clone(studio, "ann", wav(*prompts(20)), "me.wav", "My clone", "quick", consent=True,
                                     max_seconds=10)
        row = studio.wait("ann", job_id, timeout=900)
        assert row["status"] == "completed", row["error"]
        assert studio.balance("ann") == before - row["cost"] == before - studio.clone_prices()["quick"][1]

        assert "voices" in history.SERVICES and "voices" in sweep.JOB_SERVICES
        rows, total = studio.history("ann", service="voices")
        assert total == 1 and rows[0]["id"] == job_id and rows[0]["title"] == "Voice clone: My clone"
        assert widgets.SERVICE_LABELS["voices"] == "Voice Cloning"
        described = widgets.describe(rows[0])
        assert "voice My clone" in described and "quick search" in described, described
        voice_id = row["params"]["voice"]
        assert (voice_id, "My clone") in studio.history_voices("ann")
        assert studio.history("bob", service="voices") == ([], 0)

        assert studio.delete("ann", job_id)
        studio.sweep(min_age=0)
        assert [v["id"] for v in studio.voices_of("ann")] == [voice_id]
        assert codec.read_wav(studio.voice_preview("ann", voice_id)).duration > 1
        assert voices.speak(studio, "ann", voice_id, "Good morning.").duration > 0.3
    finally:
        studio.shutdown()


# -- the HTTP API ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests import servers

    s = servers.start_app(tmp_path_factory.mktemp("api-voices") / "data")
    yield s
    s.stop()


def _key(server, user: str) -> str:
    from studio import apikeys, credits
    from studio.db import connect

    db = connect(server.data_dir / "studio.db")
    credits.ensure_user(db, user, 10_000)
    return apikeys.create(db, user, "tests")[1]


def _balance(server, user: str) -> int:
    from studio import credits
    from studio.db import connect

    return credits.balance(connect(server.data_dir / "studio.db"), user)


@pytest.fixture(scope="module")
def ada_voice(server) -> dict:
    """A voice designed by "ada", written into the server's data folder through a Studio of its own."""
    from studio import voices
    from studio.config import Settings
    from studio.core import Studio

    studio = Studio(Settings(data_dir=server.data_dir, workers=1), sweep_at_start=False)
    try:
        return voices.create_designed_voice(studio, "ada", "Ada's narrator", MIX)
    finally:
        studio.shutdown()


def test_openai_speaks_with_a_saved_voice_for_its_owner_only(server, ada_voice, whisper):
    import openai

    ada = openai.OpenAI(base_url=server.url + "/v1", api_key=_key(server, "ada"), max_retries=0, timeout=300)
    before = _balance(server, "ada")
    response = ada.audio.speech.create(model="tts-1", voice=ada_voice["id"], input="Please call me back after lunch.",
                                       response_format="wav")
    samples, rate = sf.read(io.BytesIO(response.content), dtype="float32")
    assert rate == 24_000 and len(samples) / rate > 1.0
    heard = h.transcribe(whisper, Audio(samples, rate)).lower()
    assert "call" in heard and "lunch" in heard, heard
    assert _balance(server, "ada") < before

    bob = openai.OpenAI(base_url=server.url + "/v1", api_key=_key(server, "bob"), max_retries=0, timeout=60)
    with pytest.raises(openai.NotFoundError) as error:
        bob.audio.speech.create(model="tts-1", voice=ada_voice["id"], input="Not my voice.", response_format="wav")
    assert error.value.body["code"] == "voice_not_found"
    assert _balance(server, "bob") == 10_000
    with pytest.raises(openai.BadRequestError, match="kokoro"):  # a saved voice speaks through Kokoro
        ada.audio.speech.create(model="piper", voice=ada_voice["id"], input="Hello.", response_format="wav")


def test_elevenlabs_lists_and_speaks_saved_voices_for_their_owner_only(server, ada_voice):
    from elevenlabs import ElevenLabs
    from elevenlabs.core.api_error import ApiError

    ada = ElevenLabs(api_key=_key(server, "ada"), base_url=server.url, timeout=300)
    bob = ElevenLabs(api_key=_key(server, "bob"), base_url=server.url, timeout=300)
    mine = {v.voice_id: v for v in ada.voices.get_all().voices}
    assert mine[ada_voice["id"]].category == "generated" and mine[ada_voice["id"]].name == "Ada's narrator"
    assert "af_heart" in mine  # the stock voices are still there
    assert ada_voice["id"] not in {v.voice_id for v in bob.voices.get_all().voices}

    bare = ada_voice["id"].removeprefix("custom:")  # the id as ElevenLabs-style ids come, without the prefix
    audio = b"".join(ada.text_to_speech.convert(voice_id=bare, text="Good morning.", output_format="pcm_24000"))
    assert len(audio) / 2 / 24_000 > 0.4
    history = ada.history.list(page_size=5).history
    assert history[0].voice_id == ada_voice["id"]

    for call in (lambda: b"".join(bob.text_to_speech.convert(voice_id=ada_voice["id"], text="Not mine.")),
                 lambda: b"".join(bob.text_to_speech.convert(voice_id=bare, text="Not mine.")),
                 lambda: bob.voices.get(voice_id=ada_voice["id"])):
        with pytest.raises(ApiError) as error:
            call()
        assert error.value.status_code == 404 and error.value.body["detail"]["status"] == "voice_not_found"
    assert ada.voices.get(voice_id=ada_voice["id"]).category == "generated"
    assert _balance(server, "bob") == 10_000


def test_speech_to_speech_into_a_saved_voice(server, ada_voice):
    import httpx

    files = {"audio": ("intro.wav", _source(), "audio/wav")}
    url = f"{server.url}/v1/speech-to-speech/{ada_voice['id']}?output_format=wav_24000"
    r = httpx.post(url, headers={"xi-api-key": _key(server, "ada")}, timeout=600, files=files)
    assert r.status_code == 200, r.text
    assert sf.info(io.BytesIO(r.content)).duration > 2
    r = httpx.post(url, headers={"xi-api-key": _key(server, "bob")}, timeout=60, files=files)
    assert r.status_code == 404 and r.json()["detail"]["status"] == "voice_not_found"
    assert _balance(server, "bob") == 10_000
