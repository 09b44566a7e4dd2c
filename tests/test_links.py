"""The signed audio links of studio/links.py, through a real Studio, and the browser cookie
they are bound to (api/media.BrowserCookie)."""
import time

import pytest

from studio.errors import NotFound
from studio.links import BROWSER_COOKIE
from tests.test_jobs import spec

ALICE, BOB = "browser-of-alice", "browser-of-bob"


@pytest.fixture
def clip(studio):
    job_id = studio.submit("alice", spec())
    assert studio.wait("alice", job_id, timeout=60)["status"] == "completed"
    return job_id


def token(link: str) -> str:
    return link.rsplit("/", 1)[1]


def test_a_link_opens_in_its_own_browser_only(studio, clip):
    link = studio.audio_link("alice", clip, "mp3", browser=ALICE)
    claims = studio.open_link(token(link), ALICE)
    assert (claims["u"], claims["j"], claims["f"]) == ("alice", clip, "mp3")
    data = studio.link_audio(claims)
    assert data[:3] == b"ID3" or (data[0] == 0xFF and data[1] >> 5 == 7)  # an MP3 tag or frame sync
    assert ALICE not in link  # the link names a hash of the cookie, never the cookie
    for other in (BOB, None, ""):
        with pytest.raises(NotFound, match="expired or is not valid"):
            studio.open_link(token(link), other)


@pytest.mark.parametrize("make", [
    lambda s, job, browser: s.audio_link("alice", job, browser=browser),
    lambda s, job, browser: s.live_link("alice", job, browser=browser),
    lambda s, job, browser: s.clip_link("alice", b"RIFF-not-a-job", browser=browser),
], ids=["audio", "live", "clip"])
def test_every_kind_of_link_is_bound_and_a_link_made_without_a_browser_opens_nowhere(studio, clip, make):
    assert studio.open_link(token(make(studio, clip, ALICE)), ALICE)
    with pytest.raises(NotFound):
        studio.open_link(token(make(studio, clip, ALICE)), BOB)
    unbound = token(make(studio, clip, None))
    for browser in (None, "", ALICE):
        with pytest.raises(NotFound):
            studio.open_link(unbound, browser)


def test_signing_out_ends_the_links_handed_out_before(studio, clip):
    before = token(studio.audio_link("alice", clip, browser=ALICE))
    studio.end_sessions("alice")
    with pytest.raises(NotFound):
        studio.open_link(before, ALICE)
    assert studio.open_link(token(studio.audio_link("alice", clip, browser=ALICE)), ALICE)  # a new one works


def test_a_changed_or_expired_link_is_refused(studio, clip, monkeypatch):
    import base64
    import json

    good = token(studio.audio_link("alice", clip, browser=ALICE))
    body, mac = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "u": "bob"}).encode()).rstrip(b"=").decode()
    for bad in (f"{forged}.{mac}", good[:-2], "nonsense", ""):
        with pytest.raises(NotFound):
            studio.open_link(bad, ALICE)
    monkeypatch.setattr(time, "time", lambda real=time.time: real() + 21 * 60)  # past the longest lifetime
    with pytest.raises(NotFound):
        studio.open_link(good, ALICE)


def test_other_users_jobs_get_no_link(studio, clip):
    with pytest.raises(NotFound):
        studio.audio_link("bob", clip, browser=BOB)


# -- the cookie the links are bound to ------------------------------------------------------------
@pytest.fixture
def served():
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.responses import HTMLResponse, Response
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from api.media import BrowserCookie

    app = Starlette(routes=[Route("/", lambda r: HTMLResponse("<p>page</p>")),
                            Route("/asset.js", lambda r: Response("1", media_type="text/javascript"))],
                    middleware=[Middleware(BrowserCookie)])
    return TestClient(app, base_url="http://127.0.0.1")


def test_a_page_gives_a_new_browser_a_random_http_only_cookie_once(served):
    first = served.get("/")
    header = first.headers["set-cookie"]
    assert header.startswith(f"{BROWSER_COOKIE}=") and "HttpOnly" in header and "SameSite=Lax" in header
    assert "Path=/" in header and "Secure" not in header  # plain HTTP here
    value = first.cookies[BROWSER_COOKIE]
    assert len(value) >= 40
    again = served.get("/")  # the client sends it back: it is kept, not replaced
    assert "set-cookie" not in again.headers and served.cookies[BROWSER_COOKIE] == value
    served.cookies.clear()
    assert "set-cookie" not in served.get("/asset.js").headers  # only pages set it (assets race)
    assert served.get("/").cookies[BROWSER_COOKIE] != value  # every browser its own
