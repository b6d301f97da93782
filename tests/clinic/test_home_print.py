"""The printed home programme and the exercise figures: who may have them, and what the paper says."""

from __future__ import annotations

from datetime import timedelta

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Forbidden, NotFound
from reeducate.clinic.models import AuditEvent, Patient, User
from reeducate.clinic.services import home_print, home_programmes
from reeducate.clinic.services.home_programmes import HomeItemInput, HomeProgrammeInput
from reeducate.clinic.vocabulary import AuditAction
from tests.support import NOW, World

TODAY = NOW.date()  # Wednesday 25 November 2026
SQUAT = HomeItemInput(exercise_id="mini-squat", monitor="camera-side", side="left", sets=2, reps=10, weekdays=[1, 3, 5],
                      notes="Hold the kitchen counter.")
CHIN_TUCK = HomeItemInput(exercise_id="chin-tuck", sets=10, hold_s=10, weekdays=[1, 2, 3, 4, 5, 6, 7])


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def prescribed(session: Session, world: World) -> None:
    home_programmes.prescribe(session, actor(session, world, "therapist"), world.episode, HomeProgrammeInput(
        starts_on=TODAY - timedelta(days=2), ends_on=TODAY + timedelta(days=20),
        notes_for_patient="Little and often. Stop if the knee swells.", items=[SQUAT, CHIN_TUCK]))


def text_of(pdf: bytes) -> str:
    return " ".join("".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf)).split())


def test_a_patient_sees_the_figures_of_their_own_exercises_only(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        prescribed(session, records)
        patient, other = actor(session, records, "patient"), actor(session, records, "other_patient")
        figure = home_print.figure(session, patient, "mini-squat")
        assert figure.svg.startswith(b"<svg") and "Mini squat" in figure.alt and len(figure.sha256) == 64
        unknown = str(pytest.raises(NotFound, home_print.figure, session, patient, "no-such").value)
        for who, exercise_id in ((patient, "squat"), (other, "mini-squat")):
            with pytest.raises(NotFound) as refused:
                home_print.figure(session, who, exercise_id)
            assert str(refused.value) == unknown.replace("no-such", exercise_id)  # as for an unknown exercise
        with pytest.raises(NotFound):  # prescribed, but a figure cannot show it
            home_print.figure(session, patient, "chin-tuck")


def test_staff_see_any_exercises_figure(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        for persona in ("therapist", "front_desk", "admin"):
            assert home_print.figure(session, actor(session, records, persona), "squat").svg.startswith(b"<svg")
        assert home_print.has_figure("squat") and not home_print.has_figure("two-foot-stance")


@pytest.mark.slow
def test_the_printed_programme_says_what_to_do_when_and_has_a_chart(factory: sessionmaker[Session],
                                                                     records: World) -> None:
    with unit_of_work(factory) as session:
        prescribed(session, records)
        name, pdf = home_print.for_episode(session, actor(session, records, "therapist"), records.episode)
        patient = session.get_one(Patient, records.p1)
        assert name.startswith("home-programme-") and name.endswith("2026-11-25.pdf")
        text = text_of(pdf)
        for words in (patient.full_name, patient.clinic.name, "Home exercise programme", "Mon 23 Nov 2026",
                      "Tue 15 Dec 2026", "Little and often. Stop if the knee swells.", "Mini squat",
                      "Bend the knees as if to sit", "a kitchen counter or a sturdy chair", "2 sets of 10", "Monday, Wednesday and Friday",
                      "Hold the kitchen counter.", "Chin tuck", "Hold 10 seconds, 10 times", "Every day",
                      "Week of Mon 23 Nov 2026", "Week of Mon 14 Dec 2026", "Tick each exercise"):
            assert words in text, words
        assert "Week of Mon 21 Dec 2026" not in text  # the version has ended by then
        assert "Left side" not in text and "bench" not in text  # both legs squat; the clinic's bench is not at home
        assert len(pdfium.PdfDocument(pdf)) >= 2
        exported = session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT,
                                                            AuditEvent.resource_type == "home_programme")).all()
        assert [e.patient_id for e in exported] == [records.p1]


@pytest.mark.slow
def test_the_patient_prints_their_own_programme(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        with pytest.raises(NotFound, match="no home programme"):
            home_print.for_patient(session, actor(session, records, "patient"))
        prescribed(session, records)
        _, pdf = home_print.for_patient(session, actor(session, records, "patient"))
        assert "Mini squat" in text_of(pdf)
        with pytest.raises(NotFound):
            home_print.for_patient(session, actor(session, records, "other_patient"))


def test_only_clinicians_print_an_episodes_programme(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        prescribed(session, records)
        for persona in ("front_desk", "admin"):
            with pytest.raises(Forbidden):
                home_print.for_episode(session, actor(session, records, persona), records.episode)
        with pytest.raises(NotFound, match="episode"):
            home_print.for_episode(session, actor(session, records, "other_therapist"), records.episode)
