"""End to end: the real app in headless Debian Chromium, speech generated and played back."""
import numpy as np
import pytest

from tests import servers

pytestmark = pytest.mark.e2e


def test_generate_speech_in_the_browser_and_play_it(app_url, page):
    page.goto(app_url)
    page.get_by_role("heading", name="Text to Speech").wait_for()
    page.get_by_role("textbox", name="Text").fill("The browser test says hello, and then it says goodbye.")
    page.get_by_role("button", name="Generate speech").click()
    # Completed: the panel under the editor shows a player and the downloads.
    page.get_by_role("button", name="MP3").first.wait_for(timeout=180_000)
    audio = page.locator("audio:not([data-testid='live-player'])").first  # the finished take, not the live stream
    samples, rate = servers.played_audio(page, app_url, audio)
    assert rate == 24000
    assert len(samples) / rate > 1.5
    assert np.max(np.abs(samples)) > 0.05
    # The browser can play it: the element reports the clip's duration once metadata loads.
    duration = page.evaluate(
        """async (el) => { if (isNaN(el.duration)) await new Promise(r => el.addEventListener('loadedmetadata', r, {once: true}));
                         return el.duration; }""",
        audio.element_handle(),
    )
    assert duration == pytest.approx(len(samples) / rate, abs=0.1)


def test_a_deep_link_to_a_fresh_server_still_passes_the_gate(tmp_path, page):
    """Streamlit runs pages/ files directly until the router has run once in the process;
    such a page must send the visitor through app.py (sign-in, sidebar), not render bare."""
    server = servers.start_app(tmp_path / "data")
    try:
        page.goto(server.url + "/History")
        page.get_by_text("Credits", exact=True).wait_for()
        page.get_by_role("heading", name="Text to Speech").wait_for()
    finally:
        server.stop()
