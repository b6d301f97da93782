"""Progress reports: drafted from the record (the period from the 10-treatment-day clock, attendance,
each goal against its baseline and target with the measure's MDC/MCID), written, signed by a PT or
chiropractor only (ch. 15 section 220.3 D), then final with addenda; every step audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput
from reeducate.clinic.models import (
    Appointment,
    AuditEvent,
    Episode,
    EpisodeReport,
    Goal,
    MeasureAdministration,
    User,
    Visit,
)
from reeducate.clinic.schemas import EpisodeDischarge
from reeducate.clinic.services import documentation_due, episodes, reports
from reeducate.clinic.vocabulary import (
    AdministrationSource,
    AppointmentKind,
    AppointmentStatus,
    AuditAction,
    DischargeReason,
    GoalTerm,
    NoteStatus,
    ReportKind,
    VisitStatus,
)
from tests.support import World

START = date(2026, 9, 7)  # a Monday, long before the world's own visits


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 17, tzinfo=UTC)  # 12:00 in Chicago


def twice_a_week(count: int) -> list[date]:
    return [START + timedelta(days=7 * (i // 2) + 3 * (i % 2)) for i in range(count)]


def fresh_episode(session: Session, world: World) -> Episode:
    """The world's episode without its own visits and scores (this month's), for the dates here."""
    episode = session.get_one(Episode, world.episode)
    episode.started_on = START
    for visit in session.scalars(select(Visit).where(Visit.episode_id == episode.id)):
        visit.episode_id = None
    for administration in session.scalars(select(MeasureAdministration)
                                          .where(MeasureAdministration.episode_id == episode.id)):
        administration.episode_id = None
    for appointment in session.scalars(select(Appointment).where(Appointment.episode_id == episode.id)):
        appointment.episode_id = None
    session.flush()
    return episode


def treat(session: Session, world: World, days: list[date]) -> None:
    for day in days:
        session.add(Visit(patient_id=world.p1, episode_id=world.episode, clinician_id=world.user_ids["therapist"],
                          status=VisitStatus.COMPLETED, checked_in_at=noon(day), completed_at=noon(day)))
    session.flush()


def berg(session: Session, world: World, day: date, score: float) -> None:
    session.add(MeasureAdministration(
        patient_id=world.p1, episode_id=world.episode, measure_id="berg", source=AdministrationSource.CLINICIAN,
        responses=[], patient_facts={}, score=score, computable=True, result={}, administered_at=noon(day),
        recorded_by_id=world.user_ids["therapist"]))
    session.flush()


def goals(session: Session, world: World) -> tuple[Goal, Goal]:
    measured = Goal(episode_id=world.episode, measure_id="berg", target=50, term=GoalTerm.LONG,
                    due_on=START + timedelta(days=60), set_by_id=world.user_ids["therapist"])
    functional = Goal(episode_id=world.episode, description="Walks to the mailbox and back without a rest",
                      term=GoalTerm.SHORT, set_by_id=world.user_ids["therapist"])
    session.add_all([measured, functional])
    session.flush()
    return measured, functional


def missed(session: Session, world: World, day: date, status: AppointmentStatus) -> None:
    session.add(Appointment(clinic_id=world.clinic_id, patient_id=world.p1, location_id=world.location_id,
                            provider_id=world.user_ids["therapist"], episode_id=world.episode,
                            kind=AppointmentKind.TREATMENT, status=status, starts_at=noon(day),
                            ends_at=noon(day) + timedelta(minutes=45)))
    session.flush()


def written(session: Session, who: Actor, report: EpisodeReport) -> EpisodeReport:
    """The draft with its sections written, the plan decided and each functional goal judged."""
    comments = {g["goal_id"]: "Walks halfway, one rest" for g in report.content["goals"] if g["kind"] == "functional"}
    return reports.edit(session, who, report.id, sections={"assessment": "Steadier in standing.",
                                                           "plan": "Continue twice a week."},
                        comments=comments, decision="continue")


def test_the_draft_reads_each_goal_against_its_baseline_and_target(factory: sessionmaker[Session],
                                                                   records: World) -> None:
    with unit_of_work(factory) as session:
        episode = fresh_episode(session, records)
        days = twice_a_week(9)
        treat(session, records, days)
        for day, score in ((days[0], 30), (days[4], 38), (days[8], 45)):
            berg(session, records, day, score)
        missed(session, records, days[2] + timedelta(days=1), AppointmentStatus.LATE_CANCELLED)
        missed(session, records, days[5] + timedelta(days=1), AppointmentStatus.NO_SHOW)
        measured, functional = goals(session, records)
        report = reports.draft(session, actor(session, records, "therapist"), episode.id, ReportKind.PROGRESS_REPORT,
                               today=days[8])
        assert (report.period_start, report.period_end) == (START, days[8])
        period = report.content["period"]
        assert (period["treatment_days"], period["attended"], period["cancelled"], period["no_show"]) == (9, 9, 1, 1)
        by_id = {g["goal_id"]: g for g in report.content["goals"]}
        goal = by_id[measured.id]
        assert goal["baseline"] == {"on": days[0].isoformat(), "score": 30}
        assert goal["period_start"]["score"] == 30 and goal["latest"] == {"on": days[8].isoformat(), "score": 45}
        assert goal["target"] == 50 and goal["due_on"] == measured.due_on.isoformat()  # type: ignore[union-attr]
        assert goal["change"]["value"] == 15 and goal["change"]["direction"] == "improved"
        assert goal["change"]["exceeds_mdc"] is True and goal["change"]["thresholds"]  # Berg's MDC, with its source
        assert goal["target_reached"] is False and goal["source"] == "measured" and goal["target_entered_by"] == "Therapist"
        assert by_id[functional.id]["kind"] == "functional" and "baseline" not in by_id[functional.id]
        assert session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "episode_report",
                                                        AuditEvent.action == AuditAction.CREATE)).one()


def test_a_second_period_starts_its_scores_where_the_last_report_left_them(factory: sessionmaker[Session],
                                                                            records: World) -> None:
    with unit_of_work(factory) as session:
        episode = fresh_episode(session, records)
        days = twice_a_week(14)
        treat(session, records, days[:10])
        berg(session, records, days[0], 30)
        berg(session, records, days[9], 40)
        goals(session, records)
        therapist = actor(session, records, "therapist")
        first = written(session, therapist, reports.draft(session, therapist, episode.id, ReportKind.PROGRESS_REPORT,
                                                          today=days[9]))
        reports.sign(session, therapist, first.id, now=noon(days[9]) + timedelta(hours=1))
        treat(session, records, days[10:14])
        berg(session, records, days[13], 46)
        second = reports.draft(session, therapist, episode.id, ReportKind.PROGRESS_REPORT, today=days[13])
        assert second.id != first.id and second.period_start == days[10]
        assert second.content["period"]["treatment_days"] == 4
        goal = next(g for g in second.content["goals"] if g["kind"] == "measure")
        assert goal["baseline"]["score"] == 30 and goal["period_start"]["score"] == 40 and goal["latest"]["score"] == 46
        assert goal["period_change"]["value"] == 6


@pytest.mark.parametrize(("treated", "due_now", "overdue"), [(8, False, False), (9, True, False), (10, True, False),
                                                             (11, True, True)])
def test_the_report_comes_due_on_the_10th_treatment_day(factory: sessionmaker[Session], records: World,
                                                        treated: int, due_now: bool, overdue: bool) -> None:
    """8 days: not due; 9: due at the next visit; 10: due today; 11 without a report: overdue."""
    with unit_of_work(factory) as session:
        episode = fresh_episode(session, records)
        days = twice_a_week(treated)
        treat(session, records, days)
        clock = documentation_due.of_episode(session, episode, today=days[-1]).progress
        assert (clock.days_in_period, clock.due_now, clock.overdue) == (treated, due_now, overdue)


def test_a_signed_report_starts_a_new_period_and_a_draft_does_not(factory: sessionmaker[Session],
                                                                  records: World) -> None:
    with unit_of_work(factory) as session:
        episode = fresh_episode(session, records)
        days = twice_a_week(11)
        treat(session, records, days[:10])
        therapist = actor(session, records, "therapist")
        report = written(session, therapist, reports.draft(session, therapist, episode.id,
                                                           ReportKind.PROGRESS_REPORT, today=days[9]))
        assert documentation_due.of_episode(session, episode, today=days[9]).progress.days_in_period == 10
        reports.sign(session, therapist, report.id, now=noon(days[9]) + timedelta(hours=2))
        treat(session, records, days[10:])
        clock = documentation_due.of_episode(session, episode, today=days[10]).progress
        assert clock.days_in_period == 1 and not clock.due_now


def test_nothing_to_report_without_a_treatment_day_since_the_last_report(factory: sessionmaker[Session],
                                                                         records: World) -> None:
    with unit_of_work(factory) as session:
        episode = fresh_episode(session, records)
        days = twice_a_week(3)
        treat(session, records, days)
        therapist = actor(session, records, "therapist")
        report = written(session, therapist, reports.draft(session, therapist, episode.id,
                                                           ReportKind.PROGRESS_REPORT, today=days[2]))
        reports.sign(session, therapist, report.id, now=noon(days[2]) + timedelta(hours=1))
        with pytest.raises(Conflict, match="No treatment day since the progress report of"):
            reports.draft(session, therapist, episode.id, ReportKind.PROGRESS_REPORT, today=days[2] + timedelta(days=1))


def test_a_pt_assistant_writes_elements_but_may_not_draft_decide_or_sign(factory: sessionmaker[Session],
                                                                         records: World) -> None:
    with unit_of_work(factory) as session:
        episode = fresh_episode(session, records)
        treat(session, records, twice_a_week(3))
        assistant, therapist = actor(session, records, "assistant"), actor(session, records, "therapist")
        with pytest.raises(Forbidden, match="220.3 D"):
            reports.draft(session, assistant, episode.id, ReportKind.PROGRESS_REPORT)
        report = reports.draft(session, therapist, episode.id, ReportKind.PROGRESS_REPORT)
        reports.edit(session, assistant, report.id, sections={"assessment": "Gait speed up (PTA's note)."})
        assert report.content["sections"]["assessment"] == "Gait speed up (PTA's note)."
        with pytest.raises(Forbidden, match="220.3 D"):
            reports.edit(session, assistant, report.id, decision="continue")
        with pytest.raises(Forbidden, match="PT assistant may write elements .* physical therapist or chiropractor"):
            reports.sign(session, assistant, report.id)
        assert report.status is NoteStatus.DRAFT
    with unit_of_work(factory) as session, pytest.raises(Forbidden):
        reports.draft(session, actor(session, records, "front_desk"), records.episode, ReportKind.PROGRESS_REPORT)


def test_signing_needs_the_sections_the_decision_and_each_functional_goal_judged(factory: sessionmaker[Session],
                                                                                 records: World) -> None:
    with unit_of_work(factory) as session:
        episode = fresh_episode(session, records)
        treat(session, records, twice_a_week(2))
        goals(session, records)
        therapist = actor(session, records, "therapist")
        report = reports.draft(session, therapist, episode.id, ReportKind.PROGRESS_REPORT)
        with pytest.raises(InvalidInput, match="Write the assessment, plan"):
            reports.sign(session, therapist, report.id)
        reports.edit(session, therapist, report.id, sections={"assessment": "a", "plan": "p"})
        with pytest.raises(InvalidInput, match="decision"):
            reports.sign(session, therapist, report.id)
        reports.edit(session, therapist, report.id, decision="modify")
        with pytest.raises(InvalidInput, match="functional goal"):
            reports.sign(session, therapist, report.id)
        with pytest.raises(InvalidInput, match="no section"):
            reports.edit(session, therapist, report.id, sections={"subjective": "x"})


def test_a_signed_report_is_final_and_takes_addenda(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        episode = fresh_episode(session, records)
        treat(session, records, twice_a_week(2))
        therapist = actor(session, records, "chiropractor")
        report = written(session, therapist, reports.draft(session, therapist, episode.id, ReportKind.PROGRESS_REPORT))
        reports.sign(session, therapist, report.id)
        assert report.status is NoteStatus.SIGNED and reports.verify(report)
        assert report.signed_by_id == records.user_ids["chiropractor"] and len(report.content_sha256 or "") == 64
        with pytest.raises(Conflict, match="signed by .* add an addendum"):
            reports.edit(session, therapist, report.id, sections={"plan": "changed"})
        addendum = reports.add_addendum(session, actor(session, records, "therapist"), report.id,
                                        "Berg measured by the PTA on the day; figures as drafted.")
        assert addendum.author_id == records.user_ids["therapist"] and len(addendum.sha256) == 64
        with pytest.raises(Forbidden):
            reports.add_addendum(session, actor(session, records, "assistant"), report.id, "x")
        report_id = report.id
        actions = {(e.action, e.detail.split(",")[0]) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.resource_type.in_(("episode_report", "report_addendum"))))}
        assert (AuditAction.UPDATE, "progress_report signed") in actions
        assert any(action is AuditAction.CREATE and detail.startswith("addendum") for action, detail in actions)
    with factory() as session:
        stored = session.get_one(EpisodeReport, report_id)
        stored.content = {**stored.content, "decision": "discharge"}
        with pytest.raises(Conflict, match="signed and cannot change"):
            session.flush()


def test_a_discharged_episode_takes_no_progress_report(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        episode = fresh_episode(session, records)
        treat(session, records, twice_a_week(2))
        therapist = actor(session, records, "therapist")
        episodes.discharge(session, therapist, episode.id, EpisodeDischarge(reason=DischargeReason.GOALS_MET))
        with pytest.raises(Conflict, match="discharge summary instead"):
            reports.draft(session, therapist, episode.id, ReportKind.PROGRESS_REPORT)


def test_another_clinics_therapist_finds_no_report(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        episode = fresh_episode(session, records)
        treat(session, records, twice_a_week(2))
        report_id = reports.draft(session, actor(session, records, "therapist"), episode.id,
                                  ReportKind.PROGRESS_REPORT).id
    with unit_of_work(factory) as session:
        with pytest.raises(Exception, match=f"No report {report_id}"):
            reports.get(session, actor(session, records, "other_therapist"), report_id)
        with pytest.raises(Forbidden):
            reports.get(session, actor(session, records, "front_desk"), report_id)


def test_one_score_is_a_baseline_not_a_change(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        episode = fresh_episode(session, records)
        days = twice_a_week(2)
        treat(session, records, days)
        berg(session, records, days[0], 52)
        goals(session, records)
        report = reports.draft(session, actor(session, records, "therapist"), episode.id, ReportKind.PROGRESS_REPORT,
                               today=days[1])
        goal = next(g for g in report.content["goals"] if g["kind"] == "measure")
        assert goal["baseline"] == goal["latest"] == {"on": days[0].isoformat(), "score": 52}
        assert goal["change"] is None and goal["period_change"] is None and goal["target_reached"] is True
        assert report.content["measures"][0]["change"] is None
