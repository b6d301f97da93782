"""FHIR over the web: the episode downloaded as a Bundle (API and the episode page's link), and a referral
Bundle imported through the API and the import page, refused with its reasons and nothing stored."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from reeducate.clinic.models import Episode, Patient
from tests.clinic.test_fhir_exchange import _set, referral
from tests.support import World
from tests.web.browsing import SHOTS, log_in
from tests.web.conftest import bearer


def _counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        return session.scalar(select(func.count(Patient.id))) or 0, session.scalar(select(func.count(Episode.id))) or 0


def test_the_episode_downloads_as_a_fhir_bundle(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    page = client.get(f"/episodes/{world.episode}", headers=headers).text
    assert f'href="/api/v1/episodes/{world.episode}/fhir" download>Download as FHIR</a>' in page
    reply = client.get(f"/api/v1/episodes/{world.episode}/fhir", headers=headers)
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/fhir+json"
    assert reply.headers["content-disposition"].startswith(f'attachment; filename="episode-{world.episode}-MRN')
    bundle = Bundle.model_validate_json(reply.text)
    assert bundle.type == "collection" and bundle.entry[0].resource.name[0].family == "Quennell"


def test_the_front_desk_sees_neither_the_download_nor_the_import(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "front_desk")
    assert client.get(f"/api/v1/episodes/{world.episode}/fhir", headers=headers).status_code == 403
    assert "/referrals/import" not in client.get("/patients", headers=headers).text
    assert client.get("/referrals/import", headers=headers).status_code == 403


def test_the_api_imports_a_referral(client: TestClient, world: World, world_engine: Engine) -> None:
    headers = bearer(client, world, "therapist") | {"Content-Type": "application/fhir+json"}
    reply = client.post("/api/v1/fhir/referrals", headers=headers, content=referral())
    assert reply.status_code == 201, reply.text
    body = reply.json()
    episode = client.get(f"/api/v1/episodes/{body['episode_id']}", headers=headers).json()
    assert episode["patient_id"] == body["patient_id"] and not body["attached"]
    assert [d["code"] for d in episode["diagnoses"]] == ["Z96.651", "Z91.81"]
    assert episode["referring_provider_npi"] == "1987654328" and episode["condition"] == "knee_replacement"


def test_the_api_refuses_a_malformed_referral_with_its_reasons(client: TestClient, world: World,
                                                               world_engine: Engine) -> None:
    before = _counts(world_engine)
    headers = bearer(client, world, "chiropractor")
    bad = referral(lambda b: (_set("Condition[0].code.coding.0.code", "M54.5")(b),
                              _set("Practitioner.identifier.0.value", "1234567890")(b)))
    reply = client.post("/api/v1/fhir/referrals", headers=headers, content=bad)
    assert reply.status_code == 422
    reasons = reply.json()["reasons"]
    assert len(reasons) == 2
    assert any(r.startswith("Condition 1: M54.5 (Low back pain) is a category") for r in reasons)
    assert any("NPI 1234567890 is not valid" in r for r in reasons)
    not_json = client.post("/api/v1/fhir/referrals", headers=headers, content=b"<Bundle/>")
    assert not_json.status_code == 422 and not_json.json()["reasons"][0].startswith("The file is not JSON")
    assert _counts(world_engine) == before


def test_the_import_page_opens_the_episode(client: TestClient, world: World, world_engine: Engine) -> None:
    headers = bearer(client, world, "therapist")
    assert 'href="/referrals/import">Import a referral (FHIR)</a>' in client.get("/patients", headers=headers).text
    assert 'name="file"' in client.get("/referrals/import", headers=headers).text
    reply = client.post("/referrals/import", headers=headers,
                        files={"file": ("referral.json", referral(), "application/fhir+json")}, data={"condition": ""})
    assert reply.status_code == 303
    page = client.get(reply.headers["location"], headers=headers).text
    assert "Episode opened." in page and "Marisol Okonkwo-Hale" in page and "Z96.651" in page


def test_the_import_page_shows_every_reason_and_offers_the_chart_of_the_same_person(
        client: TestClient, world: World, world_engine: Engine) -> None:
    headers = bearer(client, world, "therapist")
    first = client.post("/api/v1/fhir/referrals", headers=headers, content=referral()).json()
    before = _counts(world_engine)
    bad = referral(lambda b: _resource_status(b, "draft"))
    refused = client.post("/referrals/import", headers=headers, files={"file": ("r.json", bad, "application/json")})
    text = html.unescape(refused.text)
    assert refused.status_code == 422 and "nothing was stored" in text
    assert "<li>The ServiceRequest's status is draft; only an active referral is imported.</li>" in text
    again = client.post("/referrals/import", headers=headers, files={"file": ("r.json", referral(), "application/json")})
    assert again.status_code == 422 and "is already registered with this name and date of birth" in again.text
    assert f'name="existing_patient_id" value="{first["patient_id"]}"' in again.text
    assert _counts(world_engine) == before
    attached = client.post("/referrals/import", headers=headers, data={"existing_patient_id": str(first["patient_id"])},
                           files={"file": ("r.json", referral(), "application/json")})
    assert attached.status_code == 303
    assert _counts(world_engine) == (before[0], before[1] + 1)


def test_the_import_page_asks_for_the_file(client: TestClient, world: World) -> None:
    reply = client.post("/referrals/import", headers=bearer(client, world, "therapist"), data={"condition": ""})
    assert reply.status_code == 422 and "Choose the referral's file" in html.unescape(reply.text)


def _resource_status(bundle: dict[str, Any], status: str) -> None:
    next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "ServiceRequest")["status"] = status



def test_a_therapist_imports_a_referral_in_the_browser(browser, server: str, world: World,  # type: ignore[no-untyped-def]
                                                       tmp_path: Path) -> None:
    bad, good = tmp_path / "bad.json", tmp_path / "referral.json"
    bad.write_bytes(referral(_set("Condition[1].code.coding.0.code", "M54.5")))
    good.write_bytes(referral())
    page = log_in(browser, server, world.emails["therapist"], width=390)
    page.goto(f"{server}/patients")
    page.screenshot(path=str(SHOTS / "referral-import-link.png"))
    page.get_by_role("link", name="Import a referral (FHIR)").click()
    page.get_by_label("Referral file").set_input_files(str(bad))
    page.get_by_role("button", name="Import the referral").click()
    alert = page.get_by_role("alert")
    assert "Condition 2: M54.5 (Low back pain) is a category" in alert.inner_text()
    page.screenshot(path=str(SHOTS / "referral-import-refused.png"), full_page=True)
    page.get_by_label("Referral file").set_input_files(str(good))
    page.get_by_role("button", name="Import the referral").click()
    page.wait_for_url(re.compile(r".*/episodes/\d+\?opened=1"))
    assert "Marisol Okonkwo-Hale" in page.inner_text("h1")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as FHIR").click()
    assert download.value.suggested_filename.endswith(".fhir.json")
    Bundle.model_validate_json(Path(download.value.path()).read_text())
