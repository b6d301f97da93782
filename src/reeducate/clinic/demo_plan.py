"""The demo's care planning and its paperwork: the evaluation note, problems, goals, the plan of care and
its certification, progress reports, a discharge and its summary, for the patients that show them.

Everything goes through the services a clinic uses, dated as it happened (``now=``/``today=``), so the
episode page, the chart, the schedule's badges and the clinic's due list show real states: Dorothy
Brown's whole course (evaluation note with its confirmed code, problems accepted and rejected, goals,
a certified plan, the progress report of her 10th treatment day); a plan whose certification has not
come back (Ana Alvarez); a certified plan whose progress report is due (George Davis); and a
discharged episode with its signed summary (Walter Green). Every figure a note or report states is
read from what the visit recorded, never typed in. The services stamp the moment a problem is decided
or a goal set with the clock (seeding time); the signatures and dates carry the visit's day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic.access import Actor
from reeducate.clinic.models import Episode, MeasureAdministration, Problem, Visit
from reeducate.clinic.schemas import EpisodeDischarge
from reeducate.clinic.services import (
    billing,
    episodes,
    goals,
    notes,
    plan_of_care,
    problems,
    reports,
)
from reeducate.clinic.vocabulary import DischargeReason, GoalStatus, GoalTerm, ProblemStatus, ReportKind
from reeducate.measures import catalogue
from reeducate.planning.medicare import PROGRESS_REPORT_TREATMENT_DAYS
from reeducate.reports.dates import day_text


class Certification(Enum):
    """How far the physician's certification of the plan got."""

    SENT = "sent"
    """Sent the day after the evaluation; not back yet (the due list shows it)."""
    CERTIFIED = "certified"
    """Sent the next day, signed a week later, received the day after."""


@dataclass(frozen=True)
class Evaluation:
    """What the therapist writes in the evaluation note (the tests and measures are as drafted)."""

    mechanism: str
    prior_function: str
    patients_goals: str
    present: tuple[str, ...]
    """The red-flag screen's items answered present (the rest absent)."""
    findings: str
    systems: dict[str, str]
    assessment: str
    """With ``{scores}``: the visit's scores in words."""
    personal_factors: int


@dataclass(frozen=True)
class Discharge:
    reason: DischargeReason
    note: str
    assessment: str
    recommendations: str
    weeks_ago: int


@dataclass(frozen=True)
class Case:
    """One patient's planning: the goals on the condition's measure (short-term by week 4, long-term by
    the plan's end), a functional goal, the plan's interventions and how far the paperwork got."""

    measure_id: str
    short_target: float
    long_target: float
    functional_goal: str
    interventions: tuple[tuple[plan_of_care.Kind, str, str], ...]
    """(kind, library id, dosage in words)."""
    home_programme: str
    weeks: int
    certification: Certification
    accept: tuple[str, ...] = ()
    """Finding rules accepted as proposed, keeping the suggested techniques and exercises the plan uses."""
    reject: tuple[str, ...] = ()
    evaluation: Evaluation | None = None
    also_measured: tuple[tuple[str, dict[str, float]], ...] = ()
    """Measures taken at the evaluation besides the condition's own (id, timed responses)."""
    progress_report: bool = False
    discharge: Discharge | None = None


_BALANCE: tuple[tuple[plan_of_care.Kind, str, str], ...] = (
    ("technique", "balance-training", "20 min each visit, progressed from a firm surface to foam"),
    ("technique", "gait-training", "15 min each visit, with turns and head movements"),
    ("exercise", "tandem-stance", "3 holds of 30 s, at the kitchen counter"),
    ("exercise", "sit-to-stand", "2 sets × 10 repetitions, arms folded"),
    ("exercise", "weight-shift", "2 sets × 10 each side"),
)

PROGRESS_REPORT_DAY = PROGRESS_REPORT_TREATMENT_DAYS
"""The treatment day a case's progress report is written on (the last the rule allows)."""

CASES: dict[str, Case] = {
    "Brown": Case(
        measure_id="berg", short_target=45, long_target=52,
        functional_goal="Turn in her kitchen and carry a cup to the table without holding on and without a loss "
                        "of balance.",
        interventions=_BALANCE, weeks=10, certification=Certification.CERTIFIED,
        home_programme="Tandem stance at the kitchen counter, 3 holds of 30 s, and sit to stand, 10 repetitions, "
                       "once a day; walk indoors 10 minutes twice a day.",
        accept=("berg-fall-risk", "sit-to-stand-fall-risk"), reject=("tug-fall-risk",),
        also_measured=(("tug", {"seconds": 15.6}), ("ftsts", {"seconds": 16.8})),
        evaluation=Evaluation(
            mechanism="Two falls at home this year, both while turning; no injury needing medical care.",
            prior_function="Lived alone and walked in the community without an aid; did her own shopping until "
                           "the first fall.",
            patients_goals="\"I want to stop being afraid of falling and walk to church again.\"",
            present=("Recent trauma (a fall, a car accident)",),
            findings="Recent trauma: the two falls above; no head strike, no new weakness or numbness. The "
                     "referring physician knows of the falls (referral for fall risk). No other item present.",
            systems={
                "cardiovascular_pulmonary": "No shortness of breath at rest or on the walk; no ankle edema.",
                "integumentary": "Skin intact on the feet and shins; no bruising from the falls now.",
                "musculoskeletal": "Gross range of motion and strength functional in both legs; symmetrical.",
                "neuromuscular": "Slow, cautious turns; widens her stance to stand up; transfers without help.",
                "communication": "Alert and oriented; follows multi-step instructions; learns best by doing.",
            },
            assessment="Older woman with two falls this year and fear of falling. {scores} Balance, turning "
                       "and sit-to-stand are the problems to treat; good candidate for balance and gait "
                       "training twice a week.",
            personal_factors=2),
        progress_report=True),
    "Alvarez": Case(
        measure_id="lefs", short_target=40, long_target=60,
        functional_goal="Climb the stairs at home step over step with one rail.",
        interventions=(("technique", "movement-pattern-training", "15 min each visit"),
                       ("exercise", "sit-to-stand", "2 sets × 10 repetitions"),
                       ("exercise", "step-up", "2 sets × 10 each leg, 15 cm step"),
                       ("exercise", "knee-joint-position", "2 sets × 8 targets")),
        home_programme="Sit to stand and step-ups, 2 sets of 10, once a day; knee bends in sitting after walks.",
        weeks=8, certification=Certification.SENT),
    "Davis": Case(
        measure_id="berg", short_target=38, long_target=46,
        functional_goal="Walk from the car to his front door without the right toes catching.",
        interventions=(("technique", "gait-training", "20 min each visit"),
                       ("technique", "pnf", "15 min each visit, right leg patterns"),
                       ("exercise", "weight-shift", "2 sets × 10 each side"),
                       ("exercise", "pnf-d1-flexion-leg", "2 sets × 10, right leg")),
        home_programme="Side-to-side weight shifts at the counter, 2 sets of 10, twice a day.",
        weeks=12, certification=Certification.CERTIFIED, accept=("berg-fall-risk",)),
    "Green": Case(
        measure_id="odi", short_target=34, long_target=20,
        functional_goal="Lift a laundry basket from the floor to waist height with a hip hinge, pain no more "
                        "than mild.",
        interventions=(("technique", "movement-pattern-training", "15 min each visit, lifting and bending"),
                       ("exercise", "hip-hinge", "3 sets × 10 repetitions"),
                       ("exercise", "squat", "2 sets × 10 repetitions"),
                       ("exercise", "lunge", "2 sets × 8 each leg")),
        home_programme="Hip hinge, 3 sets of 10, and squats, 2 sets of 10, on five days a week; walk 30 minutes "
                       "a day.",
        weeks=8, certification=Certification.CERTIFIED, progress_report=True,
        discharge=Discharge(
            reason=DischargeReason.PATIENT_REQUEST,
            note="Back at full duties at work; chose to carry on with the home programme on his own.",
            assessment="Bending and lifting at home and at work without fear; {scores}",
            recommendations="Continue the home programme; return for a re-evaluation if the pain spreads to a "
                            "leg or stops him working.",
            weeks_ago=2)),
}
"""The patients whose planning the demo shows, by last name (demo data only)."""


def _scores(session: Session, episode_id: int, until: datetime) -> list[MeasureAdministration]:
    return list(session.scalars(select(MeasureAdministration).where(
        MeasureAdministration.episode_id == episode_id, MeasureAdministration.administered_at <= until,
        MeasureAdministration.score.is_not(None)).order_by(MeasureAdministration.administered_at)))


def _said(row: MeasureAdministration) -> str:
    measure = catalogue.get(row.measure_id)
    assert row.score is not None
    return f"{measure.abbreviation} {row.score:g} {measure.unit_label}"


def _course(session: Session, case: Case, episode_id: int, until: datetime) -> str:
    """The condition's measure from its first score to its latest, as recorded up to ``until``."""
    rows = [r for r in _scores(session, episode_id, until) if r.measure_id == case.measure_id]
    first, last = rows[0], rows[-1]
    return (f"{_said(first)} at the evaluation ({day_text(first.administered_at, until.tzinfo)}), {_said(last)} "
            f"on {day_text(last.administered_at, until.tzinfo)} ({len(rows)} scores).")


def evaluate(session: Session, therapist: Actor, case: Case, visit: Visit, *, ended_at: datetime) -> None:
    """After the evaluation visit: its note (if the case writes one), the problems decided, the goals set
    and the plan of care signed, all at the visit's end."""
    assert visit.episode_id is not None
    planned = {(kind, item) for kind, item, _ in case.interventions}
    for problem in problems.propose(session, therapist, visit.id):
        if problem.finding in case.accept:
            problems.accept(session, therapist, problem.id, problem.statement,
                            [f"{s['kind']}:{s['id']}" for s in problem.suggestions if (s["kind"], s["id"]) in planned])
        elif problem.finding in case.reject:
            problems.reject(session, therapist, problem.id)
    if case.evaluation is not None:  # signed with the problem list as decided
        _evaluation_note(session, therapist, case.evaluation, visit, ended_at=ended_at)
    day = ended_at.date()
    episode = session.get(Episode, visit.episode_id)
    assert episode is not None
    first = session.scalar(select(Problem.id).where(Problem.episode_id == episode.id,
                                                    Problem.status == ProblemStatus.ACCEPTED).order_by(Problem.id))
    plan_end = episode.started_on + timedelta(days=7 * case.weeks - 1)
    goals.add(session, therapist, episode.id, goals.GoalFields(
        term=GoalTerm.SHORT, measure_id=case.measure_id, target=case.short_target, due_on=day + timedelta(weeks=4),
        problem_id=first))
    goals.add(session, therapist, episode.id, goals.GoalFields(
        term=GoalTerm.LONG, measure_id=case.measure_id, target=case.long_target, due_on=plan_end, problem_id=first))
    goals.add(session, therapist, episode.id, goals.GoalFields(
        term=GoalTerm.LONG, description=case.functional_goal, due_on=plan_end))
    plan = plan_of_care.draft(session, therapist, episode.id, plan_of_care.PlanFields(
        visits_per_week=2, weeks=case.weeks, home_programme=case.home_programme,
        interventions=[plan_of_care.InterventionChoice(kind=kind, id=item, dosage=dosage)
                       for kind, item, dosage in case.interventions]))
    plan_of_care.sign(session, therapist, plan.id, now=ended_at + timedelta(minutes=40))


def _evaluation_note(session: Session, therapist: Actor, text: Evaluation, visit: Visit, *,
                     ended_at: datetime) -> None:
    """The evaluation note: sections written, screen answered, the code's components entered and the
    code confirmed, the minutes per code confirmed, signed half an hour after the visit."""
    draft = notes.start_draft(session, therapist, visit.id)
    scores = "; ".join(_said(r) for r in _scores(session, visit.episode_id or 0, ended_at)
                       if r.visit_id == visit.id)
    notes.edit(session, therapist, visit.id, {
        "history": {"mechanism": text.mechanism, "prior_function": text.prior_function, "goals": text.patients_goals},
        "red_flags": {"answers": ["present" if item["item"] in text.present else "absent"
                                  for item in draft.content["red_flags"]["screen"]],
                      "findings": text.findings},
        "systems_review": text.systems,
        "assessment": text.assessment.format(scores=f"Scores at this visit: {scores}."),
        "plan": draft.content["plan"] + "\nBalance and gait training twice a week; retest every fourth visit.",
    })
    notes.set_code_components(session, therapist, visit.id, {
        "personal_factors": text.personal_factors, "body_elements": draft.content["code"]["suggested_elements"],
        "presentation": "evolving", "decision_making": "moderate"})
    notes.confirm_code(session, therapist, visit.id, now=ended_at + timedelta(minutes=25))
    billing.set_charges(session, therapist, visit.id, [
        billing.ChargeInput(c.code, c.minutes, c.assistant_minutes, c.region) for c in billing.assess(session, visit).charges])
    notes.sign(session, therapist, visit.id, now=ended_at + timedelta(minutes=30))


def report_progress(session: Session, therapist: Actor, case: Case, visit: Visit, *, ended_at: datetime) -> None:
    """The progress report written on the visit's day (the 10th treatment day), signed after the visit;
    before it, each short-term measure goal whose latest score reached its target is judged met on the
    day of that score."""
    assert visit.episode_id is not None
    for progress in goals.for_episode(session, therapist, visit.episode_id):
        if progress.goal.term is GoalTerm.SHORT and progress.target_reached and progress.latest_on is not None:
            goals.judge(session, therapist, progress.goal.id, GoalStatus.MET, met_on=progress.latest_on,
                        today=ended_at.date(), now=ended_at + timedelta(minutes=40))
    report = reports.draft(session, therapist, visit.episode_id, ReportKind.PROGRESS_REPORT, visit_id=visit.id,
                           today=ended_at.date())
    functional = [g["goal_id"] for g in report.content["goals"] if g["kind"] == "functional"]
    reports.edit(session, therapist, report.id, sections={
        "assessment": "Progressing toward the goals: " + _course(session, case, visit.episode_id, ended_at),
        "plan": "Continue the plan of care as written; next progress report by the 20th treatment day.",
    }, comments={goal_id: "Progressing: practised in the visits, not reached yet." for goal_id in functional},
        decision="continue")
    reports.sign(session, therapist, report.id, now=ended_at + timedelta(minutes=45))


def certify(session: Session, desk: Actor, case: Case, episode_id: int, evaluated_on: date, *, today: date) -> None:
    """The physician's certification as the front desk records it (sent the next day; signed a week
    later and received the day after, when the case is certified)."""
    plan = plan_of_care.certification_view(session, desk, episode_id)[0]
    sent = evaluated_on + timedelta(days=1)
    certified = case.certification is Certification.CERTIFIED
    plan_of_care.record_certification(session, desk, plan.id, plan_of_care.CertificationFields(
        physician_name=plan.physician_name, physician_npi=plan.physician_npi, sent_on=sent,
        certified_on=sent + timedelta(days=7) if certified else None,
        received_on=sent + timedelta(days=8) if certified else None,
        certification_note="Faxed to the referring physician's office." if not certified else ""), today=today)


def discharge(session: Session, therapist: Actor, case: Case, episode_id: int, *, ended: datetime,
              today: date) -> None:
    """Discharge on the day of the last visit (which ``ended``) and sign the summary an hour later: the
    functional goal judged met (the therapist's word), each measure goal met if its latest score reached
    its target."""
    assert case.discharge is not None
    on = ended.date()
    episodes.discharge(session, therapist, episode_id, EpisodeDischarge(
        reason=case.discharge.reason, note=case.discharge.note, discharged_on=on), today=today)
    summary = reports.draft(session, therapist, episode_id, ReportKind.DISCHARGE_SUMMARY, today=today)
    outcomes = {}
    for goal in summary.content["goals"]:
        if goal["status"] != "active":
            continue
        reached = goal["kind"] == "functional" or bool(goal.get("target_reached"))
        outcomes[goal["goal_id"]] = "met" if reached else "not_met"
    reports.edit(session, therapist, summary.id, sections={
        "assessment": case.discharge.assessment.format(scores=_course(session, case, episode_id, ended)),
        "recommendations": case.discharge.recommendations}, outcomes=outcomes)
    reports.sign(session, therapist, summary.id, now=ended + timedelta(hours=1))
