"""The pages through Streamlit's AppTest: real app.py, real Studio, real Kokoro."""
import time

import pytest
from streamlit.testing.v1 import AppTest

from studio import users
from tests.conftest import APP, open_app

TIMEOUT = 120



def tts_page(app_env) -> AppTest:
    return open_app(timeout=TIMEOUT)


def wait_done(at: AppTest, studio, user="local", timeout=TIMEOUT):
    job_id = at.session_state["tts_job"]
    studio.wait(user, job_id, timeout=timeout)
    time.sleep(1.2)  # run_every fragments do not tick in AppTest: rerun by hand
    at.run()
    return job_id


def test_generate_speech_lands_in_history_and_costs_credits(app_env):
    from ui import session

    at = tts_page(app_env)
    assert at.title[0].value == "Text to Speech"
    assert at.sidebar.metric[0].value == "10,000"
    at.text_area(key="tts_text").input("Hello from the studio test.")
    at.selectbox(key="tts_voice_kokoro").select("bf_emma")
    at.button[1].click().run()  # Generate (the first button is Preview)
    assert not at.exception, at.exception
    job_id = wait_done(at, session.studio())
    row = session.studio().job("local", job_id)
    assert row["status"] == "completed" and row["params"]["voice"] == "bf_emma"
    assert session.studio().balance("local") == 10_000 - row["cost"]
    assert any("Hello from the studio test." in t.value for t in at.text)  # in the recent list


@pytest.mark.parametrize("text, message", [
    ("   ", "The text is empty"),
    ("🎉🎉🎉", "no words to speak"),
])
def test_bad_text_shows_the_message_and_charges_nothing(app_env, text, message):
    at = tts_page(app_env)
    at.text_area(key="tts_text").input(text)
    at.button[1].click().run()
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    from ui import session

    assert session.studio().balance("local") == 10_000
    assert session.studio().history("local")[1] == 0


def test_history_page_filters_and_searches(app_env):
    from ui import session

    studio = session.studio()
    job_id, _ = studio.submit_tts("local", "Searchable words here.", "af_heart", "kokoro")
    studio.wait("local", job_id, timeout=TIMEOUT)
    at = open_app("pages/4_History.py", timeout=TIMEOUT)
    assert at.title[0].value == "History"
    at.text_input(key="hist_query").input("searchable").run()
    assert any("Searchable words here." in t.value for t in at.text)
    at.text_input(key="hist_query").input("nothing like this").run()
    assert any("Nothing here yet" in c.value for c in at.caption)


def test_team_mode_requires_login(app_env, monkeypatch):
    users_file = app_env / "users.yaml"
    users.add_user(users_file, "alice", "correct horse battery")
    monkeypatch.setenv("STUDIO_AUTH", "team")
    monkeypatch.setenv("STUDIO_USERS_FILE", str(users_file))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    assert not at.metric  # no credits, no pages before signing in
    at.text_input[0].input("alice")
    at.text_input[1].input("wrong password")
    at.button[0].click().run()
    assert any("incorrect" in e.value for e in at.error)
    at.text_input[0].input("alice")
    at.text_input[1].input("correct horse battery")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.session_state["studio_user"] == "alice"
    assert at.title[0].value == "Text to Speech"


def test_a_bad_configuration_is_shown_not_a_traceback(app_env, monkeypatch):
    (app_env / "bad.toml").write_text("workers = 500\n")
    monkeypatch.setenv("STUDIO_CONFIG", str(app_env / "bad.toml"))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert any("workers must be 1–64, got 500" in e.value for e in at.error)
