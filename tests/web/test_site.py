"""What any visitor meets before logging in: the API docs and the icon."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reeducate.web.app import SECURITY_HEADERS, create_app
from tests.web.conftest import settings_for_tests


@pytest.fixture
def site(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for_tests(tmp_path))) as client:
        yield client


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
