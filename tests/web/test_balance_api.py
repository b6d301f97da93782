"""The balance API: several trials in one upload with a condition each (a job: 202, then the job names the
trials), the raw file given back as it came, and a refused upload that keeps nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from reeducate.clinic.models import BalanceTrial
from tests.fuzz.corpus import SEGFAULT, TRIAL_C3D
from tests.support import World, synthetic_trial_csv
from tests.web.conftest import bearer, finished_job


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(BalanceTrial)) or 0


def test_two_trials_with_a_condition_each_and_the_raw_file_back(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    first, second = synthetic_trial_csv(seed=2), synthetic_trial_csv(seed=3)
    response = client.post(f"/api/v1/visits/{world.visit_open}/balance-trials", headers=headers,
                            data={"vision": ["open", "closed"], "surface": "foam", "height_cm": "170"},
                            files=[("files", ("eo.csv", first, "text/csv")), ("files", ("ec.csv", second, "text/csv"))])
    job = finished_job(client, headers, response)
    assert job["status"] == "done" and job["files"] == ["eo.csv", "ec.csv"], job
    listed = client.get(job["result"]["url"], headers=headers).json()
    trials = [t for t in listed if t["id"] in job["result"]["ids"]]
    assert [(t["filename"], t["vision"], t["surface"]) for t in trials] == [("eo.csv", "open", "foam"),
                                                                          ("ec.csv", "closed", "foam")]
    assert all(0 < t["equilibrium_score"] <= 100 for t in trials)
    velocity = next(d for d in trials[0]["result"]["descriptors"] if d["quijoux_name"] == "mean_velocity_ML_AND_AP")
    assert velocity["unit"] == "cm/s" and velocity["value"] > 0
    raw = client.get(f"/api/v1/balance-trials/{trials[1]['id']}/raw", headers=headers)
    assert raw.status_code == 200 and raw.content == second
    assert 'filename="ec.csv"' in raw.headers["content-disposition"]


def test_conditions_that_do_not_match_the_files_refuse_the_upload(client: TestClient, world: World,
                                                                   world_engine: Engine) -> None:
    before = _count(world_engine)
    response = client.post(f"/api/v1/visits/{world.visit_open}/balance-trials",
                           headers=bearer(client, world, "therapist"),
                           data={"vision": ["open", "closed", "open"]},
                           files=[("files", ("a.csv", synthetic_trial_csv(), "text/csv")),
                                  ("files", ("b.csv", synthetic_trial_csv(seed=4), "text/csv"))])
    assert response.status_code == 422 and "once per file" in response.text
    assert _count(world_engine) == before


def test_a_c3d_that_crashes_the_reader_is_refused_and_the_server_serves_the_next_upload(
        client: TestClient, world: World, world_engine: Engine) -> None:
    headers, before = bearer(client, world, "therapist"), _count(world_engine)
    response = client.post(f"/api/v1/visits/{world.visit_open}/balance-trials", headers=headers,
                           files=[("files", ("plate.c3d", SEGFAULT.read_bytes(), "application/octet-stream"))])
    job = finished_job(client, headers, response)
    assert job["status"] == "failed" and "the reader crashed" in job["error"], job
    assert _count(world_engine) == before
    assert not list(Path(world.recordings_dir).rglob(hashlib.sha256(SEGFAULT.read_bytes()).hexdigest()))
    response = client.post(f"/api/v1/visits/{world.visit_open}/balance-trials", headers=headers,
                           files=[("files", ("plate.c3d", TRIAL_C3D.read_bytes(), "application/octet-stream"))])
    assert finished_job(client, headers, response)["status"] == "done"
    assert _count(world_engine) == before + 1
