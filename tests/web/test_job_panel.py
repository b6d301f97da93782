"""A job's panel on the movement and balance pages: a session that ended sends the whole page to log-in
(not the log-in page into the panel), the panel's own polling keeps no unattended session alive, a refused
upload stays shown until one of its kind is kept (and never on a completed visit), a set of trials refused
by one file says none was kept, the visit page names what is still being analysed, and a clip's angles carry
the typical error measured for them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reeducate.clinic.access import Actor
from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import User
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import jobs, movement
from tests.support import NOW, World, imu_gait_upload, synthetic_trial_csv
from tests.web.conftest import bearer, browser_login, finished_job

POLL = {"HX-Request": "true", "X-Reeducate-Poll": "1"}


class _NoWorker:
    """A queue no worker reads: the job stays waiting."""

    def enqueue(self, job_id: int) -> None:
        pass


def _waiting_job(engine: Engine, world: World) -> int:
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        session.info[jobs.JOB_QUEUE] = _NoWorker()
        therapist = Actor.of(session.get_one(User, world.user_ids["therapist"]))
        return movement.submit(session, therapist, world.visit_open, imu_gait_upload("waiting.csv"),
                               RecordingStore(Path(world.recordings_dir))).id


def test_a_panel_asked_for_after_the_session_ended_sends_the_whole_page_to_log_in(
        client: TestClient, world: World, world_engine: Engine) -> None:
    job_id = _waiting_job(world_engine, world)
    page = f"http://testserver/visits/{world.visit_open}/movement"
    reply = client.get(f"/jobs/{job_id}/panel", headers={**POLL, "HX-Current-URL": page})
    assert reply.status_code == 204 and reply.text == ""
    assert reply.headers["HX-Redirect"] == f"/login?next=/visits/{world.visit_open}/movement"


def test_the_panels_polling_keeps_no_unattended_session_alive(client: TestClient, world: World,
                                                              world_engine: Engine) -> None:
    job_id = _waiting_job(world_engine, world)
    browser_login(client, world, "therapist")
    for minutes in (10, 20, 29):
        with time_machine.travel(NOW + timedelta(minutes=minutes), tick=False):
            reply = client.get(f"/jobs/{job_id}/panel", headers=POLL)
            assert reply.status_code == 200 and "waiting.csv" in reply.text and "X-Reeducate-Poll" in reply.text
    with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
        assert client.get(f"/jobs/{job_id}/panel", headers=POLL).headers.get("HX-Redirect", "").startswith("/login")


def test_a_refused_upload_is_shown_until_one_of_its_kind_is_kept(client: TestClient, world: World) -> None:
    csrf = browser_login(client, world, "therapist")
    page = f"/visits/{world.visit_open}/movement"
    refused = client.post(page, data={"csrf_token": csrf, "kind": "imu_gait", "sampling_rate_hz": "40"},
                          files={"file": ("too-slow.csv", imu_gait_upload().content, "text/csv")})
    assert refused.status_code == 303 and refused.headers["location"].startswith(f"{page}?job=")
    shown = client.get(page).text
    assert "Not analysed: too-slow.csv" in shown and "sampling rate is probably wrong" in shown
    kept = client.post(page, data={"csrf_token": csrf, "kind": "imu_gait", "sampling_rate_hz": "204.8"},
                       files={"file": ("walk.csv", imu_gait_upload().content, "text/csv")})
    assert kept.status_code == 303
    assert "too-slow.csv" not in client.get(page).text


def test_trials_refused_by_one_file_say_that_none_was_kept(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    reply = client.post(f"/api/v1/visits/{world.visit_open}/balance-trials", headers=headers,
                        data={"vision": ["open", "closed"]},
                        files=[("files", ("good.csv", synthetic_trial_csv(), "text/csv")),
                               ("files", ("short.csv", synthetic_trial_csv(seconds=2), "text/csv"))])
    job = finished_job(client, headers, reply)
    assert job["status"] == "failed" and "short.csv" in job["error"] and "none of the 2 was kept" in job["error"]


def test_the_visit_page_names_what_is_still_being_analysed(client: TestClient, world: World,
                                                           world_engine: Engine) -> None:
    _waiting_job(world_engine, world)
    browser_login(client, world, "therapist")
    page = client.get(f"/visits/{world.visit_open}").text
    assert "still being analysed" in page and "waiting.csv: waiting to be analysed" in page
    assert f'href="/visits/{world.visit_open}/movement">Follow it</a>' in page


def test_a_clips_angles_carry_the_typical_error_measured_for_them(client: TestClient, world: World) -> None:
    """The world's clip (the Pose2Sim demo's oblique camera): each angle with a band from the accuracy
    benchmark shows it beside its range, the others say they were not checked."""
    browser_login(client, world, "therapist")
    recording = client.get(f"/api/v1/movement-recordings/{world.video_recording}",
                           headers=bearer(client, world, "therapist")).json()
    movement_result = recording["result"]["movement"]
    bands, ranges = movement_result["error_band_deg"], movement_result["rom_deg"]
    assert "right_knee_flexion" in bands and bands.keys() <= ranges.keys()
    page = client.get(f"/visits/{world.visit_open}/movement").text
    assert "<th>Typical error</th>" in page
    for name in ranges:
        row = page[page.index(f"<td>{name.replace('_', ' ')}</td>"):]
        cell = row[:row.index("</tr>")]
        assert (f"± {bands[name]:.0f}°" if name in bands else "not checked") in cell, (name, cell)
