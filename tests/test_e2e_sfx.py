"""End to end: the real app in headless Debian Chromium, a sound effect generated and played."""
import numpy as np
import pytest

from tests import servers
from tests.sfx_fixtures import sfx_assets  # noqa: F401

pytestmark = pytest.mark.e2e


def test_generate_an_effect_in_the_browser_and_play_it(sfx_assets, app_url, page):
    page.goto(app_url)
    page.get_by_role("heading", name="Text to Speech").wait_for()  # the app is up and has drawn its first page
    page.get_by_role("link", name="Sound Effects").click()
    page.get_by_role("heading", name="Sound Effects").wait_for()
    page.get_by_role("textbox", name="Describe the sound").fill("a dog barking in a large hall")
    page.get_by_role("button", name="Generate sound effect").click()
    page.get_by_text("Why: closest to").first.wait_for()  # the plan, shown with the job
    page.get_by_role("button", name="MP3").first.wait_for(timeout=180_000)
    players = page.locator("audio")
    assert players.count() >= 1  # the finished take (the recent list's cards may be folded)
    samples, rate = servers.played_audio(page, app_url, players.first)
    assert rate == 44_100 and len(samples) / rate == pytest.approx(5.0, abs=0.02)
    assert 0.1 < np.max(np.abs(samples)) < 1.0
    # It plays: the element's clock moves.
    played = page.evaluate(
        """async (el) => { await el.play(); await new Promise(r => setTimeout(r, 600));
                         const t = el.currentTime; el.pause(); return t; }""",
        players.first.element_handle(),
    )
    assert played > 0.2
