"""What an episode's paperwork owes Medicare's timing rules, and when: the physician's certification
of the plan of care, its recertification, and the progress report (rules and their source:
:mod:`reeducate.planning.medicare`).

The dates come from the record: treatment days are the calendar days (at the clinic's main location)
of the episode's visits that were treated (in progress or completed); a progress report counts from
the day its clinician signed it (a draft is not yet a report); a plan's certification from the dates
the physician's office gave. Nothing here says what a page shows: the episode, chart, schedule and
the clinic's due list read the same :class:`EpisodeDues`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, require_role
from reeducate.clinic.audit_log import record
from reeducate.clinic.models import Episode, EpisodeReport, Location, Patient, PlanOfCare, Visit
from reeducate.clinic.services import scheduling
from reeducate.clinic.vocabulary import AuditAction, EpisodeStatus, NoteStatus, ReportKind, VisitStatus
from reeducate.planning import medicare

TREATED = (VisitStatus.IN_PROGRESS, VisitStatus.COMPLETED)
"""Visits that make a treatment day (a patient only checked in was not treated yet)."""
DUE_SOON_DAYS = 7
"""How far ahead the clinic's due list looks for a certification (our setting, not a rule)."""


@dataclass(frozen=True)
class EpisodeDues:
    """An episode's timing duties on ``today``.

    ``plan`` is the plan the certification duties are about: the latest signed plan, else the latest
    draft. ``certification`` applies the 30-day (initial plan) or recertification (a later plan: due by
    the previous plan's end) and 14-day rules to it; ``recertification_due`` is when the plan runs out
    (its end, or its 90th day). ``progress`` is the 10-treatment-day clock.
    """

    episode: Episode
    today: date
    first_treatment: date | None
    plan: PlanOfCare | None
    certification: medicare.Certification | None
    recertification_due: date | None
    progress: medicare.ProgressReportClock

    @property
    def certification_outstanding(self) -> bool:
        """The plan's certification (or the signature after a verbal order) is not in yet."""
        if self.certification is None:
            return False
        awaited = (medicare.Timing.DUE, medicare.Timing.OVERDUE)
        return self.certification.state in awaited or self.certification.signature in awaited

    @property
    def certification_overdue(self) -> bool:
        if self.certification is None:
            return False
        return medicare.Timing.OVERDUE in (self.certification.state, self.certification.signature)

    @property
    def recertification_overdue(self) -> bool:
        return self.recertification_due is not None and self.today > self.recertification_due

    @property
    def needs_attention(self) -> bool:
        """Anything overdue, a report due at the next treatment day, or a certification due within a week."""
        soon = self.certification is not None and self.certification_outstanding and (
            min(d for d in (self.certification.due, self.certification.signature_due) if d is not None)
            - self.today).days <= DUE_SOON_DAYS
        recert_soon = self.recertification_due is not None and (
            self.recertification_due - self.today).days <= DUE_SOON_DAYS
        return (self.certification_overdue or soon or recert_soon or self.recertification_overdue
                or self.progress.due_now)


def _main_location(session: Session, episode: Episode) -> Location | None:
    return session.scalar(select(Location).where(Location.clinic_id == episode.patient.clinic_id)
                          .order_by(Location.id).limit(1))


def of_episode(session: Session, episode: Episode, *, today: date | None = None) -> EpisodeDues:
    """The episode's dues; the caller has checked that its actor may see the episode (not audited)."""
    location = _main_location(session, episode)

    def day_of(moment: datetime) -> date:
        return scheduling.local_day(moment, location) if location else moment.date()

    today = today or (scheduling.local_today(location) if location else date.today())
    treated = [day_of(moment) for moment in session.scalars(
        select(Visit.checked_in_at).where(Visit.episode_id == episode.id, Visit.status.in_(TREATED)))]
    reports = [day_of(moment) for moment in session.scalars(
        select(EpisodeReport.signed_at).where(EpisodeReport.episode_id == episode.id,
                                              EpisodeReport.kind == ReportKind.PROGRESS_REPORT,
                                              EpisodeReport.signed_at.is_not(None)))
               if moment is not None]
    plans = list(session.scalars(select(PlanOfCare).where(PlanOfCare.episode_id == episode.id)
                                 .order_by(PlanOfCare.number)))
    signed = [p for p in plans if p.status is NoteStatus.SIGNED]
    plan = (signed or plans)[-1] if plans else None
    first_treatment = min(treated, default=None)
    certification = recertification = None
    if plan is not None:
        previous = next((p for p in reversed(signed) if p.number < plan.number), None)
        if previous is None:
            start = min(d for d in (first_treatment, plan.starts_on) if d is not None)
            certification = medicare.certification(start, plan.certified_on, plan.verbal_order_on, today)
        else:
            due = medicare.recertification_due(previous.starts_on, previous.ends_on)
            certified_by = min((d for d in (plan.certified_on, plan.verbal_order_on) if d is not None), default=None)
            signature_due = (medicare.verbal_order_signature_due(plan.verbal_order_on)
                             if plan.verbal_order_on else None)
            certification = medicare.Certification(
                due, medicare.timing(due, certified_by, today), signature_due,
                medicare.timing(signature_due, plan.certified_on, today) if signature_due else None)
        if plan.status is NoteStatus.SIGNED:
            recertification = medicare.recertification_due(plan.starts_on, plan.ends_on)
    return EpisodeDues(episode=episode, today=today, first_treatment=first_treatment, plan=plan,
                       certification=certification, recertification_due=recertification,
                       progress=medicare.progress_report_clock(treated, reports))


def for_clinic(session: Session, actor: Actor, *, today: date | None = None) -> list[EpisodeDues]:
    """The clinic's active episodes whose paperwork needs attention, most urgent first (staff; one
    audited read of the list: names and dates, no clinical content)."""
    require_role(actor, permissions.TRACK_CERTIFICATION, "see what documentation is due")
    episodes = session.scalars(select(Episode).join(Patient).where(
        Patient.clinic_id == actor.clinic_id, Episode.status == EpisodeStatus.ACTIVE).order_by(Episode.id))
    found = [dues for dues in (of_episode(session, e, today=today) for e in episodes) if dues.needs_attention]
    record(session, actor, AuditAction.READ, "documentation_due", detail=f"{len(found)} episodes")
    return sorted(found, key=lambda d: (not (d.certification_overdue or d.progress.overdue
                                              or d.recertification_overdue),
                                        d.progress.treatment_days_left, d.episode.id))
