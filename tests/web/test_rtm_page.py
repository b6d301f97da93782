"""The remote-monitoring page: the chart links it; a clinician records the set-up once (a second is refused
naming the rule), logs minutes with and without a real-time call and sees this month's code and what is
missing, the period's strip of days, and the claim lines with GP; a bad entry is shown again with why."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support import World
from tests.web.conftest import bearer


def _post(client: TestClient, world: World, headers: dict[str, str], what: str, **fields: str):  # noqa: ANN202
    return client.post(f"/patients/{world.p1}/rtm/{what}", headers=headers,
                       data={"episode_id": str(world.episode), **fields})


def test_a_clinician_records_set_up_and_minutes_and_sees_what_bills(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    chart = client.get(f"/patients/{world.p1}", headers=headers).text
    assert f'href="/patients/{world.p1}/rtm?episode_id={world.episode}"' in chart
    page = client.get(f"/patients/{world.p1}/rtm", headers=headers).text
    for shown in ("Remote monitoring: Penny Quennell", "No period yet", "Not recorded yet", "Nothing billable yet",
                  'id="time-form"', 'id="setup-form"'):
        assert shown in page, shown

    reply = _post(client, world, headers, "setup", performed_on="2026-11-20", note="App installed")
    assert reply.status_code == 303 and reply.headers["location"].endswith("done=setup")
    page = client.get(reply.headers["location"], headers=headers).text
    assert "Set-up and education recorded." in page and "Set up Fri 20 Nov 2026" in page
    assert "30-day period 1: Fri 20 Nov 2026 to Sat 19 Dec 2026" in page and page.count('class="day-') == 30
    assert "0 days with data: no supply code under 2 days." in page
    assert "Missing: 2 days more of data for 98985 (16 for 98977)." in page
    again = _post(client, world, headers, "setup", performed_on="2026-11-25")
    assert again.status_code == 422 and "98975 is reported once per episode of care" in again.text

    reply = _post(client, world, headers, "time", performed_on="2026-11-24", minutes="15", activity="data_review",
                  interactive="no", note="Reviewed the week")
    page = client.get(reply.headers["location"], headers=headers).text
    assert "none logged this month" in page and "Missing: no real-time communication logged this month" in page
    reply = _post(client, world, headers, "time", performed_on="2026-11-25", minutes="10", activity="data_review",
                  interactive="yes")
    page = client.get(reply.headers["location"], headers=headers).text
    assert "25 minutes this month: 98980 (first 20 minutes)." in page
    assert "Missing: 15 minutes more for 98981." in page and "yes, Wed 25 Nov 2026" in page
    assert "<td>98980</td><td>Remote monitoring: management, first 20 minutes of a month</td><td>1</td>" in page
    assert "<td>GP</td>" in page and "Reviewed the week" in page


def test_a_bad_entry_is_shown_again_with_why(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    reply = _post(client, world, headers, "time", performed_on="2026-11-25", minutes="0", activity="data_review",
                  note="kept")
    assert reply.status_code == 422 and "Minutes: Input should be greater than or equal to 1." in reply.text
    assert ">kept</textarea>" in reply.text
    future = _post(client, world, headers, "time", performed_on="2026-11-26", minutes="5", activity="data_review")
    assert future.status_code == 422 and "is in the future" in future.text


def test_an_assistant_logs_minutes_and_the_line_carries_cq(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "assistant")
    _post(client, world, headers, "time", performed_on="2026-11-25", minutes="12", activity="interactive")
    page = client.get(f"/patients/{world.p1}/rtm", headers=headers).text
    assert "12 minutes this month: 98979 (10-19 minutes)." in page and "<td>CQ GP</td>" in page


def test_the_front_desk_sees_no_link_and_no_page(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "front_desk")
    assert "/rtm" not in client.get(f"/patients/{world.p1}", headers=headers).text
    assert client.get(f"/patients/{world.p1}/rtm", headers=headers).status_code == 403
