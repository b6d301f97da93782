"""The demo clinic shows the whole product on real recordings, seeding it again changes nothing, and a
recording missing from the example data stops the seed instead of leaving a part out. Its care planning
is real too: an evaluation note with its confirmed code, problems decided, goals, a certified plan, a
progress report on the 10th treatment day, a discharge with its summary, and paperwork due."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reeducate import example_data
from reeducate.billing.x12.validation import x12_errors
from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.demo import demo_logins, seed_demo
from reeducate.clinic.models import (
    Appointment,
    BalanceTrial,
    CareTeamMember,
    Claim,
    EmgRecording,
    Episode,
    EpisodeReport,
    ExerciseRecord,
    Goal,
    MeasureAdministration,
    MovementRecording,
    NoteAddendum,
    Patient,
    PlanOfCare,
    Problem,
    User,
    Visit,
    VisitNote,
)
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import documentation_due, plan_of_care, prognosis, reports
from reeducate.clinic.services.notes import verify
from reeducate.clinic.vocabulary import (
    AppointmentStatus,
    Condition,
    EpisodeStatus,
    GoalStatus,
    GoalTerm,
    MovementKind,
    NoteStatus,
    ProblemStatus,
    ReportKind,
    Role,
)
from reeducate.example_data import ExampleDataMissing
from reeducate.planning.prognosis import Basis
from tests.clinic.conftest import row_counts

FRIDAY = date(2026, 11, 20)


def _count(session: Session, model: type, *where: object) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _assert_a_real_clinics_week(session: Session) -> None:
    assert _count(session, Patient) == 13
    conditions = set(session.scalars(select(Episode.condition)))
    assert len(conditions) == 12 and Condition.WHIPLASH in conditions and Condition.STROKE in conditions
    assert _count(session, Visit) > 50
    booked = list(session.scalars(select(Appointment).where(Appointment.status == AppointmentStatus.BOOKED)))
    assert {a.starts_at.date() for a in booked} >= {FRIDAY}
    shared = session.execute(
        select(CareTeamMember.episode_id).group_by(CareTeamMember.episode_id).having(func.count() > 1)
    ).all()
    assert shared, "a PT and a chiropractor share at least one patient"


def _assert_dorothy_shows_every_capability(session: Session) -> None:
    dorothy = session.scalar(select(Patient).where(Patient.last_name == "Brown"))
    assert dorothy is not None
    mine = (BalanceTrial.patient_id == dorothy.id)
    retests = session.scalars(select(BalanceTrial.visit_id).where(mine).distinct()).all()
    assert len(retests) >= 2 and _count(session, BalanceTrial, mine) == 4 * len(retests)
    showcase = max(retests)
    clips = session.scalars(select(MovementRecording).where(MovementRecording.visit_id == showcase)).all()
    assert {c.kind for c in clips} == {MovementKind.VIDEO, MovementKind.IMU_GAIT}
    video = next(c for c in clips if c.kind is MovementKind.VIDEO)
    assert video.result["movement"]["detected_fraction"] > 0.9
    walk = next(c for c in clips if c.kind is MovementKind.IMU_GAIT)
    assert walk.cadence_steps_per_min and 80 < walk.cadence_steps_per_min < 140
    shoulder, fatigue = session.scalars(select(EmgRecording).where(EmgRecording.visit_id == showcase)
                                        .order_by(EmgRecording.recorded_at)).all()
    assert shoulder.channel_count == 13 and shoulder.result["co_contraction"][0]["agonist"] == "Biceps brachii"
    assert [c["name"] for c in fatigue.result["channels"]] == ["Biceps brachii"]
    assert fatigue.result["channels"][0]["fatigue"]["falls"], "the fatigue record's median frequency falls"
    exercises = session.scalars(select(ExerciseRecord).where(ExerciseRecord.visit_id == showcase)).all()
    assert {(e.exercise_id, e.source) for e in exercises} == {("gait-training-imu", "recording"),
                                                             ("two-foot-stance", "recording")}
    assert all(e.active_s > 0 for e in exercises)
    note = session.scalar(select(VisitNote).where(VisitNote.visit_id == showcase))
    assert note is not None and verify(note), "a signed note whose hash still matches"
    assert "replayed from a recorded file" in note.content["objective"]
    assert "Surface EMG (measured, recording markers_analogs.c3d): 13 muscles" in note.content["objective"]
    assert note.content["nmr"]["minutes"] == 23 and {line["code"] for line in note.billing["lines"]} == {"97112", "97116"}
    assert _count(session, NoteAddendum, NoteAddendum.note_id == note.id) == 1
    claim = session.scalar(select(Claim).where(Claim.visit_id == showcase))
    assert claim is not None and claim.total_charge > 0
    assert x12_errors(claim.x12) == []


def _episode_of(session: Session, last_name: str) -> Episode:
    episode = session.scalar(select(Episode).join(Patient).where(Patient.last_name == last_name))
    assert episode is not None
    return episode


def _assert_dorothys_care_is_planned_and_documented(session: Session) -> None:
    episode = _episode_of(session, "Brown")
    evaluation = session.scalar(select(VisitNote).join(Visit).where(Visit.episode_id == episode.id)
                                .order_by(Visit.checked_in_at).limit(1))
    assert evaluation is not None and evaluation.content["template"] == "evaluation" and verify(evaluation)
    assert evaluation.content["code"]["confirmed"] == "97162" and "97162" in {
        line["code"] for line in evaluation.billing["lines"]}
    assert all(item["answer"] for item in evaluation.content["red_flags"]["screen"])
    berg = session.scalar(select(MeasureAdministration.score).where(
        MeasureAdministration.visit_id == evaluation.visit_id, MeasureAdministration.measure_id == "berg"))
    assert berg is not None  # the note states the score the visit recorded
    assert f"BBS {berg:g} points" in evaluation.content["assessment"]
    assert f"Berg Balance Scale: {berg:g} points" in evaluation.content["tests_and_measures"]
    decided = {p.finding: p for p in session.scalars(select(Problem).where(Problem.episode_id == episode.id))}
    assert decided["berg-fall-risk"].status is ProblemStatus.ACCEPTED and decided["berg-fall-risk"].interventions
    assert decided["tug-fall-risk"].status is ProblemStatus.REJECTED
    assert evaluation.content["problems"] == [p.statement for p in decided.values()
                                              if p.status is ProblemStatus.ACCEPTED]
    aims = session.scalars(select(Goal).where(Goal.episode_id == episode.id).order_by(Goal.id)).all()
    assert [(g.term, g.measure_id, g.target) for g in aims] == [
        (GoalTerm.SHORT, "berg", 45), (GoalTerm.LONG, "berg", 52), (GoalTerm.LONG, None, None)]
    plan = session.scalar(select(PlanOfCare).where(PlanOfCare.episode_id == episode.id))
    assert plan is not None and plan.status is NoteStatus.SIGNED and plan_of_care.verify(plan)
    assert plan.visits_per_week == 2 and (plan.ends_on - plan.starts_on).days < 90
    assert plan.sent_on and plan.certified_on and plan.received_on and plan.sent_on < plan.certified_on < plan.received_on
    report = session.scalar(select(EpisodeReport).where(EpisodeReport.episode_id == episode.id))
    assert report is not None and report.kind is ReportKind.PROGRESS_REPORT and reports.verify(report)
    reported = {goal["goal_id"]: goal for goal in report.content["goals"]}
    assert (aims[0].status is GoalStatus.MET) is bool(reported[aims[0].id]["target_reached"]), \
        "the short-term goal is judged met when the report's latest Berg reached it"
    dues = documentation_due.of_episode(session, episode, today=FRIDAY)
    first = dues.progress.periods[0]
    assert first.report_on == first.due_on == report.period_end, "signed on the 10th treatment day"
    assert dues.progress.current is not None and not dues.certification_outstanding
    pt = Actor.of(session.scalar(select(User).where(User.email == "pt@riverside.example")))
    outlook = {g.goal.target: g.prognosis for g in prognosis.for_episode(session, pt, episode.id, today=FRIDAY)}
    assert outlook[52].basis is Basis.OWN_TREND


def _assert_a_discharge_and_paperwork_due(session: Session) -> None:
    green = _episode_of(session, "Green")
    assert green.status is EpisodeStatus.DISCHARGED and green.discharged_on is not None
    summary = session.scalar(select(EpisodeReport).where(EpisodeReport.episode_id == green.id,
                                                         EpisodeReport.kind == ReportKind.DISCHARGE_SUMMARY))
    assert summary is not None and reports.verify(summary) and summary.content["sections"]["home_programme"]
    statuses = set(session.scalars(select(Goal.status).where(Goal.episode_id == green.id)))
    assert statuses == {GoalStatus.MET, GoalStatus.NOT_MET}
    assert not session.scalars(select(Appointment).where(Appointment.episode_id == green.id,
                                                         Appointment.status == AppointmentStatus.BOOKED)).all()
    desk = Actor.of(session.scalar(select(User).where(User.email == "desk@riverside.example")))
    due = {d.episode.patient.last_name: d for d in documentation_due.for_clinic(session, desk, today=FRIDAY)}
    assert due["Alvarez"].certification_outstanding, "a signed plan whose certification has not come back"
    assert due["Davis"].progress.due_now and due["Davis"].plan is not None, "a certified plan, its report due"
    assert "Brown" not in due and "Green" not in due


@pytest.mark.slow  # the showcase visit's clip goes through MediaPipe
def test_the_demo_shows_the_whole_product_and_seeding_twice_changes_nothing(factory, tmp_path: Path) -> None:
    store = RecordingStore(tmp_path / "recordings")
    with unit_of_work(factory) as session:
        assert seed_demo(session, store, today=FRIDAY) is True
    first = row_counts(factory)
    with factory() as session:
        _assert_a_real_clinics_week(session)
        _assert_dorothy_shows_every_capability(session)
        _assert_dorothys_care_is_planned_and_documented(session)
        _assert_a_discharge_and_paperwork_due(session)
    with unit_of_work(factory) as session:
        assert seed_demo(session, store, today=FRIDAY) is False
    assert row_counts(factory) == first
    roles = {login.role for login in demo_logins()}
    assert {Role.PHYSICAL_THERAPIST, Role.CHIROPRACTOR, Role.FRONT_DESK, Role.PATIENT} <= roles


def test_a_missing_recording_stops_the_seed_and_keeps_nothing(factory, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REEDUCATE_DATA_DIR", raising=False)
    monkeypatch.setattr(example_data, "REPOSITORY_FOLDER", tmp_path / "no-example-data")
    with pytest.raises(ExampleDataMissing, match=r"(?s)needs these.*BDS00160.txt is not in.*balancing_cam04.mp4"):
        with unit_of_work(factory) as session:
            seed_demo(session, RecordingStore(tmp_path / "recordings"), today=FRIDAY)
    assert not any(row_counts(factory).values())
