"""The visit's page: everything recorded in the visit in one place, minutes entered there, the visit
completed after a confirmation and only with its minutes; the chart and the portal tell each visit's
true status and minutes."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support import World
from tests.web.conftest import bearer


def check_in_today(client: TestClient, world: World) -> int:
    """Today's 10:00 appointment checked in by the front desk: a visit with nothing in it yet."""
    reply = client.post("/api/v1/visits", headers=bearer(client, world, "front_desk"),
                        json={"appointment_id": world.appt_today})
    assert reply.status_code == 201, reply.text
    return int(reply.json()["id"])


def test_the_visit_page_gathers_what_the_visit_recorded_with_a_link_to_each_part(client: TestClient,
                                                                                world: World) -> None:
    page = client.get(f"/visits/{world.visit_open}", headers=bearer(client, world, "therapist"))
    assert page.status_code == 200
    text = page.text
    assert "<td>Berg Balance Scale</td><td>50 points</td>" in text  # the score at the instrument's precision
    assert "Neuromuscular reeducation" in text and 'id="visit-minutes">15 min' in text
    assert "cm/s mean velocity" in text and "Walk on foot sensors" in text
    assert "Not written yet." in text and "No claim released." in text
    for part in ("balance", "movement", "training", "note", "billing"):
        assert f'href="/visits/{world.visit_open}/{part}"' in text
    assert f'href="/visits/{world.visit_open}/complete"' in text


def test_minutes_are_added_on_the_page_and_bad_minutes_are_refused_with_the_form_again(client: TestClient,
                                                                                      world: World) -> None:
    headers = bearer(client, world, "therapist")
    refused = client.post(f"/visits/{world.visit_open}/activities", headers=headers,
                          data={"activity": "gait_training", "minutes": "eight"})
    assert refused.status_code == 422
    assert "whole minutes from 1 to 480" in refused.text and 'value="eight"' in refused.text
    assert 'id="visit-minutes">15 min' in refused.text  # nothing stored
    added = client.post(f"/visits/{world.visit_open}/activities", headers=headers,
                        data={"activity": "gait_training", "minutes": "8"}, follow_redirects=True)
    assert added.status_code == 200 and "Minutes recorded." in added.text
    assert 'id="visit-minutes">23 min' in added.text and "Gait training" in added.text


def test_a_visit_is_completed_after_a_confirmation_and_only_with_its_minutes(client: TestClient,
                                                                            world: World) -> None:
    visit_id = check_in_today(client, world)
    headers = bearer(client, world, "therapist")
    page = client.get(f"/visits/{visit_id}", headers=headers)
    assert ">Checked in<" in page.text and "Not started" in page.text
    confirm = client.get(f"/visits/{visit_id}/complete", headers=headers)
    assert "Record the minutes spent per activity before completing the visit" in confirm.text
    assert 'id="complete-button"' not in confirm.text
    refused = client.post(f"/visits/{visit_id}/complete", headers=headers)
    assert refused.status_code == 409 and "Record the minutes spent per activity" in refused.text
    client.post(f"/visits/{visit_id}/activities", headers=headers, data={"activity": "therapeutic_exercise",
                                                                         "minutes": "25"})
    assert ">In progress<" in client.get(f"/visits/{visit_id}", headers=headers).text
    confirm = client.get(f"/visits/{visit_id}/complete", headers=headers)
    assert 'id="complete-button"' in confirm.text and "nothing more is recorded in this visit" in confirm.text
    done = client.post(f"/visits/{visit_id}/complete", headers=headers, follow_redirects=True)
    assert done.status_code == 200 and "Visit completed." in done.text and ">Completed<" in done.text
    assert 'id="minutes-form"' not in done.text and "Completed at" in done.text
    late = client.post(f"/visits/{visit_id}/activities", headers=headers,
                       data={"activity": "gait_training", "minutes": "5"})
    assert late.status_code == 422 and "record minutes in the patient&#39;s next visit" in late.text


def test_a_simulated_patients_run_is_labelled_a_demonstration_wherever_it_shows(client: TestClient,
                                                                               world: World) -> None:
    headers = bearer(client, world, "therapist")
    with client.websocket_connect(f"/visits/{world.visit_open}/training/live", headers=headers) as socket:
        socket.send_json({"type": "start", "exercise": "mini-squat", "monitor": "camera-side", "side": "left",
                          "source": "simulated", "speed": 8})
        assert socket.receive_json()["type"] == "started"
        socket.send_json({"type": "stop"})
        while socket.receive_json()["type"] != "summary":
            pass
    label = "Simulated patient — demonstration, not the patient&#39;s performance"
    for page in (f"/visits/{world.visit_open}", f"/visits/{world.visit_open}/training"):
        text = client.get(page, headers=headers).text
        assert label in text and "Mini squat (left)</td>" in text and "mini-squat<" not in text, page
    portal = client.get("/portal", headers=bearer(client, world, "patient")).text
    assert "Simulated" not in portal and "Mini squat" not in portal


def test_the_chart_and_the_portal_show_each_visits_true_status_and_minutes(client: TestClient,
                                                                          world: World) -> None:
    chart = client.get(f"/patients/{world.p1}", headers=bearer(client, world, "therapist")).text
    visits = chart[chart.index('id="visits"'):]
    assert f'href="/visits/{world.visit_done}"' in visits and f'href="/visits/{world.visit_open}"' in visits
    assert ">Completed<" in visits and ">In progress<" in visits and "20 min" in visits
    assert "/balance" not in visits  # one link per visit, to its page
    portal = client.get("/portal", headers=bearer(client, world, "patient")).text
    mine = portal[portal.index('id="my-visits"'):]
    assert "Visit finished</span> 20 minutes of treatment" in mine
    assert "Your visit is under way" in mine and "15 minutes so far" in mine
