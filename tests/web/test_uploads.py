"""The four upload routes (API and pages, balance and movement) read the upload on the event loop and store
it (the file written, the job queued) in the thread pool, so other requests are served meanwhile; the
analysis itself is a job's (tests/clinic/test_job_workers.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reeducate.clinic.services import balance, movement
from tests.support import World, imu_gait_upload, synthetic_trial_csv
from tests.web.conftest import bearer, browser_login


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture
def where_analysed(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each upload service call (keep the files, queue the job): whether it ran on the event loop's thread."""
    seen: list[bool] = []

    def watched(service: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            seen.append(_on_event_loop())
            return service(*args, **kwargs)
        return call

    monkeypatch.setattr(balance, "submit", watched(balance.submit))
    monkeypatch.setattr(movement, "submit", watched(movement.submit))
    return seen


def test_the_api_upload_routes_store_off_the_event_loop(client: TestClient, world: World,
                                                          where_analysed: list[bool]) -> None:
    headers = bearer(client, world, "therapist")
    trial = client.post(f"/api/v1/visits/{world.visit_open}/balance-trials", headers=headers,
                        files=[("files", ("t.csv", synthetic_trial_csv(seconds=12), "text/csv"))])
    walk = client.post(f"/api/v1/visits/{world.visit_open}/movement-recordings", headers=headers,
                       data={"kind": "imu_gait", "sampling_rate_hz": "204.8"},
                       files={"file": ("walk.csv", imu_gait_upload().content, "text/csv")})
    assert (trial.status_code, walk.status_code) == (202, 202), (trial.text, walk.text)
    assert where_analysed == [False, False]


def test_the_page_upload_routes_store_off_the_event_loop(client: TestClient, world: World,
                                                           where_analysed: list[bool]) -> None:
    csrf = browser_login(client, world, "therapist")
    trial = client.post(f"/visits/{world.visit_open}/balance",
                        data={"csrf_token": csrf, "vision-0": "open", "surface-0": "firm", "stance-0": "bipedal"},
                        files={"file-0": ("t.csv", synthetic_trial_csv(seconds=12), "text/csv")})
    walk = client.post(f"/visits/{world.visit_open}/movement",
                       data={"csrf_token": csrf, "kind": "imu_gait", "sampling_rate_hz": "204.8"},
                       files={"file": ("walk.csv", imu_gait_upload().content, "text/csv")})
    assert (trial.status_code, walk.status_code) == (303, 303), (trial.text, walk.text)
    assert where_analysed == [False, False]
