"""The problem list: a visit's findings proposed (once), accepted with the therapist's words and chosen
interventions, or rejected; a problem in the therapist's own words; who may do what; a discharged episode
read-only; every read and write audited, a decision with its fields before and after."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput, NotFound
from reeducate.clinic.models import AuditEvent, ExerciseRecord, MovementRecording, Problem, User
from reeducate.clinic.schemas import AdministrationCreate, EpisodeDischarge
from reeducate.clinic.services import episodes, measures, problems
from reeducate.clinic.vocabulary import (
    AuditAction,
    DischargeReason,
    ExerciseSource,
    ExerciseStatus,
    ProblemStatus,
)
from tests.clinic.conftest import row_counts
from tests.support import World, local


def _actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def _valgus_run(world: World, count: int, source: ExerciseSource = ExerciseSource.CAMERA) -> ExerciseRecord:
    return ExerciseRecord(patient_id=world.p1, visit_id=world.visit_open, exercise_id="mini-squat",
                          monitor="camera-front", side="left", source=source, status=ExerciseStatus.COMPLETED,
                          repetitions=10, summary={"faults": {"knee_valgus": count, "trunk_lean": 0}},
                          started_by_id=world.user_ids["therapist"])


def _record_findings(factory: sessionmaker[Session], world: World) -> None:
    """In the open visit (its Berg of 50 finds nothing): a Berg of 42, a failed foam eyes-closed mCTSIB
    condition and three knee-valgus cues in a live mini squat."""
    with unit_of_work(factory) as session:
        pt = _actor(session, world, "therapist")
        measures.record_in_visit(session, pt, world.visit_open, "berg",
                                 AdministrationCreate(responses=[3] * 14), now=local(0, 8, 45))
        measures.record_in_visit(session, pt, world.visit_open, "mctsib", AdministrationCreate(
            responses={"conditions": [[30], [30], [30], [10, 12, 14]]}), now=local(0, 8, 50))
        session.add(_valgus_run(world, 3))


def _propose(factory: sessionmaker[Session], world: World, persona: str = "therapist") -> list[tuple[int, str]]:
    with unit_of_work(factory) as session:
        return [(p.id, p.finding) for p in
                problems.propose(session, _actor(session, world, persona), world.visit_open)]


def _listed(factory: sessionmaker[Session], world: World, persona: str = "therapist") -> problems.ProblemList:
    with unit_of_work(factory) as session:
        return problems.list_for_episode(session, _actor(session, world, persona), world.episode)


def test_a_visits_findings_are_proposed_with_their_evidence_and_the_librarys_matches(
        factory: sessionmaker[Session], records: World) -> None:
    _record_findings(factory, records)
    proposed = _propose(factory, records)
    assert [rule for _, rule in proposed] == ["berg-fall-risk", "mctsib-foam-eyes-closed", "repeated-knee-valgus"]
    listed = _listed(factory, records)
    assert listed.accepted == [] and listed.rejected == []
    berg = listed.proposed[0]
    assert berg.status is ProblemStatus.PROPOSED and berg.visit_id == records.visit_open
    assert "Berg Balance Scale 42 points" in berg.statement
    (evidence,) = berg.evidence["items"]
    assert evidence["cutoff"] == "score < 45 points" and "1992" in evidence["citation"] and evidence["population"]
    assert evidence["obtained"] == "scored from an administration by the clinician"
    assert [i["id"] for i in berg.evidence["impairments"]] == ["static-balance", "dynamic-balance"]
    assert berg.evidence["impairments"][0]["label"] == "Reduced static standing balance"
    assert {s["id"] for s in berg.suggestions} >= {"balance-training", "tandem-stance"} and berg.interventions == []
    valgus = listed.proposed[2]
    assert "setting" in valgus.evidence["items"][0] and "citation" not in valgus.evidence["items"][0]
    assert {s["id"] for s in valgus.suggestions} == {"movement-pattern-training", "mini-squat", "squat", "lunge"}
    with factory() as session:
        created = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "problem",
                                                           AuditEvent.action == AuditAction.CREATE)).all()
        assert sorted(int(e.resource_id) for e in created) == sorted(i for i, _ in proposed)
        assert all(e.patient_id == records.p1 and "proposed from visit" in e.detail for e in created)


def test_proposing_twice_adds_nothing(factory: sessionmaker[Session], records: World) -> None:
    _record_findings(factory, records)
    assert len(_propose(factory, records)) == 3
    before = row_counts(factory)["problems"]
    assert _propose(factory, records) == []
    assert row_counts(factory)["problems"] == before


def test_a_visit_whose_values_cross_no_cut_off_proposes_nothing(factory: sessionmaker[Session],
                                                                records: World) -> None:
    """The world's visit: a Berg of 50, an IMU walk at about 1.2 m/s and a force-plate trial."""
    assert _propose(factory, records) == []


def test_a_gait_engines_slow_walk_is_proposed_as_reduced_gait_speed(factory: sessionmaker[Session],
                                                                    records: World) -> None:
    with unit_of_work(factory) as session:
        session.get_one(MovementRecording, records.gait_recording).gait_speed_m_s = 0.62
    ((problem_id, rule),) = _propose(factory, records)
    assert rule == "reduced-gait-speed"
    with factory() as session:
        (evidence,) = session.get_one(Problem, problem_id).evidence["items"]
    assert evidence["shown"] == "0.62 m/s" and "Perry" in evidence["citation"]
    assert evidence["obtained"] == "measured by foot IMUs (gait engine)"


def test_a_simulated_patients_faults_are_not_the_patients(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        session.add(_valgus_run(records, 5, ExerciseSource.SIMULATED))
    assert _propose(factory, records) == []


def test_a_rejected_finding_is_not_proposed_again_from_the_same_visit(factory: sessionmaker[Session],
                                                                     records: World) -> None:
    _record_findings(factory, records)
    (berg_id, _), *_ = _propose(factory, records)
    with unit_of_work(factory) as session:
        problems.reject(session, _actor(session, records, "therapist"), berg_id)
    assert _propose(factory, records) == []
    listed = _listed(factory, records)
    assert [p.finding for p in listed.rejected] == ["berg-fall-risk"] and len(listed.proposed) == 2


def test_accepting_keeps_the_edited_statement_and_the_chosen_interventions_audited(
        factory: sessionmaker[Session], records: World) -> None:
    _record_findings(factory, records)
    (berg_id, _), *_ = _propose(factory, records)
    with unit_of_work(factory) as session:
        problem = problems.accept(session, _actor(session, records, "therapist"), berg_id,
                                  "  Impaired standing balance, fall risk (Berg 42/56).  ",
                                  ["exercise:tandem-stance", "technique:balance-training"])
        assert problem.status is ProblemStatus.ACCEPTED and problem.decided_by_id == records.user_ids["therapist"]
        assert problem.statement == "Impaired standing balance, fall risk (Berg 42/56)."
        assert problem.interventions == [
            {"kind": "technique", "id": "balance-training", "name": "Balance training"},
            {"kind": "exercise", "id": "tandem-stance", "name": "Tandem stance"}]
    assert [p.id for p in _listed(factory, records).accepted] == [berg_id]
    with factory() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "problem",
                                                         AuditEvent.action == AuditAction.UPDATE)).one()
    assert event.changes["status"] == ["proposed", "accepted"]
    assert event.changes["statement"][1] == "Impaired standing balance, fall risk (Berg 42/56)."
    assert event.changes["interventions"][0] == "" and "Balance training" in event.changes["interventions"][1]


def test_a_problem_is_decided_once_and_only_from_its_suggestions(factory: sessionmaker[Session],
                                                                 records: World) -> None:
    _record_findings(factory, records)
    (berg_id, _), (mctsib_id, _), _ = _propose(factory, records)
    before = row_counts(factory)
    with unit_of_work(factory) as session, pytest.raises(InvalidInput, match="exercise:chin-tuck is not one"):
        problems.accept(session, _actor(session, records, "therapist"), berg_id, "Balance", ["exercise:chin-tuck"])
    with unit_of_work(factory) as session, pytest.raises(InvalidInput, match="Write the problem"):
        problems.accept(session, _actor(session, records, "therapist"), berg_id, "   ", [])
    assert row_counts(factory) == before
    with unit_of_work(factory) as session:
        problems.reject(session, _actor(session, records, "chiropractor"), mctsib_id)
    with unit_of_work(factory) as session, pytest.raises(Conflict, match="already rejected by Chiropractor"):
        problems.accept(session, _actor(session, records, "therapist"), mctsib_id, "Sensory", [])


def test_a_problem_in_the_therapists_words_is_on_the_list_at_once(factory: sessionmaker[Session],
                                                                  records: World) -> None:
    with unit_of_work(factory) as session:
        problem = problems.add(session, _actor(session, records, "therapist"), records.episode,
                               "Cannot climb stairs without the rail.", ["exercise:step-up"])
        problem_id = problem.id
    listed = _listed(factory, records)
    assert [(p.id, p.finding, p.interventions[0]["name"]) for p in listed.accepted] == [(problem_id, "", "Step-up")]
    with unit_of_work(factory) as session, pytest.raises(InvalidInput, match="exercise:moonwalk"):
        problems.add(session, _actor(session, records, "therapist"), records.episode, "Stairs", ["exercise:moonwalk"])


@pytest.mark.parametrize("persona", ["assistant", "front_desk", "admin", "patient"])
def test_only_an_evaluating_clinician_writes_the_problem_list(factory: sessionmaker[Session], records: World,
                                                              persona: str) -> None:
    _record_findings(factory, records)
    (berg_id, _), *_ = _propose(factory, records)
    before = row_counts(factory)
    for write in (lambda s, a: problems.propose(s, a, records.visit_open),
                  lambda s, a: problems.accept(s, a, berg_id, "Balance", []),
                  lambda s, a: problems.reject(s, a, berg_id),
                  lambda s, a: problems.add(s, a, records.episode, "Balance", [])):
        with unit_of_work(factory) as session, pytest.raises(Forbidden):
            write(session, _actor(session, records, persona))
    assert row_counts(factory) == before


@pytest.mark.parametrize(("persona", "error"), [("front_desk", Forbidden), ("patient", Forbidden),
                                                ("other_therapist", NotFound)])
def test_the_problem_list_is_read_by_the_clinics_clinicians_only(factory: sessionmaker[Session], records: World,
                                                                 persona: str, error: type[Exception]) -> None:
    assert _listed(factory, records, "assistant").episode.id == records.episode
    with pytest.raises(error):
        _listed(factory, records, persona)


def test_another_clinics_therapist_cannot_tell_a_problem_exists(factory: sessionmaker[Session],
                                                                records: World) -> None:
    _record_findings(factory, records)
    (berg_id, _), *_ = _propose(factory, records)
    with unit_of_work(factory) as session, pytest.raises(NotFound, match=f"No problem {berg_id}"):
        problems.reject(session, _actor(session, records, "other_therapist"), berg_id)
    with unit_of_work(factory) as session, pytest.raises(NotFound):
        problems.propose(session, _actor(session, records, "other_therapist"), records.visit_open)


def test_a_discharged_episodes_problem_list_is_read_only(factory: sessionmaker[Session], records: World) -> None:
    _record_findings(factory, records)
    (berg_id, _), *_ = _propose(factory, records)
    with unit_of_work(factory) as session:
        episodes.discharge(session, _actor(session, records, "therapist"), records.episode,
                           EpisodeDischarge(reason=DischargeReason.GOALS_MET))
    before = row_counts(factory)
    for write in (lambda s, a: problems.propose(s, a, records.visit_open),
                  lambda s, a: problems.accept(s, a, berg_id, "Balance", []),
                  lambda s, a: problems.add(s, a, records.episode, "Balance", [])):
        with unit_of_work(factory) as session, pytest.raises(Conflict, match="read-only"):
            write(session, _actor(session, records, "therapist"))
    assert row_counts(factory) == before
    assert len(_listed(factory, records).proposed) == 3


def test_reading_the_list_is_audited(factory: sessionmaker[Session], records: World) -> None:
    _listed(factory, records, "chiropractor")
    with factory() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "problems")).one()
    assert event.action is AuditAction.READ and event.patient_id == records.p1
    assert event.user_id == records.user_ids["chiropractor"]
