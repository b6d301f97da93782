"""Edge inputs get a 4xx that says what is wrong, never a 500, on SQLite and on PostgreSQL (which refuses
a NUL character in text and text longer than its column): a NUL byte, a very long value and a
non-finite number, sent to every search and to a representative set of API bodies and page forms."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reeducate.clinic.access import Actor
from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import User
from reeducate.clinic.services import notes
from reeducate.web.app import create_app
from reeducate.web.security import LOGIN_CSRF_COOKIE
from tests.support import PASSWORD, StoredWorld, World, local
from tests.web.conftest import bearer, settings_for_tests

NUL = "tulip\x00lantern"
LONG = "x" * 50_000  # longer than any field allows, within what a URL may carry
THOUSAND_WORDS = " ".join(["balance"] * 1000)


@dataclasses.dataclass(frozen=True)
class Probe:
    """One request carrying ``bad`` where text (or a number) goes; by ``persona`` (None: not logged in)."""

    name: str
    method: str
    path: str
    query: Callable[[World, Any], dict[str, Any]] | None = None
    json: Callable[[World, Any], Any] | None = None
    form: Callable[[World, Any], dict[str, Any]] | None = None
    persona: str | None = "therapist"


SEARCHES = [
    Probe("patient search (API)", "GET", "/api/v1/patients", query=lambda w, bad: {"q": bad}),
    Probe("patient search (page)", "GET", "/patients", query=lambda w, bad: {"q": bad}),
]
TEXTS = [
    *SEARCHES,
    Probe("register a patient (API)", "POST", "/api/v1/patients", json=lambda w, bad: {
        "first_name": bad, "last_name": "Newcomb", "date_of_birth": "1980-01-02", "sex": "female"}),
    Probe("register a patient (page)", "POST", "/patients/new", form=lambda w, bad: {
        "first_name": "Nora", "last_name": bad, "date_of_birth": "1980-01-02", "sex": "female",
        "plan_kind": "self_pay"}),
    Probe("change demographics", "PATCH", "/api/v1/patients/{w.p1}", json=lambda w, bad: {"city": bad}),
    Probe("add insurance", "POST", "/api/v1/patients/{w.p1}/coverages", json=lambda w, bad: {
        "plan_kind": "commercial", "payer_name": bad}),
    Probe("open an episode", "POST", "/api/v1/patients/{w.p1}/episodes", json=lambda w, bad: {
        "condition": "sciatica", "diagnoses": ["M54.41"], "summary": bad}),
    Probe("add a diagnosis", "POST", "/api/v1/episodes/{w.episode}/diagnoses", json=lambda w, bad: {"code": bad}),
    Probe("book (API)", "POST", "/api/v1/appointments", json=lambda w, bad: {
        "patient_id": w.p1, "provider_id": w.user_ids["therapist"], "location_id": w.location_id,
        "starts_at": local(1, 10).isoformat(), "reason": bad}),
    Probe("book (page)", "POST", "/appointments/new", form=lambda w, bad: {
        "patient_id": w.p1, "provider_id": w.user_ids["therapist"], "date": local(1, 0).date().isoformat(),
        "time": "11:00", "reason": bad}),
    Probe("cancel (API)", "POST", "/api/v1/appointments/{w.appt_future}/cancel", json=lambda w, bad: {"reason": bad}),
    Probe("cancel (page)", "POST", "/appointments/{w.appt_future}/cancel", form=lambda w, bad: {"reason": bad}),
    Probe("request a time (portal)", "POST", "/portal/requests", persona="patient", form=lambda w, bad: {
        "date": local(1, 0).date().isoformat(), "time": "15:00", "reason": bad}),
    Probe("edit the note (API)", "PUT", "/api/v1/visits/{w.visit_open}/note", json=lambda w, bad: {"plan": bad}),
    Probe("edit the note (page)", "POST", "/visits/{w.visit_open}/note", form=lambda w, bad: {
        "subjective": bad, "objective": "o", "assessment": "a", "plan": "p", "nmr_minutes": "15",
        "action": "save"}),
    Probe("add an addendum (API)", "POST", "/api/v1/visits/{w.visit_done}/note/addenda",
          json=lambda w, bad: {"text": bad}),
    Probe("add an addendum (page)", "POST", "/visits/{w.visit_done}/note", form=lambda w, bad: {
        "addendum": bad, "action": "addendum"}),
    Probe("minutes per code (API)", "PUT", "/api/v1/visits/{w.visit_open}/billing",
          json=lambda w, bad: [{"code": "97112", "minutes": 15, "region": bad}]),
    Probe("minutes per code (page)", "POST", "/visits/{w.visit_open}/billing", form=lambda w, bad: {
        "code": "97112", "minutes": "15", "assistant_minutes": "", "region": bad}),
    Probe("a payer's 271", "POST", "/api/v1/coverages/{w.coverage}/eligibility-response",
          json=lambda w, bad: {"x12": bad}),
    Probe("edit a patient (page)", "POST", "/patients/{w.p1}/edit", form=lambda w, bad: {
        "first_name": "Penny", "last_name": "Quennell", "date_of_birth": "1950-02-03", "sex": "female",
        "emergency_contact_name": bad}),
    Probe("correct a coverage (API)", "PATCH", "/api/v1/coverages/{w.coverage}",
          json=lambda w, bad: {"subscriber_relationship": "spouse", "subscriber_first_name": bad}),
    Probe("correct a coverage (page)", "POST", "/coverages/{w.coverage}/edit", form=lambda w, bad: {
        "plan_kind": "medicare", "payer_name": "Medicare", "member_id": bad}),
    Probe("end a coverage (page)", "POST", "/coverages/{w.coverage}/deactivate", form=lambda w, bad: {"reason": bad}),
    Probe("a payer's 271 (page)", "POST", "/coverages/{w.coverage}/eligibility", form=lambda w, bad: {"x12": bad}),
    Probe("the billing worklist's payer", "GET", "/billing", query=lambda w, bad: {"payer": bad}),
    Probe("a claim's void (API)", "POST", "/api/v1/claims/{w.claim}/void", json=lambda w, bad: {"reason": bad}),
    Probe("a claim's replacement (page)", "POST", "/claims/{w.claim}/replacement", form=lambda w, bad: {"reason": bad}),
    Probe("log in (API)", "POST", "/api/v1/auth/login", persona=None,
          json=lambda w, bad: {"email": bad, "password": PASSWORD}),
    Probe("log in (page)", "POST", "/login", persona=None, form=lambda w, bad: {
        "email": bad, "password": PASSWORD}),
    # issue 20: exercise reminders
    Probe("a reminder's e-mail (portal)", "POST", "/portal/reminders", persona="patient", form=lambda w, bad: {
        "enabled": "on", "email": bad, "at_local": "08:00"}),
    Probe("a reminder's time (portal)", "POST", "/portal/reminders", persona="patient", form=lambda w, bad: {
        "enabled": "on", "email": "me@home.example", "at_local": bad}),
]
NUMBERS = [
    Probe("a goal (API)", "PUT", "/api/v1/episodes/{w.episode}/goals/tug", json=lambda w, bad: {"target": bad}),
    Probe("a goal (page)", "POST", "/episodes/{w.episode}/goals", form=lambda w, bad: {
        "measure_id": "tug", "target": str(bad)}),
    Probe("a timed measure (API)", "POST", "/api/v1/visits/{w.visit_open}/measures/tug",
          json=lambda w, bad: {"responses": {"seconds": bad}}),
    Probe("a timed measure (page)", "POST", "/visits/{w.visit_open}/measures/tug",
          form=lambda w, bad: {"seconds": str(bad)}),
    Probe("a rated measure (page)", "POST", "/visits/{w.visit_open}/measures/berg",
          form=lambda w, bad: {f"item-{n}": str(bad) for n in range(1, 15)}),
    Probe("a questionnaire (portal)", "POST", "/portal/questionnaires/{w.episode}/nprs", persona="patient",
          form=lambda w, bad: {"item-1": str(bad)}),
    Probe("minutes per activity (page)", "POST", "/visits/{w.visit_open}/activities",
          form=lambda w, bad: {"activity": "gait_training", "minutes": str(bad)}),
]


@pytest.fixture
def edge(engine: Engine, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[TestClient, World]]:
    """An app on the world stored in each kind of database, with the open visit's note drafted."""
    stored: StoredWorld = request.getfixturevalue(f"{engine.dialect.name}_world")
    stored.copy_into(engine)
    shutil.copytree(stored.recordings, tmp_path / "recordings")
    world = stored.world
    with unit_of_work(make_session_factory(engine)) as session:
        notes.start_draft(session, Actor.of(session.get(User, world.user_ids["therapist"])), world.visit_open)
    settings = settings_for_tests(tmp_path, recordings_dir=tmp_path / "recordings")
    with TestClient(create_app(settings, engine), follow_redirects=False, raise_server_exceptions=False) as client:
        yield client, world


def _answers(client: TestClient, world: World, probes: list[Probe], values: list[Any]) -> dict[str, int]:
    """The status of each probe with each value, by '<probe> <- <value>'."""
    headers = {persona: bearer(client, world, persona) for persona in ("therapist", "patient")}
    login_csrf = client.get("/login").cookies[LOGIN_CSRF_COOKIE]  # the log-in form's own token
    found = {}
    for probe in probes:
        for value in values:
            shown = repr(value) if len(repr(value)) < 30 else f"{len(value)} characters"
            sent = headers[probe.persona] if probe.persona else {}
            if probe.json:  # as a client may write it: NaN and Infinity as JavaScript's names, which json reads
                sent = {**sent, "content-type": "application/json"}
            response = client.request(
                probe.method, probe.path.format(w=world, bad=value), headers=sent,
                params=probe.query(world, value) if probe.query else None,
                content=json.dumps(probe.json(world, value)) if probe.json else None,
                data={**probe.form(world, value), "csrf_token": login_csrf} if probe.form else None)
            found[f"{probe.name} <- {shown}"] = response.status_code
    return found


def _not_4xx(answers: dict[str, int]) -> list[str]:
    return [f"{status}: {probe}" for probe, status in answers.items() if not 400 <= status < 500]


def test_a_nul_or_a_very_long_text_is_refused_with_a_4xx(edge: tuple[TestClient, World], frozen: None) -> None:
    answers = _answers(*edge, TEXTS + NUMBERS, [NUL, LONG])  # a number field gets text too
    assert _not_4xx(answers) == [], "\n".join(_not_4xx(answers))


def test_a_refusal_of_a_nul_says_where_it_is_and_what_to_do(edge: tuple[TestClient, World], frozen: None) -> None:
    client, world = edge
    therapist = bearer(client, world, "therapist")
    registered = client.post("/api/v1/patients", headers=therapist, json={
        "first_name": NUL, "last_name": "Newcomb", "date_of_birth": "1980-01-02", "sex": "female"})
    assert registered.json()["detail"] == ("first_name: Value error, must not contain a NUL character (\\x00); "
                                           "retype the text")
    searched = client.get("/patients", params={"q": NUL}, headers=therapist)
    assert searched.status_code == 422 and "The search must not contain a NUL character" in searched.text


def test_a_search_of_a_thousand_words_says_to_search_with_fewer(edge: tuple[TestClient, World],
                                                                 frozen: None) -> None:
    client, world = edge
    answers = _answers(client, world, SEARCHES, [THOUSAND_WORDS])
    assert set(answers.values()) == {422}, answers
    response = client.get("/api/v1/patients", params={"q": THOUSAND_WORDS}, headers=bearer(client, world, "therapist"))
    assert "at most 100 characters" in response.json()["detail"]


IDS = [
    Probe("a patient (API)", "GET", "/api/v1/patients/{bad}"),
    Probe("a visit (API)", "GET", "/api/v1/visits/{bad}"),
    Probe("a chart (page)", "GET", "/patients/{bad}"),
    Probe("the booking form's patient", "GET", "/appointments/new", query=lambda w, bad: {"patient_id": bad}),
    Probe("an appointment's provider", "POST", "/api/v1/appointments", json=lambda w, bad: {
        "patient_id": w.p1, "provider_id": int(bad), "location_id": w.location_id,
        "starts_at": local(1, 10).isoformat()}),
]


def test_an_id_too_large_for_the_database_is_not_found(edge: tuple[TestClient, World], frozen: None) -> None:
    client, world = edge
    answers = _answers(client, world, IDS, [str(2**31), str(2**63), "9" * 40])
    assert _not_4xx(answers) == [], "\n".join(_not_4xx(answers))
    superscript = client.get("/appointments/new", params={"patient_id": "²"},  # a digit int() does not read
                             headers=bearer(client, world, "front_desk"))
    assert superscript.status_code == 200


def test_a_non_finite_number_is_refused_with_a_4xx(edge: tuple[TestClient, World], frozen: None) -> None:
    answers = _answers(*edge, NUMBERS, [float("nan"), float("inf")])
    assert _not_4xx(answers) == [], "\n".join(_not_4xx(answers))
