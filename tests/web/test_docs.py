"""The API's documentation: Swagger UI served by the app itself under the strict CSP, open in development,
for logged-in clinic staff everywhere else (a browser is sent to log in, an API client answered 401)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reeducate.web.app import SECURITY_HEADERS, create_app
from tests.support import World
from tests.web.conftest import bearer, browser_login, settings_for_tests

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def development(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for_tests(tmp_path, environment="development"))) as client:
        yield client


def test_in_development_the_docs_run_swagger_ui_from_the_app_itself_under_the_strict_csp(
        development: TestClient) -> None:
    page = development.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    assert "script-src 'self';" in page.headers["content-security-policy"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    assert scripts and all('src="/static/' in attributes and not body.strip() for attributes, body in scripts)
    for asset in re.findall(r'(?:src|href)="(/[^"]+)"', page.text):
        assert development.get(asset).status_code == 200, asset
    assert 'data-openapi-url="/openapi.json"' in page.text
    assert "/api/v1/patients" in development.get("/openapi.json").json()["paths"]


def test_redoc_is_off(development: TestClient) -> None:
    assert development.get("/redoc").status_code == 404


def test_outside_development_the_docs_send_a_browser_to_log_in_and_answer_an_api_client_401(
        client: TestClient) -> None:
    page = client.get("/docs", headers={"accept": BROWSER})
    assert (page.status_code, page.headers["location"]) == (303, "/login?next=/docs")
    document = client.get("/openapi.json")
    assert document.status_code == 401 and "Log in first" in document.json()["detail"]


def test_outside_development_clinic_staff_read_the_docs_and_a_patient_may_not(client: TestClient,
                                                                             world: World) -> None:
    therapist = bearer(client, world, "therapist")
    assert "/api/v1/patients" in client.get("/openapi.json", headers=therapist).json()["paths"]
    refused = client.get("/openapi.json", headers=bearer(client, world, "patient"))
    assert refused.status_code == 403 and refused.json()["detail"] == "The API's documentation is for clinic staff."
    browser_login(client, world, "front_desk")
    page = client.get("/docs", headers={"accept": BROWSER})
    assert page.status_code == 200 and 'data-openapi-url="/openapi.json"' in page.text
    assert client.get("/openapi.json").status_code == 200  # what the page's script fetches, with the cookie
