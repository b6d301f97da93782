"""What any visitor meets before logging in: the icon, an address that leads nowhere, and the security
headers (HSTS outside development)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reeducate.web.app import HSTS, create_app
from tests.web.conftest import settings_for_tests

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for_tests(tmp_path))) as client:
        yield client


def test_an_unknown_address_shows_a_browser_a_page_with_the_way_home(site: TestClient) -> None:
    response = site.get("/patients-list", headers={"accept": BROWSER})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "There is no page at /patients-list" in response.text and '<a href="/">' in response.text
    assert '<link rel="stylesheet" href="/static/style.css">' in response.text  # the base template


@pytest.mark.parametrize("path, accept", [("/api/v1/nowhere", BROWSER), ("/api", BROWSER), ("/nowhere", "*/*"),
                                          ("/nowhere", "application/json")])
def test_an_unknown_address_answers_json_under_the_api_or_to_a_client_not_asking_for_html(
        site: TestClient, path: str, accept: str) -> None:
    response = site.get(path, headers={"accept": accept})
    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})


def test_the_icon_is_ours_as_svg_where_browsers_look_for_it(site: TestClient) -> None:
    linked, asked = site.get("/static/favicon.svg"), site.get("/favicon.ico")
    assert linked.status_code == asked.status_code == 200
    assert linked.headers["content-type"] == asked.headers["content-type"] == "image/svg+xml"
    assert linked.content == asked.content and b"<svg" in asked.content
    assert '<link rel="icon" href="/static/favicon.svg"' in site.get("/login").text


def test_outside_development_every_answer_tells_browsers_to_use_https_only(site: TestClient, tmp_path: Path) -> None:
    for path in ("/login", "/healthz", "/nowhere", "/static/style.css"):
        assert site.get(path).headers["strict-transport-security"] == HSTS == "max-age=31536000; includeSubDomains"
    with TestClient(create_app(settings_for_tests(tmp_path, environment="development"))) as development:
        assert "strict-transport-security" not in development.get("/login").headers
