"""A clip uploaded in the browser: the page answers at once, shows the analysis moving frame by frame
(the panel asks the server every second), and ends on the clip's angles, all without a reload, with a
real job worker process on the same database and a real queue."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from reeducate.example_data import fetch
from reeducate.web.app import create_app
from tests.support import World, job_worker
from tests.web.browsing import SHOTS, log_in
from tests.web.conftest import settings_for_tests, uvicorn_serving

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_a_clip_uploaded_in_the_browser_shows_its_progress_then_its_angles_without_a_reload(
        world_engine: Engine, world: World, tmp_path: Path, frozen: None, browser: object) -> None:
    queue = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    recordings = Path(world.recordings_dir)
    app = create_app(settings_for_tests(tmp_path, recordings_dir=recordings, queue_url=queue), world_engine)
    with uvicorn_serving(app) as url, \
            job_worker(world_engine.url.render_as_string(hide_password=False), queue, recordings, tmp_path):
        page = log_in(browser, url, world.emails["therapist"])
        page.goto(f"{url}/visits/{world.visit_open}/movement")
        page.set_input_files("input[name=file]", str(fetch("balancing_cam04.mp4")))
        with page.expect_navigation():
            page.get_by_role("button", name="Upload and analyse").click()
        page.evaluate("window.stillThisPage = true")  # gone if anything reloads the page
        panel = page.locator(".job-panel")
        assert "balancing_cam04.mp4" in panel.inner_text()
        page.wait_for_function("() => (document.querySelector('.job-panel progress') || {}).value > 0",
                               timeout=120_000)
        page.screenshot(path=str(SHOTS / "job-progress-running.png"), full_page=True)
        assert "Finding the body in each frame" in panel.inner_text()
        page.wait_for_selector(".job-panel.job-done .movement-recording", timeout=180_000)
        page.screenshot(path=str(SHOTS / "job-progress-done.png"), full_page=True)
        assert page.evaluate("window.stillThisPage") is True
        done = page.locator(".job-panel.job-done").inner_text()
        assert "analysed and saved" in done and "100 frames" in done
        assert page.locator(".job-panel.job-done img[alt='Joint angles over time']").count() == 1
