"""The Voice Changer page through Streamlit's AppTest: real app.py, real Studio, real engines."""
import time

import pytest
from streamlit.testing.v1 import AppTest

from tests import vc_helpers as h
from tests.conftest import open_app

TIMEOUT = 180


@pytest.fixture
def app_env(app_env):
    h.seed_references(app_env / "data")
    return app_env


def vc_page() -> AppTest:
    at = open_app("pages/2_Voice_Changer.py", timeout=TIMEOUT)
    assert at.title[0].value == "Voice Changer"
    return at


def test_convert_an_upload_and_compare(app_env):
    from ui import session

    at = vc_page()
    assert at.button(key="vc_convert").disabled  # nothing to convert yet
    at.file_uploader(key="vc_upload").set_value(("vm-intro.wav", h.speech_path("vm-intro").read_bytes(), "audio/wav"))
    at.run()
    assert any("vm-intro.wav · wav · 5.7 s · costs 56 credits" in c.value for c in at.caption)
    at.selectbox(key="vc_target").select(f"kokoro:{h.TARGET_VOICE}")
    at.slider(key="vc_pitch").set_value(-2.0)
    at.button(key="vc_convert").click().run()
    assert not at.exception, at.exception
    job_id = at.session_state["vc_job"]
    studio = session.studio()
    row = studio.wait("local", job_id, timeout=TIMEOUT)
    assert row["status"] == "completed", row["error"]
    assert row["params"]["pitch_shift"] == -2.0 and row["params"]["target"] == f"kokoro:{h.TARGET_VOICE}"
    time.sleep(1.2)  # run_every fragments do not tick in AppTest: rerun by hand
    at.run()
    assert studio.balance("local") == 10_000 - 56
    captions = [c.value for c in at.caption]
    assert "A · the original, for comparison" in captions and "B · converted" in captions
    assert any("vm-intro.wav → Michael" in t.value for t in at.text)  # in the recent list


def test_a_bad_upload_is_explained_and_costs_nothing(app_env):
    from ui import session

    at = vc_page()
    at.file_uploader(key="vc_upload").set_value(("notes.mp3", b"these are my notes, not audio\n" * 20, "audio/mpeg"))
    at.run()
    assert any("not an audio file" in e.value for e in at.error), [e.value for e in at.error]
    assert at.button(key="vc_convert").disabled
    assert session.studio().balance("local") == 10_000


def test_revoice_offers_stock_voices_only_and_samples_are_saved(app_env):
    at = vc_page()
    at.text_input(key="vc_sample_name").input("Me")
    at.file_uploader(key="vc_sample_upload").set_value(("me.wav", h.speech_path("vm-intro").read_bytes(), "audio/wav"))
    at.run()
    at.button(key="vc_sample_save").click().run()
    assert not at.exception, at.exception
    options = at.selectbox(key="vc_target").options
    assert any("Me (your sample" in o for o in options)
    at.radio(key="vc_mode").set_value("revoice").run()
    assert not any("your sample" in o for o in at.selectbox(key="vc_target").options)
    assert not at.slider  # re-voice has no pitch or strength controls
