"""A joint position sense test through the movement page and the API: uploaded, analysed by the job, shown as a
card (trials with their holds' times, AE/CE/VE with units, where the angle was measured), the API's JSON the
CLI's; options a test cannot use are refused on the page with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reeducate.cli import app
from tests.signals.jps_data import NECK_PLAN, head_imu_samples, plan_series, write_imu_csv
from tests.support import World
from tests.web.conftest import bearer, browser_login, finished_job

FS = 100.0


@pytest.fixture
def head_csv(tmp_path: Path) -> Path:
    yaw, _ = plan_series(NECK_PLAN, fs=FS)
    return write_imu_csv(tmp_path / "head.csv", *head_imu_samples(yaw, FS), FS)


def test_a_test_uploaded_on_the_page_is_shown_as_a_card_with_its_errors_and_source(
        client: TestClient, world: World, head_csv: Path) -> None:
    csrf = browser_login(client, world, "therapist")
    page = f"/visits/{world.visit_open}/movement"
    assert 'value="joint_position_sense"' in client.get(page).text
    sent = client.post(page, data={"csrf_token": csrf, "kind": "joint_position_sense", "joint": "cervical_rotation",
                                   "source": "imu"},
                       files={"file": ("head.csv", head_csv.read_bytes(), "text/csv")})
    assert sent.status_code == 303, sent.text
    shown = client.get(page).text
    assert "Joint position sense test head.csv" in shown
    assert "<strong>measured from IMU</strong>" in shown
    assert "<td>left</td><td>2</td><td>3.2°</td><td>+0.2°</td><td>3.2°</td>" in shown
    assert "<td>right</td><td>2</td><td>3.5°</td><td>-0.5°</td><td>3.5°</td>" in shown
    assert shown.count('<tr><td>1</td><td>left</td><td>0.0°</td><td>3.0°</td><td>-3.0°</td>') == 1
    assert "No published cut-off is applied" in shown


def test_the_api_keeps_the_json_the_command_prints(client: TestClient, world: World, head_csv: Path) -> None:
    headers = bearer(client, world, "therapist")
    queued = client.post(f"/api/v1/visits/{world.visit_open}/movement-recordings", headers=headers,
                         data={"kind": "joint_position_sense", "joint": "cervical_rotation", "source": "imu"},
                         files={"file": ("head.csv", head_csv.read_bytes(), "text/csv")})
    job = finished_job(client, headers, queued)
    assert job["status"] == "done", job
    recording = client.get(f"/api/v1/movement-recordings/{job['result']['ids'][0]}", headers=headers).json()
    printed = CliRunner().invoke(app, ["jps", "analyze", str(head_csv), "--joint", "cervical_rotation", "--json"])
    assert recording["kind"] == "joint_position_sense"
    assert recording["result"]["jps"] == json.loads(printed.stdout)


@pytest.mark.parametrize(("form", "reason"), [
    ({"joint": "knee_flexion", "source": "imu"}, "Say which side the knee flexion was tested on: left or right."),
    ({"joint": "cervical_rotation", "source": "imu", "targets": "ten"}, "give the target angles in degrees"),
    ({"joint": "cervical_rotation", "source": "video"}, "cannot be measured from a camera"),
])
def test_the_page_refuses_options_a_test_cannot_use(client: TestClient, world: World, head_csv: Path,
                                                     form: dict[str, str], reason: str) -> None:
    csrf = browser_login(client, world, "therapist")
    refused = client.post(f"/visits/{world.visit_open}/movement",
                          data={"csrf_token": csrf, "kind": "joint_position_sense", **form},
                          files={"file": ("head.csv", head_csv.read_bytes(), "text/csv")})
    assert refused.status_code == 422 and reason in refused.text
