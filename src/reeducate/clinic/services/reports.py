"""An episode's reports (progress reports, the discharge summary): drafted from the record, edited,
signed by a PT or chiropractor (then final), corrected by addenda.

The progress report is the clinician's (Medicare Benefit Policy Manual ch. 15 section 220.3 D): a PT
assistant may write elements of a draft (its sections and goal comments), never draft, judge goals
nor sign it. Signing stores a SHA-256 over the content, the report's episode, kind and period, the
signer and the time (:mod:`reeducate.clinic.signing`, as the visit note's); the ORM refuses any change
to a signed report. A progress report belongs to an active episode; the discharge summary is drafted
before or after the discharge and signed after it (see :mod:`.discharge_summary` for why a discharged
episode still takes it). The drafted content is :mod:`.progress_reports`' and :mod:`.discharge_summary`'.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, fetch_for_patient, require_role
from reeducate.clinic.audit_log import record
from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput, NotFound
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import Episode, EpisodeReport, ReportAddendum, Visit
from reeducate.clinic.schemas import section_text
from reeducate.clinic.services import discharge_summary, episodes, measures, progress_reports, scheduling
from reeducate.clinic.signing import sha256_of, signing_moment
from reeducate.clinic.vocabulary import AuditAction, EpisodeStatus, NoteStatus, ReportKind
from reeducate.reports.dates import day_text

ASSISTANT_MAY_NOT = ("A PT assistant may write elements of a progress report or discharge summary, but the report "
                     "is the therapist's: a physical therapist or chiropractor {doing} (Medicare Benefit Policy "
                     "Manual ch. 15 section 220.3 D).")
SECTIONS = {ReportKind.PROGRESS_REPORT: progress_reports.SECTIONS, ReportKind.DISCHARGE_SUMMARY: discharge_summary.SECTIONS}
REQUIRED = {ReportKind.PROGRESS_REPORT: ("assessment", "plan"),
            ReportKind.DISCHARGE_SUMMARY: ("assessment", "recommendations")}
"""Sections that must be written before signing (the home programme may honestly be none)."""


def _require_plan_role(actor: Actor, doing: str) -> None:
    """Refuse all but a PT or chiropractor; a PT assistant is told why (ch. 15 section 220.3 D)."""
    if actor.is_clinician and actor.role not in permissions.PLAN:
        raise Forbidden(ASSISTANT_MAY_NOT.format(doing=doing))
    require_role(actor, permissions.PLAN, "write or sign progress reports and discharge summaries")


def _report(session: Session, actor: Actor, report_id: int) -> EpisodeReport:
    """The report, if ``actor`` is a clinician who may see its patient (not audited)."""
    require_role(actor, permissions.SEE_CLINICAL, "see progress reports and discharge summaries")
    return fetch_for_patient(session, actor, EpisodeReport, report_id, "report", patient_of=lambda r: r.episode.patient,
                             clinical=True)


def get(session: Session, actor: Actor, report_id: int) -> EpisodeReport:
    """The report (clinicians of the patient's clinic); audited."""
    report = _report(session, actor, report_id)
    record(session, actor, AuditAction.READ, "episode_report", report.id, patient_id=report.episode.patient_id,
           detail=report.kind.value)
    return report


def of_episode(session: Session, episode: Episode) -> list[EpisodeReport]:
    """The episode's reports, newest first (``episode`` was read, and audited, for the actor)."""
    return list(session.scalars(select(EpisodeReport).where(EpisodeReport.episode_id == episode.id)
                                .order_by(EpisodeReport.created_at.desc(), EpisodeReport.id.desc())))


@dataclass(frozen=True)
class Drafting:
    """What drafting the episode's report of ``kind`` does: open ``existing`` (the draft already
    written), or draft one covering ``start`` to ``end`` (``treatment_days`` in a progress report's
    period) at ``visit_id``, if given."""

    episode: Episode
    kind: ReportKind
    existing: EpisodeReport | None
    start: date
    end: date
    treatment_days: int | None
    visit_id: int | None


def drafting(session: Session, actor: Actor, episode_id: int, kind: ReportKind, *, visit_id: int | None = None,
             today: date | None = None) -> Drafting:
    """Whether and what a PT or chiropractor may draft now (the episode read is audited).

    A progress report needs an active episode and a treatment day since the last signed one; it covers
    the open period to the visit's day (``visit_id``, a visit of the episode) or today. There is one
    discharge summary: a signed one takes addenda, not a second summary."""
    _require_plan_role(actor, "drafts and signs it")
    episode = episodes.get(session, actor, episode_id)
    existing = session.scalars(select(EpisodeReport).where(EpisodeReport.episode_id == episode.id,
                                                           EpisodeReport.kind == kind)
                               .order_by(EpisodeReport.id.desc())).all()
    open_draft = next((r for r in existing if r.status is NoteStatus.DRAFT), None)
    location = scheduling.location_of(session, actor, None)
    today = today or scheduling.local_today(location)
    if kind is ReportKind.PROGRESS_REPORT:
        if episode.status is EpisodeStatus.DISCHARGED:
            raise Conflict(f"This episode was discharged on {day_text(episode.discharged_on)}: write its discharge "
                           "summary instead of a progress report.")
        on = today
        if visit_id is not None:
            visit = session.get(Visit, visit_id)
            if visit is None or visit.episode_id != episode.id:
                raise NotFound(f"No visit {visit_id} in this episode.", field="visit_id")
            on = scheduling.local_day(visit.checked_in_at, location)
        if open_draft is not None:
            return Drafting(episode, kind, open_draft, open_draft.period_start, open_draft.period_end, None, visit_id)
        start, days = progress_reports.period(session, episode, on)
        return Drafting(episode, kind, None, start, on, len(days), visit_id)
    if open_draft is None and existing:
        raise Conflict(f"The discharge summary was signed on {day_text(existing[0].signed_at, location.timezone)}; "
                       "add an addendum to it instead.")
    start, end = discharge_summary.span(session, episode, today)
    return Drafting(episode, kind, open_draft, start, end, None, None)


def draft(session: Session, actor: Actor, episode_id: int, kind: ReportKind, *, visit_id: int | None = None,
          today: date | None = None) -> EpisodeReport:
    """The episode's draft of ``kind`` drafted from the record now, or the draft already open (see
    :func:`drafting` for what may be drafted)."""
    _require_plan_role(actor, "drafts and signs it")
    serialise(session, LockScope.EPISODE, episode_id)  # one draft, however many clicks
    plan = drafting(session, actor, episode_id, kind, visit_id=visit_id, today=today)
    if plan.existing is not None:
        return plan.existing
    episode = plan.episode
    location = scheduling.location_of(session, actor, None)
    administrations = measures.for_episode(session, actor, episode.id)
    if kind is ReportKind.PROGRESS_REPORT:
        content = progress_reports.content(session, episode, administrations, location, plan.start, plan.end)
    else:
        content = discharge_summary.content(session, episode, administrations, location, plan.start, plan.end)
    assert actor.user_id is not None, "a clinician is a user"
    report = EpisodeReport(episode_id=episode.id, kind=kind, visit_id=visit_id, period_start=plan.start,
                           period_end=plan.end, content=content, status=NoteStatus.DRAFT, created_by_id=actor.user_id)
    session.add(report)
    session.flush()
    record(session, actor, AuditAction.CREATE, "episode_report", report.id, patient_id=episode.patient_id,
           detail=f"{kind.value} drafted, {plan.start.isoformat()} to {plan.end.isoformat()}")
    return report


def _draft_to_change(session: Session, actor: Actor, report_id: int) -> EpisodeReport:
    require_role(actor, permissions.TREAT, "write progress reports or discharge summaries")
    report = _report(session, actor, report_id)
    serialise(session, LockScope.EPISODE, report.episode_id)
    session.flush()
    session.refresh(report)  # as the lock's holder left it (read before the lock was taken)
    if report.status is NoteStatus.SIGNED:
        signer = report.signed_by.display_name if report.signed_by else "a clinician"
        raise Conflict(f"This {report.kind.label.lower()} was signed by {signer} on {day_text(report.signed_at)} "
                       "and cannot change; add an addendum instead.")
    if report.kind is ReportKind.PROGRESS_REPORT and report.episode.status is EpisodeStatus.DISCHARGED:
        raise Conflict("This episode was discharged: its progress report drafts no longer change; the discharge "
                       "summary reports the end of care.")
    return report


def edit(session: Session, actor: Actor, report_id: int, *, sections: Mapping[str, str] | None = None,
         comments: Mapping[int, str] | None = None, outcomes: Mapping[int, str] | None = None,
         decision: str | None = None) -> EpisodeReport:
    """Change the draft: its written ``sections``, a comment on a goal (by goal id), and, for a PT or
    chiropractor only, the plan's ``decision`` (progress report) and each active goal's ``outcomes``
    (discharge summary: met or not met)."""
    report = _draft_to_change(session, actor, report_id)
    if (outcomes or decision) and actor.role not in permissions.PLAN:
        _require_plan_role(actor, "judges the goals and decides the plan")
    content: dict[str, Any] = json.loads(json.dumps(report.content))
    allowed = SECTIONS[report.kind]
    for key, value in (sections or {}).items():
        if key not in allowed:
            raise InvalidInput(f"A {report.kind.label.lower()} has no section {key!r}; it has {', '.join(allowed)}.")
        content["sections"][key] = section_text(value, key.replace("_", " ").capitalize())
    goals = {g["goal_id"]: g for g in content["goals"]}
    for goal_id, text in (comments or {}).items():
        if goal_id not in goals:
            raise InvalidInput(f"Goal {goal_id} is not one of this report's goals.")
        goals[goal_id]["comment"] = section_text(text, "The goal's comment")
    if outcomes:
        if report.kind is not ReportKind.DISCHARGE_SUMMARY:
            raise InvalidInput("Goals are judged met or not met on the discharge summary.")
        for goal_id, outcome in outcomes.items():
            goal = goals.get(goal_id)
            if goal is None or goal["status"] != "active":
                raise InvalidInput(f"Goal {goal_id} is not an active goal of this summary.")
            if outcome not in (*discharge_summary.OUTCOMES, ""):
                raise InvalidInput("A goal at discharge is met or not met.")
            goal["outcome"] = outcome
    if decision is not None:
        if report.kind is not ReportKind.PROGRESS_REPORT or decision not in (*progress_reports.DECISIONS, ""):
            raise InvalidInput("The plan's decision is one of: " + ", ".join(progress_reports.DECISIONS.values()) + ".")
        content["decision"] = decision
    if content == report.content:
        return report
    report.content, report.updated_at = content, utcnow()
    record(session, actor, AuditAction.UPDATE, "episode_report", report.id, patient_id=report.episode.patient_id,
           detail="draft edited")
    return report


def content_hash(report: EpisodeReport, signer_id: int, signed_at: datetime) -> str:
    """SHA-256 over what the signature covers: content, episode, kind, period, signer and time."""
    return sha256_of({"report": report.id, "episode": report.episode_id, "kind": report.kind.value,
                      "period": [report.period_start.isoformat(), report.period_end.isoformat()],
                      "content": report.content, "signer": signer_id, "signed_at": signed_at.isoformat()})


def sign(session: Session, actor: Actor, report_id: int, *, now: datetime | None = None) -> EpisodeReport:
    """Sign the draft (a PT or chiropractor): its required sections written, a progress report's
    decision and functional goals judged in words; a discharge summary once the episode is discharged,
    with each active goal judged (whose status signing then sets)."""
    _require_plan_role(actor, "signs it")
    report = _draft_to_change(session, actor, report_id)
    assert actor.user_id is not None, "a clinician is a user"
    content = report.content
    empty = [s.replace("_", " ") for s in REQUIRED[report.kind] if not content["sections"].get(s, "").strip()]
    if empty:
        raise InvalidInput(f"Write the {', '.join(empty)} before signing.")
    if report.kind is ReportKind.PROGRESS_REPORT:
        if content.get("decision") not in progress_reports.DECISIONS:
            raise InvalidInput("Choose the plan's decision (continue, modify or discharge) before signing.")
        unjudged = [g["description"][:60] for g in content["goals"]
                    if g["kind"] == "functional" and g["status"] == "active" and not g["comment"].strip()]
        if unjudged:
            raise InvalidInput("Say in words how each functional goal stands before signing: " + "; ".join(unjudged) + ".")
    else:
        report.content = discharge_summary.before_signing(session, report)
    signed_at = signing_moment(now)
    digest = content_hash(report, actor.user_id, signed_at)
    report.status, report.signed_at, report.signed_by_id, report.content_sha256 = (
        NoteStatus.SIGNED, signed_at, actor.user_id, digest)
    session.flush()
    record(session, actor, AuditAction.UPDATE, "episode_report", report.id, patient_id=report.episode.patient_id,
           detail=f"{report.kind.value} signed, sha256 {digest[:12]}")
    if report.kind is ReportKind.DISCHARGE_SUMMARY:
        discharge_summary.record_outcomes(session, actor, report)
    return report


def verify(report: EpisodeReport) -> bool:
    """True if the signed report's content still matches the hash stored when it was signed."""
    if report.status is not NoteStatus.SIGNED or report.signed_at is None or report.signed_by_id is None:
        return False
    return content_hash(report, report.signed_by_id, report.signed_at) == report.content_sha256


def add_addendum(session: Session, actor: Actor, report_id: int, text: str, *,
                 now: datetime | None = None) -> ReportAddendum:
    """A correction or addition to a signed report, by a PT or chiropractor (with author, time and hash)."""
    _require_plan_role(actor, "adds addenda to it")
    report = _report(session, actor, report_id)
    serialise(session, LockScope.EPISODE, report.episode_id)
    if report.status is not NoteStatus.SIGNED:
        raise Conflict("Addenda are for signed reports; edit the draft instead.")
    body = section_text(text, "The addendum")
    if not body:
        raise InvalidInput("The addendum is empty; write the correction or addition.")
    created = signing_moment(now)
    assert actor.user_id is not None, "a clinician is a user"
    digest = sha256_of({"report": report.id, "signed": report.content_sha256, "text": body, "author": actor.user_id,
                        "at": created.isoformat()})
    addendum = ReportAddendum(report_id=report.id, text=body, author_id=actor.user_id, created_at=created,
                              sha256=digest)
    session.add(addendum)
    session.flush()
    record(session, actor, AuditAction.CREATE, "report_addendum", addendum.id, patient_id=report.episode.patient_id,
           detail=f"addendum to {report.kind.value} {report.id}")
    return addendum
