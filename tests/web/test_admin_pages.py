"""The administrator's pages in a browser: a refused form is shown again with its values and the
reason (422, nothing stored), the audit log is found by patient name and exported, and a PTA's note
shows the co-signature it awaits with the button for the supervising PT only. Error pages: HTML in a
browser for 403, 404, 405, 422 and 500, JSON under /api."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import User
from reeducate.web.app import create_app
from tests.clinic.test_cosignature import pta_signed_visit
from tests.support import World
from tests.web.conftest import Site, bearer, browser_login, settings_for_tests

BROWSER = {"accept": "text/html,application/xhtml+xml"}


def test_a_refused_account_form_is_shown_again_with_the_reason(client: TestClient, world: World,
                                                               world_engine: Engine) -> None:
    csrf = browser_login(client, world, "admin")
    form = {"csrf_token": csrf, "full_name": "Pat Assist", "email": "pat.assist@example.org", "role": "pt_assistant",
            "credentials": "PTA", "npi": "", "password": "too short"}
    refused = client.post("/admin/users", data=form)
    assert refused.status_code == 422
    assert "use at least 15 characters" in refused.text and 'value="pat.assist@example.org"' in refused.text
    assert "too short" not in refused.text  # a password is never shown back
    with world_engine.connect() as connection:
        assert connection.scalar(select(User.id).where(User.email == "pat.assist@example.org")) is None
    created = client.post("/admin/users", data={**form, "password": "violet lantern orchard canoe"})
    assert created.status_code == 303
    assert "Pat Assist, PTA" in client.get("/admin/users").text


def test_overlapping_hours_are_shown_again_with_the_reason(client: TestClient, world: World) -> None:
    csrf = browser_login(client, world, "admin")
    reply = client.post(f"/admin/locations/{world.location_id}/hours", data={
        "csrf_token": csrf, "opens-0": ["08:00", "11:00"], "closes-0": ["12:00", "18:00"]})
    assert reply.status_code == 422
    assert "Monday: the interval from 11:00 overlaps the one before" in reply.text
    assert 'value="11:00"' in reply.text


def test_the_audit_log_finds_a_patient_by_name_and_exports_the_same_rows(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "admin")
    page = client.get("/admin/audit", params={"patient": "Quennell", "action": "create"}, headers=headers)
    assert page.status_code == 200 and "Penny Quennell" in page.text and "Paul Abernathy" not in page.text
    export = client.get("/admin/audit.csv", params={"patient": "Quennell", "action": "create"}, headers=headers)
    assert export.headers["content-type"].startswith("text/csv")
    lines = export.text.strip().splitlines()
    assert lines[0].startswith("at_utc,who,patient") and all("Penny Quennell" in line for line in lines[1:])
    assert f"{len(lines) - 1} row(s)" in page.text
    exports = client.get("/api/v1/audit-events", params={"action": "export"}, headers=headers).json()
    assert [e["resource_type"] for e in exports] == ["audit_log"] and "patient 'Quennell'" in exports[0]["detail"]


def test_a_pta_note_shows_what_it_awaits_and_the_button_only_to_its_supervising_pt(
        client: TestClient, world: World, world_engine: Engine) -> None:
    with unit_of_work(make_session_factory(world_engine)) as session:
        visit_id = pta_signed_visit(session, world, cosignature=True)
    therapist, chiropractor = bearer(client, world, "therapist"), bearer(client, world, "chiropractor")
    seen_by_dc = client.get(f"/visits/{visit_id}/note", headers=chiropractor).text
    assert "Awaiting the supervising physical therapist" in seen_by_dc and 'value="cosign"' not in seen_by_dc
    assert 'value="cosign"' in client.get(f"/visits/{visit_id}/note", headers=therapist).text
    assert client.get(f"/api/v1/visits/{visit_id}/note", headers=therapist).json()["awaiting_cosignature"]
    billing = client.get(f"/visits/{visit_id}/billing", headers=bearer(client, world, "front_desk")).text
    assert 'id="awaiting-cosignature"' in billing and "Validate and release" not in billing
    cosigned = client.post(f"/visits/{visit_id}/note", headers=therapist, data={"action": "cosign"})
    assert cosigned.status_code == 303
    assert "Co-signed by Therapist" in client.get(f"/visits/{visit_id}/note", headers=therapist).text


@pytest.fixture
def faulty(site: Site, world_engine: Engine) -> Iterator[TestClient]:
    """An app on the world with one route that fails (a 500), answered as a server would."""
    app = create_app(settings_for_tests(site.database.parent), world_engine)
    broken = APIRouter()

    @broken.get("/broken")
    @broken.get("/api/v1/broken")
    def fail() -> None:
        raise RuntimeError("a fault of ours")

    app.include_router(broken)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        yield client


@pytest.mark.parametrize(("path", "method", "status"), [
    ("/no/such/page", "GET", 404), ("/admin", "GET", 403), ("/admin/audit?page=first", "GET", 422),
    ("/admin/audit", "DELETE", 405), ("/broken", "GET", 500)])
def test_a_browser_gets_an_error_page_and_an_api_client_json(faulty: TestClient, world: World, path: str,
                                                            method: str, status: int) -> None:
    headers = {**bearer(faulty, world, "front_desk" if status == 403 else "admin"), **BROWSER}
    page = faulty.request(method, path, headers=headers)
    assert page.status_code == status and page.headers["content-type"].startswith("text/html")
    assert "Back to my home page" in page.text and "a fault of ours" not in page.text
    api = faulty.request(method, "/api/v1" + path if status in (404, 500) else "/api/v1/audit-events?limit=x",
                         headers=headers)
    assert api.headers["content-type"].startswith("application/json") and api.status_code in (status, 422)
