"""End to end: the real app in headless Debian Chromium; a clip is uploaded, converted and played."""
import numpy as np
import pytest

from tests import servers
from tests import vc_helpers as h

pytestmark = pytest.mark.e2e


def test_upload_convert_and_play_in_the_browser(app_url, page):
    page.goto(app_url)
    page.get_by_role("heading", name="Text to Speech").wait_for()  # the app is up
    page.get_by_role("link", name="Voice Changer").click()
    page.get_by_role("heading", name="Voice Changer").wait_for()
    servers.upload(page, "Speech to convert", h.speech_path("vm-intro"))
    page.get_by_text("costs 56 credits").wait_for(timeout=120_000)
    page.get_by_role("button", name="Convert voice").click()
    # Completed: the recent list shows the original and the converted clip side by side.
    page.get_by_text("B · converted").first.wait_for(timeout=240_000)
    players = page.locator("audio")
    assert players.count() >= 2
    # The last player of the newest entry is the converted clip.
    converted = page.get_by_text("B · converted").first.locator("xpath=ancestor::div[@data-testid='stColumn'][1]").locator("audio")
    samples, rate = servers.played_audio(page, app_url, converted)
    assert rate == 24_000
    assert len(samples) / rate == pytest.approx(5.65, abs=0.1)
    assert np.sqrt(np.mean(samples**2)) > 0.02
    duration = page.evaluate(
        """async (el) => { if (isNaN(el.duration)) await new Promise(r => el.addEventListener('loadedmetadata', r, {once: true}));
                         await el.play(); await new Promise(r => setTimeout(r, 300)); el.pause();
                         return [el.duration, el.currentTime]; }""",
        converted.element_handle(),
    )
    assert duration[0] == pytest.approx(len(samples) / rate, abs=0.1)
    assert duration[1] > 0  # it actually played
