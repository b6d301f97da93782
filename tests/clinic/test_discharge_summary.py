"""The discharge summary: the final measures against the baseline, each active goal judged met or not
met (signing sets the goal), attendance, the discharge's reason and the home programme from the plan
of care; signed after the discharge by a PT or chiropractor, then final with addenda."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput
from reeducate.clinic.models import AuditEvent, Goal, PlanOfCare
from reeducate.clinic.schemas import EpisodeDischarge
from reeducate.clinic.services import episodes, reports
from reeducate.clinic.vocabulary import DischargeReason, GoalStatus, NoteStatus, ReportKind
from tests.clinic.test_progress_reports import (
    START,
    actor,
    berg,
    fresh_episode,
    goals,
    noon,
    treat,
    twice_a_week,
)
from tests.support import World


def plan(session: Session, world: World) -> PlanOfCare:
    signed = PlanOfCare(
        episode_id=world.episode, number=1, starts_on=START, ends_on=START + timedelta(days=41), visits_per_week=2,
        weeks=6, created_by_id=world.user_ids["therapist"], status=NoteStatus.SIGNED,
        signed_by_id=world.user_ids["therapist"], signed_at=noon(START),
        home_programme="Balance exercises daily at the kitchen counter.",
        interventions=[{"kind": "exercise", "id": "tandem-stance", "name": "Tandem stance",
                        "dosage": {"sets": 3, "hold_s": 30}},
                       {"kind": "technique", "id": "gait-training", "name": "Gait training", "dosage": "15 min"}])
    session.add(signed)
    session.flush()
    return signed


def test_the_summary_judges_the_goals_and_carries_the_home_programme(factory: sessionmaker[Session],
                                                                     records: World) -> None:
    with unit_of_work(factory) as session:
        episode = fresh_episode(session, records)
        days = twice_a_week(12)
        treat(session, records, days)
        berg(session, records, days[0], 30)
        berg(session, records, days[11], 51)
        measured, functional = goals(session, records)
        plan(session, records)
        therapist = actor(session, records, "therapist")
        summary = reports.draft(session, therapist, episode.id, ReportKind.DISCHARGE_SUMMARY, today=days[11])
        content = summary.content
        assert content["discharge"] is None and content["period"]["attended"] == 12
        assert content["sections"]["home_programme"] == "Balance exercises daily at the kitchen counter."
        assert content["exercises"] == [{"name": "Tandem stance", "dosage": "sets 3, hold s 30"}]  # not the technique
        final = next(m for m in content["measures"] if m["measure_id"] == "berg")
        assert (final["baseline"]["score"], final["latest"]["score"], final["change"]["value"]) == (30, 51, 21)
        goal = next(g for g in content["goals"] if g["goal_id"] == measured.id)
        assert goal["target_reached"] is True and goal["outcome"] == ""
        reports.edit(session, therapist, summary.id, sections={"assessment": "Fall risk reduced.",
                                                               "recommendations": "Community balance class."},
                     outcomes={measured.id: "met"})
        with pytest.raises(Conflict, match="Discharge the episode first"):
            reports.sign(session, therapist, summary.id)
        discharged_on = days[11]
        episodes.discharge(session, therapist, episode.id,
                           EpisodeDischarge(reason=DischargeReason.GOALS_MET, discharged_on=discharged_on),
                           today=days[11] + timedelta(days=1))
        with pytest.raises(InvalidInput, match="Mark each active goal met or not met.*Walks to the mailbox"):
            reports.sign(session, therapist, summary.id)
        reports.edit(session, therapist, summary.id, outcomes={functional.id: "not_met"},
                     comments={functional.id: "Walks halfway, then rests."})
        reports.sign(session, therapist, summary.id)
        assert summary.status is NoteStatus.SIGNED and reports.verify(summary)
        assert summary.content["discharge"] == {"on": discharged_on.isoformat(), "reason": "Goals met", "note": ""}
        session.refresh(measured)
        session.refresh(functional)
        assert (measured.status, measured.met_on, measured.status_by_id) == (
            GoalStatus.MET, discharged_on, records.user_ids["therapist"])
        assert functional.status is GoalStatus.NOT_MET and functional.met_on is None and functional.status_at
        goal_audits = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "goal")).all()
        assert {a.resource_id for a in goal_audits} == {str(measured.id), str(functional.id)}
        assert all(a.changes and "status" in a.changes for a in goal_audits)


def test_a_discontinued_goal_stays_discontinued_and_one_summary_is_signed(factory: sessionmaker[Session],
                                                                          records: World) -> None:
    with unit_of_work(factory) as session:
        episode = fresh_episode(session, records)
        treat(session, records, twice_a_week(2))
        measured, functional = goals(session, records)
        functional.status = GoalStatus.DISCONTINUED
        therapist = actor(session, records, "therapist")
        episodes.discharge(session, therapist, episode.id, EpisodeDischarge(reason=DischargeReason.PATIENT_REQUEST))
        summary = reports.draft(session, therapist, episode.id, ReportKind.DISCHARGE_SUMMARY)
        assert summary.content["discharge"]["reason"] == "At the patient's request"
        with pytest.raises(InvalidInput, match="not an active goal"):
            reports.edit(session, therapist, summary.id, outcomes={functional.id: "met"})
        reports.edit(session, therapist, summary.id, sections={"assessment": "a", "recommendations": "r"},
                     outcomes={measured.id: "not_met"})
        reports.sign(session, therapist, summary.id)
        session.refresh(functional)
        assert functional.status is GoalStatus.DISCONTINUED
        assert session.get_one(Goal, measured.id).status is GoalStatus.NOT_MET
        with pytest.raises(Conflict, match="add an addendum"):
            reports.draft(session, therapist, episode.id, ReportKind.DISCHARGE_SUMMARY)
        reports.add_addendum(session, therapist, summary.id, "Patient phoned: continuing the home programme.")
        assert len(summary.addenda) == 1


def test_a_pt_assistant_may_not_judge_the_goals_at_discharge(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        episode = fresh_episode(session, records)
        measured, _ = goals(session, records)
        summary = reports.draft(session, actor(session, records, "therapist"), episode.id,
                                ReportKind.DISCHARGE_SUMMARY)
        assistant = actor(session, records, "assistant")
        with pytest.raises(Forbidden, match="220.3 D"):
            reports.edit(session, assistant, summary.id, outcomes={measured.id: "met"})
        reports.edit(session, assistant, summary.id, sections={"recommendations": "Walk daily."})
        with pytest.raises(Forbidden, match="220.3 D"):
            reports.sign(session, assistant, summary.id)


def test_a_goal_judged_elsewhere_since_the_draft_is_signed_as_it_stands(factory: sessionmaker[Session],
                                                                         records: World) -> None:
    with unit_of_work(factory) as session:
        episode = fresh_episode(session, records)
        measured, functional = goals(session, records)
        therapist = actor(session, records, "therapist")
        summary = reports.draft(session, therapist, episode.id, ReportKind.DISCHARGE_SUMMARY)
        reports.edit(session, therapist, summary.id, sections={"assessment": "a", "recommendations": "r"},
                     outcomes={measured.id: "not_met", functional.id: "not_met"})
        functional.status, functional.met_on = GoalStatus.MET, START + timedelta(days=20)  # marked met on the goals page
        episodes.discharge(session, therapist, episode.id, EpisodeDischarge(reason=DischargeReason.GOALS_MET))
        reports.sign(session, therapist, summary.id)
        signed = {g["goal_id"]: g for g in summary.content["goals"]}
        assert signed[functional.id]["status"] == "met" and signed[functional.id]["outcome"] == ""
        assert signed[functional.id]["met_on"] == (START + timedelta(days=20)).isoformat()
        session.refresh(functional)
        assert functional.status is GoalStatus.MET and functional.met_on == START + timedelta(days=20)
