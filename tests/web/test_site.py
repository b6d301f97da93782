"""What any visitor meets before logging in: the API docs, the icon, and an address that leads nowhere."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reeducate.web.app import SECURITY_HEADERS, create_app
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


def test_the_docs_run_swagger_ui_from_the_app_itself_under_the_strict_csp(site: TestClient) -> None:
    page = site.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    assert "script-src 'self';" in page.headers["content-security-policy"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    assert scripts and all('src="/static/' in attributes and not body.strip() for attributes, body in scripts)
    for asset in re.findall(r'(?:src|href)="(/[^"]+)"', page.text):
        assert site.get(asset).status_code == 200, asset
    assert 'data-openapi-url="/openapi.json"' in page.text and site.get("/openapi.json").status_code == 200


def test_redoc_is_off(site: TestClient) -> None:
    assert site.get("/redoc").status_code == 404
