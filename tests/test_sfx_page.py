"""The Sound Effects page through Streamlit's AppTest: real app.py, real Studio, real offline engine."""
import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import open_app
from tests.sfx_fixtures import sfx_assets, sfx_engine  # noqa: F401

TIMEOUT = 120


@pytest.fixture
def app_env(app_env, sfx_engine):
    return app_env


def sfx_page() -> AppTest:
    at = open_app("pages/3_Sound_Effects.py", timeout=TIMEOUT)
    return at


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception
    return at


def generate(at: AppTest) -> AppTest:
    return click(at, "Generate sound effect")


def test_generate_shows_plan_players_and_history(app_env):
    from ui import session

    at = sfx_page()
    assert at.title[0].value == "Sound Effects"
    at.selectbox(key="sfx_example").select("heavy rain on a tin roof with distant thunder").run()
    assert at.text_area(key="sfx_prompt").value == "heavy rain on a tin roof with distant thunder"
    at.slider(key="sfx_duration").set_value(2.0)
    at.slider(key="sfx_variations").set_value(3)
    at.number_input(key="sfx_seed").set_value(5).run()
    assert any("3 × 2 s · up to 162 credits" in c.value for c in at.caption)
    generate(at)
    job_id = at.session_state["sfx_job"]
    row = session.studio().wait("local", job_id, timeout=TIMEOUT)
    assert row["status"] == "completed", row["error"]
    time.sleep(1.2)  # run_every fragments do not tick in AppTest: rerun by hand
    at.run()
    plan_text = " ".join(m.value for m in at.markdown)
    assert "Rain on a metal roof" in plan_text and "Thunder" in plan_text
    assert any("'distant' → distance 0.85" in m.value for m in at.markdown)
    assert any("Seeds: 5, 6, 7" in c.value for c in at.caption)
    assert len(row["outputs"]) == 3
    assert session.studio().balance("local") == 10_000 - 162
    assert any("heavy rain on a tin roof" in t.value for t in at.text)  # in "Your effects"


def test_preview_shows_the_plan_and_its_confidence_for_free(app_env):
    from ui import session

    at = sfx_page()
    at.text_area(key="sfx_prompt").input("a single gunshot")
    at.slider(key="sfx_duration").set_value(10.0)
    at.slider(key="sfx_variations").set_value(1).run()
    click(at, "Preview plan (free)")
    shown = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "Match confidence" in shown and "Gunshot" in shown
    assert "delivered at its own length" in shown
    label = next(e.label for e in at.expander if e.label.startswith("Plan: Gunshot"))
    assert int(label.split("costs ")[1].split(" ")[0]) < 50 + 2 * 10  # the delivered seconds, not the 10 asked
    assert session.studio().balance("local") == 10_000 and session.studio().history("local")[1] == 0


def test_a_loose_match_offers_the_closest_and_charges_only_when_accepted(app_env):
    from ui import session

    at = sfx_page()
    at.text_area(key="sfx_prompt").input("a violin solo")
    at.slider(key="sfx_duration").set_value(1.0)
    at.slider(key="sfx_variations").set_value(1).run()
    generate(at)
    assert any("Closest available:" in w.value for w in at.warning), [w.value for w in at.warning]
    assert "sfx_job" not in at.session_state
    assert session.studio().balance("local") == 10_000  # declining (doing nothing) costs nothing
    click(at, "Generate the closest anyway")
    job_id = at.session_state["sfx_job"]
    row = session.studio().wait("local", job_id, timeout=TIMEOUT)
    assert row["status"] == "completed", row["error"]
    assert row["params"]["plan"]["accepted_closest"]
    assert session.studio().balance("local") == 10_000 - row["cost"]


@pytest.mark.parametrize("prompt, message", [
    ("", "The prompt is empty"),
    ("asdfgh qwzxcv plmokn", "not English words"),
    ("Дождь стучит по крыше", "English only"),
])
def test_bad_prompt_shows_the_message_and_charges_nothing(app_env, prompt, message):
    from ui import session

    at = sfx_page()
    at.text_area(key="sfx_prompt").input(prompt)
    generate(at)
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert session.studio().balance("local") == 10_000
    assert session.studio().history("local")[1] == 0


def test_unavailable_engine_is_listed_with_how_to_get_it(app_env):
    at = sfx_page()
    radio = at.radio(key="sfx_engine")
    assert "audioldm" in radio.options or any("AudioLDM" in o for o in radio.options)
    from engines import registry

    if registry.get("audioldm").probe() is None:
        pytest.skip("AudioLDM weights are present on this machine")
    assert any("How to get AudioLDM" in e.label for e in at.expander)
    radio.set_value("audioldm").run()
    assert next(b for b in at.button if b.label == "Generate sound effect").disabled
