"""The prognosis of an episode's goals from the clinic's records: the patient's own scores, the same
clinic's past episodes of the condition (never another clinic's), access, and the audited read."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Forbidden, NotFound
from reeducate.clinic.models import AuditEvent, Episode, Goal, MeasureAdministration, User
from reeducate.clinic.services import measures, prognosis
from reeducate.clinic.vocabulary import AdministrationSource, AuditAction, Condition, EpisodeStatus
from reeducate.planning.prognosis import MIN_CLINIC_EPISODES, Basis, Outlook
from tests.support import NOW, World

TODAY = NOW.date()


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get(User, world.user_ids[persona]))


def add_nprs(session: Session, world: World, episode: Episode, day: date, value: float) -> None:
    """An NPRS score on ``day`` (stored as an administration would be)."""
    session.add(MeasureAdministration(
        patient_id=episode.patient_id, episode_id=episode.id, measure_id="nprs",
        source=AdministrationSource.PATIENT_PORTAL, responses=[value], score=value, computable=True,
        result={"score": value}, administered_at=datetime.combine(day, time(15), tzinfo=UTC),
        recorded_by_id=world.user_ids["therapist"]))


def nprs_goal(session: Session, world: World, target: float = 2, due_on: date | None = None) -> Goal:
    goal = measures.set_goal(session, actor(session, world, "therapist"), world.episode, "nprs", target)
    goal.due_on = due_on
    return goal


def past_episodes(session: Session, world: World, patient_id: int, count: int, *,
                  condition: Condition = Condition.FALL_RISK, baseline: float = 6) -> None:
    """``count`` discharged episodes of ``patient_id``, each 3 points better after 3 to 8 weeks."""
    for k in range(count):
        start = TODAY - timedelta(days=400 + 10 * k)
        past = Episode(patient_id=patient_id, condition=condition, status=EpisodeStatus.DISCHARGED,
                       started_on=start, discharged_on=start + timedelta(days=84))
        session.add(past)
        session.flush()
        for week in range(13):
            add_nprs(session, world, past, start + timedelta(days=7 * week),
                     baseline - (3 if week >= 3 + k % 6 else 0))


def own_scores(session: Session, world: World, values: list[float], every_days: int = 7) -> None:
    episode = session.get(Episode, world.episode)
    assert episode is not None
    for i, value in enumerate(values):
        add_nprs(session, world, episode, TODAY - timedelta(days=every_days * (len(values) - 1 - i)), value)


def test_with_one_score_it_refuses_and_the_read_is_audited(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        nprs_goal(session, records)
        own_scores(session, records, [6])
        found = prognosis.for_episode(session, actor(session, records, "therapist"), records.episode)
    assert [f.measure.name for f in found] == ["Numeric Pain Rating Scale"]
    assert found[0].prognosis.basis is Basis.NONE and found[0].prognosis.expected_on is None
    assert "1 score over" in found[0].prognosis.reason
    with factory() as session:
        row = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "goal",
                                                       AuditEvent.action == AuditAction.READ)).one()
    assert row.patient_id == records.p1 and "prognosis" in row.detail


def test_the_patients_own_trend_gives_a_dated_interval(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        nprs_goal(session, records, target=2, due_on=TODAY + timedelta(days=120))
        own_scores(session, records, [8, 6.5, 5.2, 4.1, 3.2])
        found = prognosis.for_episode(session, actor(session, records, "patient"), records.episode)[0].prognosis
    assert found.basis is Basis.OWN_TREND and found.low_on is not None and found.low_on > TODAY
    assert "5 scores over 28 days" in found.reason


def test_a_goal_already_met_says_so(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        nprs_goal(session, records, target=3)
        own_scores(session, records, [6, 3])
        found = prognosis.for_episode(session, actor(session, records, "therapist"), records.episode)[0].prognosis
    assert found.already_met and found.outlook is Outlook.MET


def test_the_clinics_past_episodes_count_and_another_clinics_never(factory: sessionmaker[Session],
                                                                   records: World) -> None:
    with unit_of_work(factory) as session:
        nprs_goal(session, records, target=3)
        own_scores(session, records, [6])
        past_episodes(session, records, records.q1, 12)  # clinic B: never compared
        past_episodes(session, records, records.p2, MIN_CLINIC_EPISODES - 1, condition=Condition.NECK_PAIN)
        refused = prognosis.for_episode(session, actor(session, records, "therapist"), records.episode)[0]
    assert refused.prognosis.basis is Basis.NONE
    assert "clinic episodes: 0 past episodes of this clinic" in refused.prognosis.reason
    with unit_of_work(factory) as session:
        past_episodes(session, records, records.p2, MIN_CLINIC_EPISODES + 2)
        found = prognosis.for_episode(session, actor(session, records, "therapist"), records.episode)[0].prognosis
    assert found.basis is Basis.CLINIC_EPISODES
    assert f"{MIN_CLINIC_EPISODES + 2} past episodes of this clinic with fall risk" in found.reason.lower()
    assert found.low_on is not None and found.high_on is not None and found.low_on <= found.high_on


@pytest.mark.parametrize(("persona", "error"), [("front_desk", Forbidden), ("admin", Forbidden),
                                                ("other_therapist", NotFound), ("other_patient", NotFound)])
def test_it_is_refused_to_who_may_not_see_the_episode(factory: sessionmaker[Session], records: World,
                                                      persona: str, error: type[Exception]) -> None:
    with factory() as session, pytest.raises(error):
        prognosis.for_episode(session, actor(session, records, persona), records.episode)
