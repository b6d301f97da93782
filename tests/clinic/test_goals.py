"""An episode's goals: set on a measure or in words, edited and judged by a PT or chiropractor only,
each with its progress from the record, audited, and read-only once the episode is discharged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput, NotFound
from reeducate.clinic.models import AuditEvent, Episode, Goal, User
from reeducate.clinic.schemas import AdministrationCreate, EpisodeDischarge
from reeducate.clinic.services import episodes, goals, measures
from reeducate.clinic.vocabulary import AuditAction, DischargeReason, GoalStatus, GoalTerm
from tests.clinic.conftest import row_counts
from tests.support import NOW, World, local

TODAY = NOW.date()


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def _berg_goal(session: Session, world: World, target: float = 54, **more: object) -> Goal:
    return goals.add(session, actor(session, world, "therapist"), world.episode,
                     goals.GoalFields(measure_id="berg", target=target, **more))


def test_a_measure_goal_is_set_with_its_date_and_audited(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        goal = _berg_goal(session, records, term=GoalTerm.SHORT, due_on=TODAY + timedelta(days=28))
        assert goal.measure_id == "berg" and goal.target == 54 and goal.status is GoalStatus.ACTIVE
        audit = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "goal")).one()
        assert audit.action is AuditAction.CREATE and "berg 54 by Wed 23 Dec 2026" in audit.detail


def test_a_functional_goal_is_words(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        goal = goals.add(session, actor(session, records, "chiropractor"), records.episode,
                         goals.GoalFields(description="  Walk to the mailbox and back without a cane. "))
        assert goal.measure_id is None and goal.description == "Walk to the mailbox and back without a cane."


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"measure_id": "berg", "target": 57}, "target", "within 0 to 56"),
    ({"measure_id": "berg"}, "target", "score to reach"),
    ({"measure_id": "nope", "target": 3}, "measure_id", "nope"),
    ({"target": 3}, "measure_id", "needs its outcome measure"),
    ({"description": "   "}, "description", "in words"),
    ({"description": "Stairs", "due_on": NOW.date() - timedelta(days=15)}, "due_on", "before the episode started"),
    ({"description": "Stairs", "problem_id": 987654}, "problem_id", "No problem"),
])
def test_a_goal_that_cannot_be_right_is_refused_naming_the_field(
        factory: sessionmaker[Session], records: World, fields: dict[str, object], field: str, message: str) -> None:
    before = row_counts(factory)
    with pytest.raises((InvalidInput, NotFound), match=message) as refused, unit_of_work(factory) as session:
        goals.add(session, actor(session, records, "therapist"), records.episode, goals.GoalFields.model_validate(fields))
    assert refused.value.field == field and row_counts(factory) == before


def test_the_due_date_may_be_the_episodes_first_day(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        start = session.get_one(Episode, records.episode).started_on
        assert goals.add(session, actor(session, records, "therapist"), records.episode,
                         goals.GoalFields(description="Stairs", due_on=start)).due_on == start


@pytest.mark.parametrize("persona", ["assistant", "front_desk", "admin", "patient"])
def test_only_a_pt_or_chiropractor_sets_goals(factory: sessionmaker[Session], records: World, persona: str) -> None:
    with pytest.raises(Forbidden), unit_of_work(factory) as session:
        goals.add(session, actor(session, records, persona), records.episode, goals.GoalFields(description="x"))


def test_another_clinics_therapist_gets_not_found(factory: sessionmaker[Session], records: World) -> None:
    with pytest.raises(NotFound), unit_of_work(factory) as session:
        goals.add(session, actor(session, records, "other_therapist"), records.episode,
                  goals.GoalFields(description="x"))


def test_an_edit_is_audited_before_and_after(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        goal = _berg_goal(session, records)
        goals.edit(session, actor(session, records, "therapist"), goal.id,
                   goals.GoalFields(measure_id="berg", target=52, due_on=TODAY + timedelta(days=60)))
        audit = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "goal",
                                                         AuditEvent.action == AuditAction.UPDATE)).one()
        assert audit.changes["target"] == [54.0, 52.0] and audit.changes["due_on"][0] is None


def test_progress_runs_from_the_first_score_to_the_latest_toward_the_target(
        factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        pt = actor(session, records, "therapist")
        _berg_goal(session, records, target=54)
        goals.add(session, pt, records.episode, goals.GoalFields(measure_id="tug", target=12))
        goals.add(session, pt, records.episode, goals.GoalFields(description="Stairs"))
        first = goals.for_episode(session, pt, records.episode)
        berg = next(p for p in first if p.goal.measure_id == "berg")
        assert (berg.baseline, berg.latest, berg.fraction, berg.direction) == (50, 50, None, "")
        assert next(p for p in first if p.goal.measure_id == "tug").baseline is None
        measures.record_in_visit(session, pt, records.visit_open, "berg",
                                 AdministrationCreate(responses=[4] * 12 + [3, 3]), now=local(0, 8, 50))
        berg = next(p for p in goals.for_episode(session, pt, records.episode) if p.goal.measure_id == "berg")
        assert (berg.baseline, berg.latest) == (50, 54) and berg.fraction == 1.0
        assert berg.direction == "better" and berg.target_reached
        reads = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "goal",
                                                         AuditEvent.action == AuditAction.READ)).all()
        assert len(reads) == 2


def test_a_lower_is_better_goal_reads_its_direction_the_other_way(records: World) -> None:
    tug = goals.catalogue.get("tug")
    progress = goals.GoalProgress(Goal(measure_id="tug", target=12), tug, 20, TODAY - timedelta(days=9), 16, TODAY, 2)
    assert progress.fraction == 0.5 and progress.direction == "better" and progress.target_reached is False
    worse = goals.GoalProgress(Goal(measure_id="tug", target=12), tug, 20, TODAY - timedelta(days=9), 22, TODAY, 3)
    assert worse.fraction == -0.25 and worse.direction == "worse"


def test_a_goal_marked_met_keeps_who_and_when_and_can_be_put_back(
        factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        goal = _berg_goal(session, records)
        goals.judge(session, actor(session, records, "therapist"), goal.id, GoalStatus.MET,
                    met_on=TODAY - timedelta(days=1), today=TODAY)
        assert goal.status is GoalStatus.MET and goal.met_on == TODAY - timedelta(days=1)
        assert goal.status_by_id == records.user_ids["therapist"] and goal.status_at is not None
        with pytest.raises(Conflict, match="put it back in progress"):
            goals.edit(session, actor(session, records, "therapist"), goal.id,
                       goals.GoalFields(measure_id="berg", target=50))
        goals.judge(session, actor(session, records, "therapist"), goal.id, GoalStatus.ACTIVE, today=TODAY)
        assert goal.met_on is None and goal.status_by_id is None
        audit = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "goal",
                                                         AuditEvent.action == AuditAction.UPDATE)
                                .order_by(AuditEvent.id)).all()
        assert audit[0].changes["status"] == ["active", "met"] and "met:" in audit[0].detail


@pytest.mark.parametrize(("met_on", "message"), [
    (TODAY + timedelta(days=1), "in the future"), (TODAY - timedelta(days=15), "before the episode started")])
def test_a_met_date_that_cannot_be_right_is_refused(factory: sessionmaker[Session], records: World,
                                                    met_on: object, message: str) -> None:
    with unit_of_work(factory) as session:
        goal_id = _berg_goal(session, records).id
    with pytest.raises(InvalidInput, match=message), unit_of_work(factory) as session:
        goals.judge(session, actor(session, records, "therapist"), goal_id, GoalStatus.MET, met_on=met_on,  # type: ignore[arg-type]
                    today=TODAY)


def test_not_met_and_discontinued_carry_no_met_date(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        pt = actor(session, records, "therapist")
        first, second = _berg_goal(session, records), _berg_goal(session, records, term=GoalTerm.SHORT)
        assert goals.judge(session, pt, first.id, GoalStatus.NOT_MET, today=TODAY).met_on is None
        assert goals.judge(session, pt, second.id, GoalStatus.DISCONTINUED, today=TODAY).status_by_id is not None
        assert goals.active_goals(session, first.episode) == []


def test_the_patient_reads_their_goals_and_the_front_desk_does_not(
        factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        _berg_goal(session, records)
        assert [p.goal.target for p in goals.for_episode(session, actor(session, records, "patient"),
                                                         records.episode)] == [54]
        with pytest.raises(Forbidden):
            goals.for_episode(session, actor(session, records, "front_desk"), records.episode)
        with pytest.raises(NotFound):
            goals.for_episode(session, actor(session, records, "other_patient"), records.episode)


def test_a_discharged_episodes_goals_are_read_only(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        goal_id = _berg_goal(session, records).id
        episodes.discharge(session, actor(session, records, "therapist"), records.episode,
                           EpisodeDischarge(reason=DischargeReason.GOALS_MET), today=TODAY)
    with pytest.raises(Conflict, match="read-only"), unit_of_work(factory) as session:
        goals.judge(session, actor(session, records, "therapist"), goal_id, GoalStatus.MET, today=TODAY)
    with pytest.raises(Conflict, match="read-only"), unit_of_work(factory) as session:
        goals.add(session, actor(session, records, "therapist"), records.episode, goals.GoalFields(description="x"))


def test_set_goal_replaces_the_target_of_the_active_long_term_goal(
        factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        pt = actor(session, records, "therapist")
        first = measures.set_goal(session, pt, records.episode, "berg", 52)
        again = measures.set_goal(session, pt, records.episode, "berg", 54)
        assert first.id == again.id and again.target == 54
        assert goals.measure_targets(session, records.episode) == {"berg": 54}
        with pytest.raises(Forbidden):
            measures.set_goal(session, actor(session, records, "assistant"), records.episode, "berg", 50)
