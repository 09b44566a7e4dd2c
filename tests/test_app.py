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
    ("a" + "\u0301" * 300, "mostly combining accents"),
    ("Hi" + "\u0300\u0301\u0302\u0303\u0304\u0305" * 3 + " there", "mostly combining accents"),
    ("\x00\x01\x02\x07\x7f", "no words to speak"),
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


def test_non_english_text_gets_a_notice_that_the_voices_are_english(app_env):
    from ui import session

    job_id, notices = session.studio().submit_tts("local", "Привет, как дела? Всё хорошо.", "af_heart", "kokoro")
    session.studio().cancel("local", job_id)
    assert any("The voices speak English" in n and "Cyrillic" in n for n in notices)
    _, latin = session.studio().submit_tts("local", "Café au lait, naïve résumé.", "af_heart", "kokoro")
    assert not any("English" in n for n in latin)


def gated_job(studio, user="local", service="tts"):
    import threading

    from tests.test_jobs import spec, tone

    release, started = threading.Event(), threading.Event()

    def run(ctx):
        started.set()
        ctx.progress(0.4, "Rendering part 2 of 5")
        while not release.is_set() and not ctx.should_stop():
            time.sleep(0.02)
        return [tone()]

    s = spec(run=run, title="a long text")
    s.service = service
    job_id = studio.submit(user, s)
    assert started.wait(30)
    return job_id, release


def test_a_reload_during_a_job_shows_its_progress_and_cancel(app_env):
    from ui import session

    studio = session.studio()
    job_id, release = gated_job(studio)
    at = open_app(timeout=TIMEOUT)  # a new session, as after a reload or in a second tab: no session state
    assert at.session_state["tts_job"] == job_id
    assert any("Rendering part 2 of 5" in str(p.proto) for p in at.get("progress"))
    cancel = at.button(key=f"cancel-{job_id}")
    assert at.sidebar.metric[0].value == "9,950"
    cancel.click().run()
    assert studio.job("local", job_id)["status"] == "cancelled"
    assert studio.balance("local") == 10_000  # refunded (AppTest draws no sidebar after its first run)
    assert any("Cancelled. Your credits were refunded." in i.value for i in at.info)
    release.set()


def test_history_shows_how_each_clip_was_made_and_asks_before_deleting(app_env):
    from ui import session
    from tests.test_jobs import spec

    studio = session.studio()
    s = spec(title="four takes of rain")
    s.service, s.params = "sfx", {"duration": 0.5, "variations": 4, "loop": True, "seed": 7}
    s.run = lambda ctx: [__import__("tests.test_jobs", fromlist=["tone"]).tone()] * 4
    job_id = studio.submit("local", s)
    assert studio.wait("local", job_id, timeout=60)["status"] == "completed"
    at = open_app("pages/4_History.py", timeout=TIMEOUT)
    assert any("0.5 s · 4 variations · loop · seed 7 · engine test" in c.value for c in at.caption)
    assert [c.value for c in at.caption].count("Take 4 of 4") == 1  # every take, one under another
    at.button(key=f"del-hist-{job_id}").click().run()
    assert any("Delete this clip and its audio for good?" in w.value for w in at.warning)
    at.button(key=f"del-no-hist-{job_id}").click().run()
    assert studio.job("local", job_id)["status"] == "completed"  # kept
    at.button(key=f"del-hist-{job_id}").click().run()
    at.button(key=f"del-yes-hist-{job_id}").click().run()
    assert not at.exception, at.exception
    assert studio.history("local")[1] == 0
    assert any("Nothing here yet" in c.value for c in at.caption)


def team(app_env, monkeypatch, **env):
    users_file = app_env / "users.yaml"
    if not users_file.exists():
        users.add_user(users_file, "alice", "correct horse battery")
    monkeypatch.setenv("STUDIO_AUTH", "team")
    monkeypatch.setenv("STUDIO_USERS_FILE", str(users_file))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def sign_in(at, username, password):
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception


def test_failed_sign_ins_are_throttled(app_env, monkeypatch):
    at = team(app_env, monkeypatch)
    for _ in range(5):
        sign_in(at, "alice", "not the password")
        assert any("Username or password is incorrect" in e.value for e in at.error)
    sign_in(at, "alice", "correct horse battery")  # the right password, but too late
    assert any("Too many failed sign-ins for this account. Try again in 15 minutes" in e.value for e in at.error)
    assert "studio_user" not in at.session_state


def test_registration_is_off_unless_turned_on(app_env, monkeypatch):
    at = team(app_env, monkeypatch)
    assert not at.expander and len(at.text_input) == 2  # the sign-in form only


def test_registration_with_an_invite_code_and_a_domain_starts_with_the_configured_credits(app_env, monkeypatch):
    from ui import session

    at = team(app_env, monkeypatch, STUDIO_ALLOW_REGISTRATION="1", STUDIO_REGISTRATION_CREDITS="300",
              STUDIO_REGISTRATION_INVITE_CODE="blue-heron", STUDIO_REGISTRATION_EMAIL_DOMAINS="example.org")

    def register(email, code):
        inputs = at.text_input[2:]  # after the sign-in form's two
        for widget, value in zip(inputs, ["bob", "Bob", email, "a long password", "a long password", code]):
            widget.input(value)
        at.button[1].click().run()
        assert not at.exception, at.exception

    register("bob@example.org", "wrong code")
    assert any("The invite code is not right" in e.value for e in at.error)
    register("bob@elsewhere.com", "blue-heron")
    assert any("limited to e-mail addresses at example.org" in e.value for e in at.error)
    register("bob@example.org", "blue-heron")
    assert any("Account bob created with 300 credits" in s.value for s in at.success)
    assert session.studio().balance("bob") == 300
    sign_in(at, "bob", "a long password")
    assert at.session_state["studio_user"] == "bob"


def signed_in_app(app_env, monkeypatch, username="alice", since: float | None = None) -> AppTest:
    """A session that signed in earlier (as the form or the cookie leaves it). AppTest runs app.py
    (the gate and the sidebar) on the first run only; later runs go to the page alone."""
    team(app_env, monkeypatch)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for key, value in {"authentication_status": True, "username": username, "logout": None,
                       "studio_signed_in_at": time.time() if since is None else since}.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_signed_in_session_shows_the_studio_and_a_sign_out(app_env, monkeypatch):
    at = signed_in_app(app_env, monkeypatch)
    assert at.session_state["studio_user"] == "alice" and at.sidebar.metric[0].value == "10,000"
    assert at.sidebar.button(key="studio_sign_out").label == "Sign out"


def test_signing_out_elsewhere_ends_this_session_and_every_cookie(app_env, monkeypatch):
    from ui import session

    team(app_env, monkeypatch)
    studio = session.studio()
    issued = time.time() - 5  # a cookie (and a session) from before the sign-out
    assert studio.session_valid("alice", issued)
    studio.sign_out("alice")  # what the Sign out button does, in another tab
    assert not studio.session_valid("alice", issued)
    at = signed_in_app(app_env, monkeypatch, since=issued)
    assert "studio_user" not in at.session_state and not at.metric
    assert [t.label for t in at.text_input] == ["Username", "Password"]  # the sign-in form again
    assert studio.session_valid("alice", time.time() + 1)  # signing in again works


def test_a_start_up_problem_is_shown_with_its_fix_not_a_traceback(app_env, monkeypatch):
    (app_env / "a-file").write_text("not a folder")
    monkeypatch.setenv("STUDIO_DATA_DIR", str(app_env / "a-file"))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert any("The studio cannot start: The data folder setting points at a file" in e.value for e in at.error)
    assert not any(str(app_env) in e.value for e in at.error)


@pytest.mark.e2e
def test_in_the_browser_sign_in_survives_a_reload_and_sign_out_ends_it(tmp_path, page):
    from tests import servers

    users_file = tmp_path / "users.yaml"
    users.add_user(users_file, "alice", "correct horse battery")
    server = servers.start_app(tmp_path / "data", env={"STUDIO_AUTH": "team", "STUDIO_USERS_FILE": str(users_file)})
    try:
        page.goto(server.url)
        page.get_by_role("textbox", name="Username").fill("alice")
        page.get_by_role("textbox", name="Password").fill("correct horse battery")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("Credits", exact=True).wait_for()
        cookie = users.load(users_file)["cookie"]["name"]
        deadline = time.monotonic() + 30
        while not any(c["name"] == cookie for c in page.context.cookies()):
            assert time.monotonic() < deadline, "the sign-in cookie never reached the browser"
            time.sleep(0.2)
        page.reload()
        page.get_by_role("heading", name="Text to Speech").wait_for()  # still signed in
        assert page.get_by_role("button", name="Sign in").count() == 0
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("button", name="Sign in").wait_for()
        page.reload()  # whatever the browser still holds, that cookie is refused now
        page.get_by_role("button", name="Sign in").wait_for()
        assert page.get_by_text("Credits", exact=True).count() == 0
    finally:
        server.stop()


def test_a_key_is_created_shown_once_and_revoked_on_the_account_page(app_env):
    from ui import session

    studio = session.studio()
    at = open_app("pages/5_Account.py", timeout=TIMEOUT)
    at.text_input[0].input("laptop script")
    at.button[0].click().run()  # the form's submit button
    assert not at.exception, at.exception
    assert any("shown only this once" in s.value for s in at.success)
    [key] = [k for k in studio.api_keys("local") if k["name"] == "laptop script"]
    assert not key["revoked_at"] and studio.authenticate(at.code[-2].value)[0] == "local"
    at.run()
    assert not any("shown only this once" in s.value for s in at.success)  # only once
    at.button(key=f"revoke_{key['id']}").click().run()
    assert not at.exception, at.exception
    [key] = [k for k in studio.api_keys("local") if k["name"] == "laptop script"]
    assert key["revoked_at"] and f"revoke_{key['id']}" not in [b.key for b in at.button]
