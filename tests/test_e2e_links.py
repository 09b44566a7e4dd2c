"""End to end: the audio links the pages hand out (studio/links.py, api/media.py) are private.

Alice's player and download links work in her browser only: not in Bob's, not for a client
with no session, and not in her own browser once she has signed out. A link is signed, names
its owner and expires (15 to 20 minutes); it carries her sign-in generation, which signing out
bumps; and it is bound to the browser it was shown in, by a hash of that browser's random
HttpOnly cookie (studio/links.py, api/media.py)."""
import time

import httpx
import pytest

from studio import users
from studio.links import BROWSER_COOKIE
from tests import servers

pytestmark = pytest.mark.e2e
PASSWORDS = {"alice": "correct horse battery", "bob": "another long password"}
TEXT = "Only Alice may hear this."


@pytest.fixture
def team_server(tmp_path):
    users_file = tmp_path / "users.yaml"
    for name, password in PASSWORDS.items():
        users.add_user(users_file, name, password)
    server = servers.start_app(tmp_path / "data", env={"STUDIO_AUTH": "team", "STUDIO_USERS_FILE": str(users_file)})
    yield server
    server.stop()


def sign_in(page, url: str, username: str, cookie: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORDS[username])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Credits", exact=True).wait_for()
    deadline = time.monotonic() + 30  # the sign-in cookie is written by the page, a moment later
    while not any(c["name"] == cookie for c in page.context.cookies()):
        assert time.monotonic() < deadline, "the sign-in cookie never reached the browser"
        time.sleep(0.2)


def links_of_her_clip(page, url: str) -> list[str]:
    """The player's and the download buttons' /audio/<token> links on the History page."""
    page.goto(url + "/History")
    page.get_by_role("heading", name="History").wait_for()
    page.get_by_text(TEXT).wait_for(timeout=180_000)
    page.get_by_role("button", name="MP3").first.wait_for()
    srcs = [a.get_attribute("src") for a in page.locator("audio").all()]
    hrefs = [a.get_attribute("href") for a in page.locator("a[role=button][download]").all()]
    found = [s for s in srcs + hrefs if s]
    assert found and all(s.startswith("/audio/") for s in found), found
    return found


def test_alices_audio_links_work_for_her_alone_and_die_at_sign_out(team_server, browser):
    from studio.config import Settings
    from studio.core import Studio

    url = team_server.url
    # Alice's clip: queued through a Studio on the server's data folder (the same database and
    # audio store), rendered by the cheap bundled Piper voice.
    studio = Studio(Settings(data_dir=team_server.data_dir, auth="team", workers=1,
                             users_file=team_server.data_dir.parent / "users.yaml"))
    try:
        job_id, _ = studio.submit_tts("alice", TEXT, "joe", engine="piper")
        assert studio.wait("alice", job_id, timeout=180)["status"] == "completed"
    finally:
        studio.shutdown()

    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True) for _ in range(2)]
    alice, bob = (c.new_page() for c in contexts)
    try:
        for page in (alice, bob):
            page.set_default_timeout(60_000)
        cookie = users.load(team_server.data_dir.parent / "users.yaml")["cookie"]["name"]
        sign_in(alice, url, "alice", cookie)
        links = links_of_her_clip(alice, url)

        # (a) in her own browser, every link gives her the audio: the player plays it, the
        # download button saves it, and so does any request from her browser
        player = alice.locator("audio").first
        duration = player.evaluate("""async el => { if (!(el.duration > 0)) await new Promise((ok, fail) => {
            el.addEventListener('loadedmetadata', ok, {once: true}); el.addEventListener('error', fail, {once: true});
            el.load(); }); return el.duration; }""")
        assert duration > 1.0
        with alice.expect_download() as saved:
            alice.get_by_role("button", name="WAV").first.click()
        assert open(saved.value.path(), "rb").read(4) == b"RIFF"
        bound = next(c for c in alice.context.cookies() if c["name"] == BROWSER_COOKIE)
        assert bound["httpOnly"] and bound["sameSite"] == "Lax"  # page scripts never see it
        for link in links:
            r = alice.request.get(url + link)
            assert r.status == 200, (link, r.status)
            body = r.body()
            assert body[:4] == b"RIFF" or body[:3] == b"ID3" or body[0] == 0xFF, body[:16]
            assert len(body) > 4_000

        # (b) Bob, signed in in his own browser, holding her link: refused (api/media.py: 404)
        sign_in(bob, url, "bob", cookie)
        for link in links:
            assert bob.request.get(url + link).status == 404, link

        # (c) no session at all: refused
        for link in links:
            assert httpx.get(url + link, timeout=30).status_code == 404, link

        # (d) after she signs out, the same links are refused in her own browser too: it still
        # holds its browser cookie, but signing out moved her sign-in generation on
        alice.get_by_role("button", name="Sign out").click()
        alice.get_by_role("button", name="Sign in").wait_for()
        assert any(c["name"] == BROWSER_COOKIE for c in alice.context.cookies())
        for link in links:
            assert alice.request.get(url + link).status == 404, link
    finally:
        for context in contexts:
            context.close()
