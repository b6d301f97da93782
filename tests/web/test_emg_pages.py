"""Surface EMG on the API and the pages: an upload is a job (202) that names the recording once analysed, whose
JSON is the engine's; the raw file comes back as it was sent; the visit's EMG page takes the options in words,
shows a refusal with the form as typed, and lists the recordings; a recording's page shows each muscle's bursts
with their units, the firing order, co-contraction and every warning, with its plots; the visit page links it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from reeducate.clinic.models import EmgRecording
from tests.clinic.test_emg_recordings import emg_csv
from tests.support import World
from tests.web.browsing import SHOTS, log_in
from tests.web.conftest import bearer, browser_login, finished_job

FIELDS = {"channels": "biceps = Biceps brachii\ntriceps = Triceps brachii", "rate_hz": "1000", "units": "mV",
          "pairs": "Biceps brachii / Triceps brachii", "method": "auto"}


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(EmgRecording)) or 0


def test_an_upload_is_a_job_that_names_the_recording_and_its_json_is_the_engines(client: TestClient,
                                                                                   world: World) -> None:
    headers = bearer(client, world, "therapist")
    content = emg_csv()
    reply = client.post(f"/api/v1/visits/{world.visit_open}/emg-recordings", headers=headers, data=FIELDS,
                        files={"file": ("elbow.csv", content, "text/csv")})
    job = finished_job(client, headers, reply)
    assert job["status"] == "done" and job["kind"] == "emg_recording", job
    recording = client.get(job["result"]["url"], headers=headers).json()
    assert recording["filename"] == "elbow.csv" and recording["channel_count"] == 2
    result = recording["result"]
    assert set(result) >= {"channels", "firing_order", "co_contraction", "latencies_s", "warnings", "units"}
    assert [c["name"] for c in result["channels"]] == ["Biceps brachii", "Triceps brachii"]
    listed = client.get(f"/api/v1/visits/{world.visit_open}/emg-recordings", headers=headers).json()
    assert [r["id"] for r in listed] == [recording["id"]]
    raw = client.get(f"/api/v1/emg-recordings/{recording['id']}/raw", headers=headers)
    assert raw.status_code == 200 and raw.content == content and 'filename="elbow.csv"' in raw.headers[
        "content-disposition"]


def test_options_that_cannot_be_right_are_refused_at_once_naming_the_field(client: TestClient, world: World,
                                                                            world_engine: Engine) -> None:
    headers, before = bearer(client, world, "therapist"), _count(world_engine)
    for fields, words in [({**FIELDS, "pairs": "Biceps brachii"}, "two muscles with a slash"),
                          ({**FIELDS, "triggers_s": "soon"}, "Trigger times"),
                          ({**FIELDS, "pairs": "Biceps brachii / Deltoid"}, "Deltoid is not one of the muscles"),
                          ({**FIELDS, "units": "kV"}, "Units")]:
        reply = client.post(f"/api/v1/visits/{world.visit_open}/emg-recordings", headers=headers, data=fields,
                            files={"file": ("elbow.csv", emg_csv(), "text/csv")})
        assert reply.status_code == 422 and words in reply.text, (fields, reply.text)
    assert _count(world_engine) == before


def test_edge_inputs_in_the_options_are_a_4xx(client: TestClient, world: World, world_engine: Engine) -> None:
    headers, before = bearer(client, world, "therapist"), _count(world_engine)
    for fields in ({**FIELDS, "channels": "biceps=Biceps\x00"}, {**FIELDS, "rate_hz": "nan"},
                   {**FIELDS, "mvc_recording_id": str(2**40)}, {**FIELDS, "reference": "x" * 101}):
        reply = client.post(f"/api/v1/visits/{world.visit_open}/emg-recordings", headers=headers, data=fields,
                            files={"file": ("elbow.csv", emg_csv(), "text/csv")})
        assert reply.status_code == 422, (fields, reply.status_code, reply.text[:200])
    assert _count(world_engine) == before

def test_the_visit_page_takes_the_upload_and_the_recording_page_shows_its_analysis(client: TestClient,
                                                                                   world: World) -> None:
    csrf = browser_login(client, world, "therapist")
    page = f"/visits/{world.visit_open}/emg"
    form = client.get(page).text
    assert "Muscles on the channels" in form and "Agonist / antagonist pairs" in form and "Penny Quennell" in form
    refused = client.post(page, data={"csrf_token": csrf, **FIELDS, "rest_s": "3-1"},
                          files={"file": ("elbow.csv", emg_csv(), "text/csv")})
    assert refused.status_code == 422 and "Options: the rest moment runs from its start to a later end" in refused.text
    assert "Biceps brachii / Triceps brachii" in refused.text, "the form keeps what was typed"
    kept = client.post(page, data={"csrf_token": csrf, **FIELDS}, files={"file": ("elbow.csv", emg_csv(), "text/csv")})
    assert kept.status_code == 303 and kept.headers["location"].startswith(f"{page}?job=")
    listing = client.get(page).text
    assert "Surface EMG elbow.csv" in listing and "Biceps brachii 3 bursts" in listing
    recording_id = int(listing.split('href="/emg-recordings/')[1].split('"')[0])
    shown = client.get(f"/emg-recordings/{recording_id}").text
    assert "Biceps brachii, then Triceps brachii (+" in shown, "the firing order in words, the lag in ms"
    assert "mV" in shown and "Hz" in shown and "co-contraction index" in shown and "Falconer &amp; Winter 1985" in shown
    assert f'href="/visits/{world.visit_open}"' in shown, "a Visit link back"
    for plot in ("envelopes", "firing-order"):
        svg = client.get(f"/emg-recordings/{recording_id}/{plot}.svg")
        assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml", (plot, svg.text[:200])
    assert "fatigue.svg" not in shown and "A trend needs at least 5 bursts over 20 s" in shown
    untrended = client.get(f"/emg-recordings/{recording_id}/fatigue.svg")
    assert untrended.status_code == 404 and "it has no fatigue trend" in untrended.text
    visit = client.get(f"/visits/{world.visit_open}").text
    assert f'href="/emg-recordings/{recording_id}"' in visit and f'href="/visits/{world.visit_open}/emg"' in visit


def test_a_file_without_units_shows_its_amplitudes_in_a_u_and_says_why(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    reply = client.post(f"/api/v1/visits/{world.visit_open}/emg-recordings", headers=headers,
                        data={**FIELDS, "units": ""}, files={"file": ("elbow.csv", emg_csv(), "text/csv")})
    job = finished_job(client, headers, reply)
    browser_login(client, world, "therapist")
    shown = client.get(f"/emg-recordings/{job['result']['ids'][0]}").text
    assert "a.u." in shown and "does not state its units" in shown and "Read before using these results" in shown


def test_a_refused_file_shows_its_reason_on_the_page(client: TestClient, world: World) -> None:
    csrf = browser_login(client, world, "therapist")
    page = f"/visits/{world.visit_open}/emg"
    client.post(page, data={"csrf_token": csrf, **FIELDS, "rate_hz": ""},
                files={"file": ("norate.csv", emg_csv(), "text/csv")})
    shown = client.get(page).text
    assert "Not analysed: norate.csv" in shown and "does not state its sampling rate" in shown


@pytest.mark.browser
def test_a_therapist_uploads_the_shoulder_recording_in_a_browser_and_reads_it(browser, server: str,
                                                                              world: World) -> None:
    from reeducate.clinic.demo_showcase import SHOULDER, SHOULDER_MUSCLES
    from reeducate.example_data import fetch

    page = log_in(browser, server, world.emails["therapist"])
    page.set_default_timeout(120_000)  # the reader pool's first start, on a loaded machine
    page.goto(f"{server}/visits/{world.visit_open}")
    with page.expect_navigation():
        page.get_by_role("link", name="Record or see surface EMG").click()
    page.get_by_label("EMG file").set_input_files(str(fetch(SHOULDER)))
    page.get_by_label("Muscles on the channels").fill("\n".join(f"{k} = {v}" for k, v in SHOULDER_MUSCLES.items()))
    page.get_by_label("Agonist / antagonist pairs").fill("Biceps brachii / Triceps brachii")
    page.screenshot(path=str(SHOTS / "emg-upload-form.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and analyse").click()
    text = page.inner_text("main")  # the tests' queue runs the job before the page is shown
    assert "13 muscles over 5.8 s" in text and "Firing order: Biceps brachii, then" in text
    page.screenshot(path=str(SHOTS / "emg-visit.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("link", name="Open the recording").first.click()
    page.wait_for_load_state("networkidle")
    for image in page.locator("img[src^='/emg-recordings/']").all():
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), image.get_attribute("src")
    main = page.inner_text("main")
    assert "Biceps brachii/Triceps brachii co-contraction index" in main and "Read before using these results" in main
    page.screenshot(path=str(SHOTS / "emg-recording.png"), full_page=True)


def test_the_fatigue_record_shows_its_falling_median_frequency_and_plot(client: TestClient, world: World,
                                                                        world_engine: Engine) -> None:
    from tests.web.test_authorization import _emg_fatigue_recorded

    _emg_fatigue_recorded(world_engine, world)
    browser_login(client, world, "therapist")
    listing = client.get(f"/visits/{world.visit_open}/emg").text
    recording_id = int(listing.split('href="/emg-recordings/')[1].split('"')[0])
    shown = client.get(f"/emg-recordings/{recording_id}").text
    assert "Biceps brachii: median frequency fell" in shown and f"/emg-recordings/{recording_id}/fatigue.svg" in shown
    assert "clipped" in shown, "the amplifier's limit is said"
    svg = client.get(f"/emg-recordings/{recording_id}/fatigue.svg")
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
