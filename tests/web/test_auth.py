"""Log-in, sessions, CSRF, lock-out and the refusal to start with a default secret."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from reeducate.clinic.access import Actor
from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import AuthSession, Clinic, User
from reeducate.clinic.services.users import create_user
from reeducate.clinic.vocabulary import Role
from reeducate.settings import InsecureSettingsError, Settings
from reeducate.web.app import create_app
from tests.support import NOW, PASSWORD, World
from tests.web.conftest import bearer, browser_login


def test_passwords_are_stored_as_argon2id_hashes(world_engine: Engine) -> None:
    with world_engine.connect() as connection:
        hashes = connection.scalars(select(User.password_hash)).all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(PASSWORD in h for h in hashes)


def test_only_a_digest_of_the_session_token_is_stored(client: TestClient, world: World, world_engine: Engine) -> None:
    token = bearer(client, world, "therapist")["Authorization"].split()[1]
    with world_engine.connect() as connection:
        stored = connection.scalars(select(AuthSession.token_sha256)).all()
    assert token not in stored and len(stored[-1]) == 64


def test_a_password_is_checked_exactly_as_typed_blanks_included(client: TestClient, world: World,
                                                               world_engine: Engine) -> None:
    password = "  maple kettle orbit "  # any printing character and the space (NIST SP 800-63B-4)
    with unit_of_work(make_session_factory(world_engine)) as session:
        create_user(session, Actor.system("tests"), clinic=session.get(Clinic, world.clinic_id),
                    email="kim.lee@example.org", full_name="Kim Lee", role=Role.FRONT_DESK, password=password)
    for typed, status in ((password, 200), (password.strip(), 401)):
        response = client.post("/api/v1/auth/login", json={"email": "kim.lee@example.org", "password": typed})
        assert response.status_code == status, response.text


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client: TestClient, world: World) -> None:
    for email in (world.emails["therapist"], "nobody@example.org"):
        response = client.post("/api/v1/auth/login", json={"email": email, "password": "wrong password"})
        assert response.status_code == 401
        assert response.json()["detail"] == "The e-mail or the password is wrong."


def test_log_ins_are_locked_after_five_failures_even_with_the_right_password(client: TestClient, world: World) -> None:
    email = world.emails["front_desk"]
    for _ in range(5):
        assert client.post("/api/v1/auth/login", json={"email": email, "password": "guess 12345"}).status_code == 401
    locked = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert locked.status_code == 429 and "wait 15 minutes" in locked.json()["detail"]
    with time_machine.travel(NOW + timedelta(minutes=16), tick=False):
        assert client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).status_code == 200


def test_a_session_ends_after_thirty_idle_minutes(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
        assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_logging_out_ends_the_session(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_the_session_cookie_is_http_only_and_same_site(client: TestClient, world: World) -> None:
    page = client.get("/login")
    response = client.post("/login", data={"email": world.emails["therapist"], "password": PASSWORD,
                                           "csrf_token": page.cookies["reeducate_login_csrf"]})
    cookie = next(v for k, v in response.headers.multi_items()
                  if k == "set-cookie" and v.startswith("reeducate_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(client: TestClient, world: World) -> None:
    token = browser_login(client, world, "front_desk")
    refused = client.post(f"/appointments/{world.appt_future}/cancel", data={"reason": "forged"})
    assert refused.status_code == 403 and "security token" in refused.text
    refused = client.post(f"/api/v1/appointments/{world.appt_future}/cancel", json={"reason": "forged"})
    assert refused.status_code == 403
    assert client.get(f"/api/v1/appointments/{world.appt_future}").json()["status"] == "booked"
    accepted = client.post(f"/appointments/{world.appt_future}/cancel", data={"csrf_token": token, "reason": "ill"})
    assert accepted.status_code == 303


def test_the_log_in_form_needs_its_own_csrf_cookie(client: TestClient, world: World) -> None:
    response = client.post("/login", data={"email": world.emails["therapist"], "password": PASSWORD,
                                           "csrf_token": "made-up"})
    assert response.status_code == 403 and "reeducate_session" not in response.cookies


def test_log_in_never_redirects_to_another_site(client: TestClient, world: World) -> None:
    page = client.get("/login")
    response = client.post("/login", data={"email": world.emails["therapist"], "password": PASSWORD,
                                           "csrf_token": page.cookies["reeducate_login_csrf"],
                                           "next": "//evil.example/steal"})
    assert response.headers["location"] == "/schedule"


def test_pages_say_not_to_cache_and_not_to_frame(client: TestClient, world: World) -> None:
    response = client.get(f"/api/v1/patients/{world.p1}", headers=bearer(client, world, "therapist"))
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_browser_libraries_are_kept_a_day_and_the_pose_pages_alone_may_compile_webassembly(
        client: TestClient, world: World) -> None:
    assert client.get("/static/vendor/htmx.min.js").headers["cache-control"] == "public, max-age=86400"
    assert "cache-control" not in client.get("/static/style.css").headers  # revalidated by its ETag
    browser_login(client, world, "therapist")
    live = client.get(f"/visits/{world.visit_open}/training").headers["content-security-policy"]
    chart = client.get(f"/patients/{world.p1}").headers["content-security-policy"]
    assert "script-src 'self' 'wasm-unsafe-eval';" in live and "'unsafe-eval'" not in live.replace("'wasm-unsafe-eval'", "")
    assert "wasm" not in chart


@pytest.mark.parametrize("environment", ["test", "production"])
def test_the_server_refuses_to_start_outside_development_with_the_default_secret(
        tmp_path: Path, environment: str) -> None:
    with pytest.raises(InsecureSettingsError, match="REEDUCATE_SECRET_KEY"):
        create_app(Settings(environment=environment, home=tmp_path))


def test_development_may_use_the_default_secret(tmp_path: Path) -> None:
    create_app(Settings(environment="development", home=tmp_path))


def test_production_cookies_are_secure(tmp_path: Path) -> None:
    assert Settings(environment="production", secret_key="k" * 40, home=tmp_path).cookies_secure
