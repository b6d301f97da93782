"""The schedule's pages: the day and week grids, the patient picker, a series with its conflicts, and
the confirmation pages of a cancellation and a no-show with their required reason."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.support import World, local
from tests.web.conftest import bearer


def _status(client: TestClient, headers: dict[str, str], appointment_id: int) -> str:
    return str(client.get(f"/api/v1/appointments/{appointment_id}", headers=headers).json()["status"])


def test_the_day_grid_shows_patient_names_in_clinician_columns_not_ids(client: TestClient, world: World) -> None:
    page = client.get("/schedule?day=2026-11-25", headers=bearer(client, world, "front_desk"))
    assert page.status_code == 200
    start = page.text.index('class="schedule-grid"')
    grid = page.text[start:page.text.index("</table>", start)]
    assert '<th scope="col">Therapist</th>' in grid and '<th scope="col">Chiropractor</th>' in grid
    blocks = re.findall(r'class="appt-block[^"]*"[^>]*>\s*<strong>([^<]+)</strong>', grid)
    assert blocks and set(blocks) == {"Penny Quennell"}
    assert 'rowspan="3"' in grid  # 45 minutes: three quarter-hour rows
    assert f">{world.p1}<" not in grid and "Patient " not in grid


def test_the_week_grid_by_room_has_a_column_per_open_day_and_room(client: TestClient, world: World) -> None:
    page = client.get("/schedule?day=2026-11-25&view=week&by=room", headers=bearer(client, world, "therapist"))
    assert page.status_code == 200
    assert page.text.count('class="grid-day') == 6  # Monday to Saturday; closed on Sunday
    assert "Wed 25 Nov 2026" in page.text and "Gym" in page.text and "No room" in page.text
    assert "Next &rarr;" in page.text and "day=2026-12-02" in page.text


def test_the_patient_picker_finds_a_patient_by_name_mrn_or_birth_date(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "front_desk")
    page = client.get("/appointments/new", headers=headers)
    assert 'name="q"' in page.text and 'name="provider_id"' not in page.text  # first the patient
    record = client.get(f"/api/v1/patients/{world.p1}", headers=headers).json()
    for query in ("quen", record["mrn"], record["date_of_birth"]):
        found = client.get(f"/appointments/new?q={query}&day=2026-11-26", headers=headers)
        assert f'href="/appointments/new?patient_id={world.p1}&amp;day=2026-11-26"' in found.text
    live = client.get("/appointments/new?q=zzz", headers={**headers, "HX-Request": "true"})
    assert "<html" not in live.text and "No patient matches “zzz”" in live.text
    chosen = client.get(f"/appointments/new?patient_id={world.p1}", headers=headers)
    assert "Penny Quennell" in chosen.text and 'name="provider_id"' in chosen.text


def test_a_series_with_a_conflict_is_reported_date_by_date_and_the_free_dates_booked_on_request(
        client: TestClient, world: World) -> None:
    headers = bearer(client, world, "front_desk")
    form = {"patient_id": world.p2, "provider_id": world.user_ids["therapist"], "date": local(5, 0).date().isoformat(),
            "time": "10:00", "duration_min": "45", "weekday": ["0", "3"], "weeks": "2"}
    review = client.post("/appointments/new", data=form, headers=headers)
    assert review.status_code == 409
    assert "Mon 30 Nov 2026" in review.text and "No: Therapist is already booked Mon 30 Nov 10:00-10:45" in review.text
    assert review.text.count("<td>Free</td>") == 3 and "Book the 3 free dates" in review.text
    assert client.get(f"/api/v1/patients/{world.p2}/appointments", headers=headers).json() == []
    change = client.post("/appointments/new", data={**form, "action": "change"}, headers=headers)
    assert change.status_code == 200 and 'name="weekday" value="3" checked' in change.text
    assert 'name="weeks" value="2"' in change.text
    booked = client.post("/appointments/new", data={**form, "action": "book_free"}, headers=headers)
    assert booked.status_code == 200 and "Series booked" in booked.text and booked.text.count("<td>Booked</td>") == 3
    assert "No: Therapist is already booked Mon 30 Nov 10:00-10:45" in booked.text
    appointments = client.get(f"/api/v1/patients/{world.p2}/appointments", headers=headers).json()
    assert len(appointments) == 3 and len({a["series_id"] for a in appointments}) == 1


def test_cancelling_asks_for_confirmation_and_a_reason(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "front_desk")
    page = client.get(f"/appointments/{world.appt_today}/cancel", headers=headers)
    assert all(fact in page.text for fact in ("Penny Quennell", "Wed 25 Nov 2026, 10:00–10:45", "Therapist"))
    assert "late cancellation" in page.text  # an hour before the start
    refused = client.post(f"/appointments/{world.appt_today}/cancel", data={"reason": "  "}, headers=headers)
    assert refused.status_code == 422 and "Reason: give the reason" in refused.text
    assert _status(client, headers, world.appt_today) == "booked"
    done = client.post(f"/appointments/{world.appt_today}/cancel", headers=headers,
                       data={"reason": "clinician unwell", "back": "/schedule?view=week&day=2026-11-25"})
    assert done.status_code == 303 and done.headers["location"] == "/schedule?view=week&day=2026-11-25"
    assert _status(client, headers, world.appt_today) == "late_cancelled"
    chart = client.get(f"/patients/{world.p1}", headers=headers)
    assert "Late cancellation" in chart.text and "clinician unwell" in chart.text


def test_a_patient_sees_the_reason_of_a_cancellation_in_the_portal(client: TestClient, world: World) -> None:
    desk = bearer(client, world, "front_desk")
    client.post(f"/appointments/{world.appt_future}/cancel", data={"reason": "the clinic is closed for a course"},
                headers=desk)
    portal = client.get("/portal", headers=bearer(client, world, "patient"))
    assert "Cancelled" in portal.text and "Reason: the clinic is closed for a course" in portal.text


def test_a_no_show_is_recorded_after_confirmation_with_a_reason(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "front_desk")
    page = client.get(f"/appointments/{world.appt_past}/no-show", headers=headers)
    assert "Record a no-show" in page.text and "Tue 24 Nov 2026, 14:00–14:45" in page.text
    refused = client.post(f"/appointments/{world.appt_past}/no-show", data={"reason": ""}, headers=headers)
    assert refused.status_code == 422 and _status(client, headers, world.appt_past) == "booked"
    done = client.post(f"/appointments/{world.appt_past}/no-show", headers=headers,
                       data={"reason": "no answer by phone", "back": "https://elsewhere.example/schedule"})
    assert done.status_code == 303 and done.headers["location"] == "/schedule"  # never back to another site
    assert _status(client, headers, world.appt_past) == "no_show"


def test_my_patients_lists_a_clinicians_patients_with_next_appointment(client: TestClient, world: World) -> None:
    page = client.get("/my-patients", headers=bearer(client, world, "therapist"))
    assert page.status_code == 200
    assert "Quennell, Penny" in page.text and "Wed 25 Nov 2026 10:00" in page.text and "Care team" in page.text
    assert f"/schedule?view=week&amp;provider_id={world.user_ids['therapist']}" in page.text


def test_the_api_names_each_conflict_of_a_series_and_books_the_free_dates_on_request(
        client: TestClient, world: World) -> None:
    headers = bearer(client, world, "front_desk")
    series = {"patient_id": world.p2, "provider_id": world.user_ids["therapist"], "location_id": world.location_id,
              "first_day": local(5, 0).date().isoformat(), "at": "10:00", "weekdays": [0, 3], "weeks": 2}
    refused = client.post("/api/v1/appointments/series", json=series, headers=headers)
    assert refused.status_code == 409 and refused.json()["series_id"] is None
    problems = [o["problem"] for o in refused.json()["occurrences"]]
    assert problems[0].startswith("Therapist is already booked Mon 30 Nov") and problems[1:] == ["", "", ""]
    booked = client.post("/api/v1/appointments/series?free_only=true", json=series, headers=headers)
    assert booked.status_code == 201 and [o["booked"] for o in booked.json()["occurrences"]] == [False, True, True, True]


def test_a_clinician_opens_a_checked_in_patients_visit_from_the_schedule(client: TestClient, world: World) -> None:
    checked_in = client.post("/api/v1/visits", headers=bearer(client, world, "front_desk"),
                             json={"appointment_id": world.appt_today})
    assert checked_in.status_code == 201, checked_in.text
    visit_id = checked_in.json()["id"]
    schedule = client.get("/schedule", headers=bearer(client, world, "therapist")).text
    assert f'href="/visits/{visit_id}">Open visit</a>' in schedule
    desk = client.get("/schedule", headers=bearer(client, world, "front_desk")).text
    assert "Open visit" not in desk  # the desk sees no clinical content
