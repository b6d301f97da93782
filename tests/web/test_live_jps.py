"""Joint position sense training through the live session: the simulated patient (made up, labelled simulated)
does the seated knee protocol over the WebSocket and on the page, which hides the angle while the eyes are
closed and says each trial's error; the record keeps each trial and AE/CE/VE. Screenshots go to
test-artifacts/screenshots/."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support import World
from tests.web.browsing import SHOTS, log_in
from tests.web.conftest import bearer
from tests.web.test_live import _events, _records, _until

START = {"type": "start", "exercise": "knee-position-sense-seated", "monitor": "camera-side", "side": "left",
         "source": "simulated", "speed": 8}


def test_a_simulated_jps_session_says_each_phase_and_result_and_keeps_the_trials(client: TestClient,
                                                                              world: World) -> None:
    headers = bearer(client, world, "therapist")
    with client.websocket_connect(f"/visits/{world.visit_open}/training/live", headers=headers) as socket:
        socket.send_json(START)
        seen = _until(socket, lambda m, s: len(_events(s, "jps_trial")) == 2)
        socket.send_json({"type": "stop"})
        after = _until(socket, lambda m, s: m["type"] == "summary")
    phases = [(e["phase"], e["show_angle"]) for e in _events(seen, "jps_phase")]
    assert phases[:5] == [("settle", True), ("target", True), ("memorise", True), ("return", False),
                          ("reproduce", False)]
    trials = _events(seen, "jps_trial")
    assert [round(t["error_deg"]) for t in trials] == [3, -2]  # the simulated patient's made-up errors
    assert trials[0]["instruction"].startswith("Open your eyes: ") and "past the target" in trials[0]["result"]
    (summary,) = [m for m in after if m["type"] == "summary"]
    jps = summary["summary"]["jps"]
    assert [t["error_deg"] for t in jps["trials"]] == [t["error_deg"] for t in trials]
    assert jps["errors"]["n_trials"] == 2 and jps["cutoff"] is None
    (row,) = _records(client, world, headers)
    assert (row["source"], row["repetitions"]) == ("simulated", 2)
    assert row["summary"]["jps"]["trials"] == jps["trials"]


@pytest.mark.browser
def test_the_page_hides_the_angle_with_the_eyes_closed_and_says_the_error_after_the_trial(
        browser, server: str, world: World) -> None:  # type: ignore[no-untyped-def]
    page = log_in(browser, server, world.emails["therapist"])
    page.goto(f"{server}/visits/{world.visit_open}/training")
    page.locator("select[name=choice]").select_option("knee-position-sense-seated|camera-side")
    page.locator("select[name=side]").select_option("left")
    page.locator("select[name=source]").select_option("simulated")
    page.get_by_role("button", name="Start").click()
    page.locator("#live-cue", has_text="Move to 60° and hold it there").wait_for(timeout=20_000)
    assert page.inner_text("#live-count-label") == "trials of 6"
    page.locator("#live-cue", has_text="Now go back to the position, eyes closed").wait_for(timeout=20_000)
    assert "angle hidden, eyes closed" in page.inner_text("#live-status")
    page.screenshot(path=str(SHOTS / "live-jps-reproduce.png"), full_page=True)
    page.locator("#live-cue", has_text="past the target").wait_for(timeout=20_000)
    assert "Go back to the start for the next target" in page.inner_text("#live-cue")
    assert page.inner_text("#live-count") == "1" and page.locator("#live-scores li").count() == 1
    page.get_by_role("button", name="End exercise").click()
    page.locator("#live-summary", has_text="Joint position sense: 1 trial, absolute error").wait_for(timeout=10_000)
    rows = page.locator("#jps-trials tbody tr")
    assert rows.count() == 1 and "60°" in rows.first.inner_text() and "past the target" in rows.first.inner_text()
    page.screenshot(path=str(SHOTS / "live-jps-done.png"), full_page=True)
