"""Pages for people: one date format, a moment shown on the clinic's own day, money and minutes with
their unit, labels rather than codes, plain words for the patient, and a visit page that offers only
what will work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import Engine

from reeducate.clinic.access import Actor
from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import User, Visit
from reeducate.clinic.services import training
from reeducate.measures import catalogue
from reeducate.web.templating import money, templates
from tests.support import World
from tests.web.conftest import bearer
from tests.web.test_visit_page import check_in_today

LATE_EVENING = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
"""Thursday 19 November, 19:30 in Chicago: already Friday in UTC."""


@dataclass(frozen=True)
class _Login:
    timezone: str


def _render(source: str, **values: object) -> str:
    return templates.env.from_string(source).render(**values)


def test_a_moment_is_shown_on_the_day_and_at_the_hour_of_the_logged_in_clinic() -> None:
    shown = _render("{{ m | day }} {{ m | hm }}", m=LATE_EVENING, login=_Login("America/Chicago"))
    assert shown == "Thu 19 Nov 2026 19:30"


def test_a_zone_a_page_names_wins_and_a_public_page_shows_utc() -> None:
    assert _render("{{ m | day('Asia/Tokyo') }}", m=LATE_EVENING, login=_Login("America/Chicago")) \
        == "Fri 20 Nov 2026"
    assert _render("{{ m | day }}", m=LATE_EVENING, login=None) == "Fri 20 Nov 2026"


def test_a_birth_date_reads_without_its_weekday() -> None:
    assert _render("{{ d | date }} · {{ d | day }}", d=date(1948, 3, 7), login=None) == "07 Mar 1948 · Sun 07 Mar 1948"


def test_money_has_its_dollar_sign_cents_and_thousands() -> None:
    assert [money(v) for v in (Decimal("1234"), Decimal("85.5"), 0, Decimal("-5"), None)] \
        == ["$1,234.00", "$85.50", "$0.00", "-$5.00", "—"]


def test_a_visit_late_in_the_evening_shows_the_clinic_s_date_on_every_page(client: TestClient, world: World,
                                                                            world_engine: Engine) -> None:
    with unit_of_work(make_session_factory(world_engine)) as session:
        session.get(Visit, world.visit_done).checked_in_at = LATE_EVENING
    therapist = bearer(client, world, "therapist")
    for page in (f"/patients/{world.p1}", f"/visits/{world.visit_done}/note", f"/visits/{world.visit_done}/billing",
                 f"/visits/{world.visit_done}/training", f"/visits/{world.visit_done}"):
        text = client.get(page, headers=therapist).text
        assert "Thu 19 Nov 2026" in text and "Fri 20 Nov 2026" not in text, page
    portal = client.get("/portal", headers=bearer(client, world, "patient")).text
    assert "Thu 19 Nov 2026" in portal and "Fri 20 Nov 2026" not in portal


def test_the_chart_shows_a_birth_date_in_words_and_each_activity_s_minutes_with_their_unit(
        client: TestClient, world: World) -> None:
    chart = client.get(f"/patients/{world.p1}", headers=bearer(client, world, "therapist")).text
    assert "born 04 May 1960" in chart and "1960-05-04" not in chart
    assert "Gait training 20 min" in chart


def test_billing_pages_write_money_one_way(client: TestClient, world: World) -> None:
    desk = bearer(client, world, "front_desk")
    for page in (f"/visits/{world.visit_done}/billing", f"/claims/{world.claim}", "/billing"):
        text = client.get(page, headers=desk).text
        assert "${{" not in text and ".00</td>" in text, page


def test_the_patient_reads_their_progress_without_clinicians_abbreviations(client: TestClient,
                                                                            world: World) -> None:
    therapist = bearer(client, world, "therapist")
    second = client.post(f"/api/v1/visits/{world.visit_open}/measures/berg", headers=therapist,
                         json={"responses": [4] * 14})
    assert second.status_code == 201, second.text
    seen_by_patient = client.get(f"/episodes/{world.episode}/progress", headers=bearer(client, world, "patient"))
    assert seen_by_patient.status_code == 200
    assert "MDC" not in seen_by_patient.text and "MCID" not in seen_by_patient.text
    assert "has improved by more than the ups and downs this test usually shows" in seen_by_patient.text
    assert "Beyond MDC" in client.get(f"/episodes/{world.episode}/progress", headers=therapist).text


def test_the_minutes_form_offers_the_activity_of_the_visit_s_kind(client: TestClient, world: World) -> None:
    page = client.get(f"/visits/{world.visit_open}", headers=bearer(client, world, "therapist")).text
    assert '<option value="neuromuscular_reeducation" selected>' in page
    assert '<option value="evaluation" selected>' not in page


def test_the_complete_button_is_hidden_while_completion_would_be_refused_and_the_reason_shown(
        client: TestClient, world: World) -> None:
    visit_id = check_in_today(client, world)
    page = client.get(f"/visits/{visit_id}", headers=bearer(client, world, "therapist")).text
    assert 'id="completion-refusal">Record the minutes spent per activity' in page
    assert f'href="/visits/{visit_id}/complete"' not in page


def test_the_training_page_names_the_exercise_the_device_and_who_reported_pain(
        client: TestClient, world: World, world_engine: Engine) -> None:
    with unit_of_work(make_session_factory(world_engine)) as session:
        therapist = Actor.of(session.get(User, world.user_ids["therapist"]))
        started = training.start(session, therapist, world.visit_open, exercise_id="mini-squat",
                                 monitor="camera-side", side="left", source="camera")
        training.report_pain(session, therapist, started.id, {"repetitions": 6, "mean_score": 71.64},
                             score=3, at_s=42.25, reported_by="patient")
    page = client.get(f"/visits/{world.visit_open}/training", headers=bearer(client, world, "therapist")).text
    row = page[page.index('<table id="records">'):]
    assert "Mini squat (left)" in row and "mini-squat" not in row
    assert "<td>Camera-side</td>" in row and "(Patient)" in row and "<td>72</td>" in row


def test_a_patient_answers_a_questionnaire_in_plain_words_with_a_way_back(client: TestClient, world: World) -> None:
    """The portal's questionnaire speaks to the patient: no clinician's summary or licence note, a plain
    button, and a way back to their care; the clinician's form keeps them."""
    measure = catalogue.instruments()["nprs"]
    mine = client.get(f"/portal/questionnaires/{world.episode}/nprs", headers=bearer(client, world, "patient")).text
    assert "Send my answers" in mine and 'href="/portal">Back to My care' in mine
    assert escape(measure.licence) not in mine and escape(measure.purpose) not in mine
    theirs = client.get(f"/visits/{world.visit_open}/measures/nprs", headers=bearer(client, world, "therapist")).text
    assert f"Save {measure.abbreviation}" in theirs and escape(measure.licence) in theirs
