"""End to end: a long text plays in one continuous player while it renders (issue 11)."""
import time

import pytest

from bench.common import text_of
from studio.db import connect

pytestmark = pytest.mark.e2e


def test_live_player_never_restarts_and_plays_to_the_end(app_server, page):
    text = text_of(2000)
    page.goto(app_server.url)
    page.get_by_role("heading", name="Text to Speech").wait_for()
    page.get_by_role("textbox", name="Text").fill(text)
    page.get_by_role("button", name="Generate speech").click()
    player = page.locator("audio[data-testid='live-player']")
    player.wait_for(timeout=120_000)
    # Four times real speed, muted: the test need not sit through two minutes of speech; the
    # player still has to wait for chunks that are not rendered yet, which is what is tested.
    player.evaluate("el => { el.muted = true; el.playbackRate = 4; return el.play(); }")
    times, deadline = [], time.monotonic() + 600
    while time.monotonic() < deadline:
        # Looked up afresh each time: a redraw that replaced the player would start again at 0.
        state = player.evaluate("el => [el.currentTime, el.ended, el.error && el.error.code]")
        assert state[2] is None, f"the player failed with media error {state[2]}"
        times.append(state[0])
        if state[1]:
            break
        time.sleep(0.25)
    assert times and all(b >= a for a, b in zip(times, times[1:])), "playback went backwards (a restart)"
    assert state[1], f"the player did not reach the end within the time limit (at {times[-1]:.1f} s)"
    row = connect(app_server.data_dir / "studio.db").execute(
        "SELECT duration, status FROM jobs WHERE service = 'tts' ORDER BY created_at DESC LIMIT 1").fetchone()
    assert row[1] == "completed"
    assert times[-1] == pytest.approx(row[0], abs=1.0)  # the whole take was heard, not a part of it
