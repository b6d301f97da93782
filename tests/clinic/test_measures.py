"""Outcome measures stored in the clinic: who records what, what is kept, and nothing on refusal."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput, NotFound
from reeducate.clinic.models import AuditEvent, MeasureAdministration, User
from reeducate.clinic.schemas import AdministrationCreate
from reeducate.clinic.services import measures
from reeducate.clinic.vocabulary import AdministrationSource, AuditAction
from tests.clinic.conftest import row_counts
from tests.support import World, local


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get(User, world.user_ids[persona]))


def test_a_recorded_berg_keeps_answers_result_and_age_and_is_audited(
        factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        stored = session.get(MeasureAdministration, records.administration)
        assert stored.responses == [4] * 10 + [3, 3, 2, 2] and stored.score == 50
        assert stored.source is AdministrationSource.CLINICIAN and stored.visit_id == records.visit_open
        assert stored.result["interpretations"][0]["label"] == "Increased risk of falls"
        assert stored.patient_facts["age_years"] >= 18 and stored.patient_facts["sex"] == "female"
        audit = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "measure_administration",
                                                         AuditEvent.action == AuditAction.CREATE)).all()
        assert any(a.resource_id == str(stored.id) and "berg: 50 points" in a.detail for a in audit)


@pytest.mark.parametrize(("visit", "responses", "error", "message"), [
    ("visit_open", [4] * 13 + [9], InvalidInput, "item 14"),
    ("visit_open", [4] * 12, InvalidInput, "has 14 items"),
    ("visit_done", [4] * 14, Conflict, "completed"),
])
def test_a_refused_administration_stores_nothing(factory: sessionmaker[Session], records: World, visit: str,
                                                 responses: list[int], error: type, message: str) -> None:
    before = row_counts(factory)
    with pytest.raises(error, match=message), unit_of_work(factory) as session:
        measures.record_in_visit(session, actor(session, records, "therapist"), getattr(records, visit), "berg",
                                 AdministrationCreate(responses=responses))
    assert row_counts(factory) == before


def test_only_clinicians_record_measures(factory: sessionmaker[Session], records: World) -> None:
    with pytest.raises(Forbidden), unit_of_work(factory) as session:
        measures.record_in_visit(session, actor(session, records, "front_desk"), records.visit_open, "tug",
                                 AdministrationCreate(responses={"seconds": 12}))


def test_the_patient_fills_in_only_what_was_requested(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        patient = actor(session, records, "patient")
        done = measures.submit_from_portal(session, patient, records.episode, "nprs",
                                           AdministrationCreate(responses=[6]))
        assert done.source is AdministrationSource.PATIENT_PORTAL and done.visit_id is None
        todo = measures.portal_questionnaires(session, patient)
        assert [(q.measure_id, q.last is not None) for q in todo] == [("nprs", True), ("odi", False)]
    with pytest.raises(NotFound, match="not asked"), unit_of_work(factory) as session:
        measures.submit_from_portal(session, actor(session, records, "patient"), records.episode, "lefs",
                                    AdministrationCreate(responses=[4] * 20))


def test_progress_follows_the_episode_with_its_goal_and_mdc_band(factory: sessionmaker[Session],
                                                                  records: World) -> None:
    with unit_of_work(factory) as session:
        therapist = actor(session, records, "therapist")
        measures.set_goal(session, therapist, records.episode, "berg", 54)
        measures.record_in_visit(session, therapist, records.visit_open, "berg",
                                 AdministrationCreate(responses=[4] * 14), now=local(0, 8, 40))
        (berg,) = measures.progress(session, therapist, records.episode)
        assert berg.goal == 54 and berg.trajectory is not None
        assert berg.trajectory.baseline == 50 and berg.trajectory.mdc_band == (46, 54)
        assert [p.score for p in berg.trajectory.points] == [50, 56]
        assert berg.trajectory.points[-1].exceeds_mdc is True


def test_a_goal_outside_the_scale_and_a_test_as_questionnaire_are_refused(
        factory: sessionmaker[Session], records: World) -> None:
    with pytest.raises(InvalidInput, match="within 0 to 56"), unit_of_work(factory) as session:
        measures.set_goal(session, actor(session, records, "therapist"), records.episode, "berg", 60)
    with pytest.raises(InvalidInput, match="not a questionnaire"), unit_of_work(factory) as session:
        measures.request_questionnaires(session, actor(session, records, "therapist"), records.episode, ["tug"])
