"""Subtitles of a text-to-speech clip from its history row (ui/widgets.subtitles), through
Streamlit's AppTest: the real app, a real Studio, the bundled Piper voice and Whisper."""
import pytest

from tests.conftest import open_app

TIMEOUT = 180
TEXT = "Subtitles follow the voice. Every word gets its time."


@pytest.fixture
def tts_clip(app_env):
    from ui import session

    studio = session.studio()
    job_id, _ = studio.submit_tts("local", TEXT, "joe", engine="piper")
    assert studio.wait("local", job_id, timeout=TIMEOUT)["status"] == "completed"
    return studio, job_id


def aligned(monkeypatch) -> list[str]:
    """Record every word alignment the pages ask the Studio for (the real one runs)."""
    from studio.core import Studio

    calls, real = [], Studio.word_times
    monkeypatch.setattr(Studio, "word_times", lambda self, user, job: calls.append(job) or real(self, user, job))
    return calls


def downloads(at) -> dict[str, str]:
    return {e.proto.label: e.proto.url for e in at.get("download_button")}


@pytest.mark.parametrize("page_file, key", [("pages/4_History.py", "hist"), (None, "tts-recent")])
def test_subtitles_are_made_when_asked_once_and_offered_as_srt_and_vtt(tts_clip, monkeypatch, page_file, key):
    studio, job_id = tts_clip
    calls = aligned(monkeypatch)
    at = open_app(page_file, timeout=TIMEOUT)
    assert not downloads(at) and calls == []  # nothing is aligned just by showing the row
    at.button(key=f"subs-{key}-{job_id}").click().run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    assert set(downloads(at)) == {"Subtitles (SRT)", "Subtitles (VTT)"}
    assert calls == [job_id]  # one Whisper run gives both formats
    at.run()
    assert set(downloads(at)) == {"Subtitles (SRT)", "Subtitles (VTT)"}
    assert calls == [job_id]  # kept in the session: redraws do not align again
    srt, vtt = (at.session_state["studio_subtitles"][job_id][fmt] for fmt in ("srt", "vtt"))
    assert srt == studio.subtitles("local", job_id, "srt") and vtt == studio.subtitles("local", job_id, "vtt")
    assert srt.startswith("1\n00:00:0") and " --> " in srt and "voice." in srt
    assert vtt.startswith("WEBVTT\n\n00:00:0") and "Every word gets its time." in vtt


def test_only_finished_speech_offers_subtitles(app_env):
    from tests.test_jobs import spec, tone
    from ui import session

    studio = session.studio()
    s = spec(title="a tone, not speech")
    s.service, s.params, s.run = "sfx", {"duration": 0.5}, lambda ctx: [tone()]
    job_id = studio.submit("local", s)
    assert studio.wait("local", job_id, timeout=60)["status"] == "completed"
    at = open_app("pages/4_History.py", timeout=TIMEOUT)
    assert not any(b.key.startswith("subs-") for b in at.button)


def test_a_clip_whose_audio_is_gone_shows_why_instead_of_subtitles(tts_clip):
    studio, job_id = tts_clip
    at = open_app("pages/4_History.py", timeout=TIMEOUT)
    studio.storage.delete(studio.job("local", job_id)["result_key"])  # the audio store lost it
    at.button(key=f"subs-hist-{job_id}").click().run()
    assert not at.exception, at.exception
    assert at.error and not downloads(at)
    assert job_id not in at.session_state["studio_subtitles"]  # a later click tries again
