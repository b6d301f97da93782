"""A patient's remote therapeutic monitoring (RTM) in an episode: the days with data counted from the real
home sessions, the clinicians' logged minutes, the set-up and education once, and what bills under the
rules of the pure core (``billing/rtm.py``), turned into claim lines through the billing core.

Clinicians read it; writing (set-up, minutes, removing a mistaken entry) is ``permissions.MONITOR_REMOTELY``;
whoever sees billing (``permissions.SEE_BILLING``: the front desk too) reads the claim lines alone
(``claim_lines_of``), without the clinical content. Every read and write is audited. Claims are not stored
here: a claim belongs to a visit (``Claim.visit_id``), and an RTM period or month is no visit, so the lines
are shown for the superbill and the clinic's biller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.billing.lines import BilledVisit, BillingRefused, Context, Discipline
from reeducate.billing.rtm import (
    PERIOD_DAYS,
    Billable,
    ManagementMonth,
    RtmAssessment,
    RtmRefused,
    Setup,
    SupplyPeriod,
    TimeEntry,
    assess,
    claim_lines,
    management_month,
    refuse_second_setup,
)
from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, fetch_for_patient, require_role
from reeducate.clinic.audit_log import record
from reeducate.clinic.errors import Conflict, InvalidInput, NotFound
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import (
    Coverage,
    Episode,
    HomeProgramme,
    HomeSession,
    Patient,
    RtmSetup,
    RtmTimeEntry,
)
from reeducate.clinic.schemas import plain_text
from reeducate.clinic.services import billing, episodes, patients
from reeducate.clinic.vocabulary import (
    AuditAction,
    EpisodeStatus,
    ExerciseStatus,
    HomeSessionKind,
    PlanKind,
    Role,
    RtmActivity,
)
from reeducate.reports.dates import day_text
from reeducate.training.adherence import version_on

MAX_NOTE_CHARS = 2000
MAX_REASON_CHARS = 500
MAX_ENTRY_MINUTES = 120
"""Our setting, not a billing rule: the most minutes one time entry (one day's sitting of monitoring work)
may hold. Two hours of reviewing data and calling one patient in a day is already far beyond what the
management codes pay for in a month (98980 plus two units of 98981 is 60 minutes), so a larger number is
almost surely a slip of the keyboard (600 for 60); more real work on a day is logged as a second entry."""
DATA_KINDS = frozenset({HomeSessionKind.GUIDED})
"""Home sessions whose day is a day with data: the guided ones, whose counts the patient's own device
measured and transmitted (pose on the device, landmarks to the server). A ticked session is the patient
saying an exercise was done. Summaries of the CY 2022 PFS final rule say RTM data may be self-reported
(APTA 2022; Nixon Law Group 2021), but we could not read that in the rule's own text, and a tick in the
portal is entered, not measured: ticked days are shown beside the strip and not counted."""
NOT_DATA = frozenset({ExerciseStatus.ENDED_EARLY})
"""A guided session ended with nothing done measured nothing: its day is not a day with data."""
MANAGEMENT_ACTIVITIES = frozenset(set(RtmActivity) - {RtmActivity.SETUP_EDUCATION})
"""Minutes that count as treatment management: the set-up and education is 98975's own service, and a
minute counts toward one code only."""


class RtmTimeInput(BaseModel):
    """Minutes spent on the patient's monitoring on one day: on what, and whether it was a real-time
    (audio or video) communication with the patient or caregiver."""

    performed_on: date
    minutes: int
    activity: RtmActivity
    interactive: bool = False
    note: str = Field("", max_length=MAX_NOTE_CHARS)

    @field_validator("minutes", mode="before")
    @classmethod
    def _plain_minutes(cls, value: object) -> int:
        """Whole minutes from 1 to MAX_ENTRY_MINUTES, each refusal in plain words."""
        text = str(value).strip()
        if not text.lstrip("-").isdigit():
            raise ValueError("Enter the minutes as a whole number, e.g. 15")
        minutes = int(text)
        if minutes < 1:
            raise ValueError("Enter 1 minute or more")
        if minutes > MAX_ENTRY_MINUTES:
            raise ValueError(f"Enter at most {MAX_ENTRY_MINUTES} minutes in one entry (the clinic's limit for a "
                             "day's sitting); log further work that day as another entry")
        return minutes


class RtmSetupInput(BaseModel):
    """The day the patient was set up on the monitoring and taught to use it."""

    performed_on: date
    note: str = Field("", max_length=MAX_NOTE_CHARS)


@dataclass(frozen=True)
class ClaimPreview:
    """The claim lines of one 98975, period or month, as the billing core makes them, or why it refuses;
    ``final`` once the period or month has ended (a running one's codes may still change)."""

    what: str
    day: date
    billed: BilledVisit | None
    problems: tuple[str, ...]
    final: bool


@dataclass(frozen=True)
class RtmOverview:
    patient: Patient
    episode: Episode | None
    active_episodes: tuple[Episode, ...]
    today: date
    through: date
    setup: RtmSetup | None
    entries: tuple[RtmTimeEntry, ...]
    assessment: RtmAssessment | None
    entered_days: frozenset[date]
    """Days with only a ticked session: shown beside the strip, not counted (DATA_KINDS)."""
    period: SupplyPeriod | None
    month: ManagementMonth
    coverage: Coverage | None
    claims: tuple[ClaimPreview, ...]

    @property
    def writable(self) -> bool:
        return self.episode is not None and self.episode.status is EpisodeStatus.ACTIVE


@dataclass(frozen=True)
class RtmClaimLines:
    """The billing side of an episode's RTM alone: the claim lines and their dates, no clinical content."""

    patient: Patient
    episode: Episode | None
    active_episodes: tuple[Episode, ...]
    coverage: Coverage | None
    claims: tuple[ClaimPreview, ...]


def _episode(session: Session, actor: Actor, patient: Patient, episode_id: int | None, *,
             clinical: bool = True) -> Episode | None:
    if episode_id is not None:
        episode = fetch_for_patient(session, actor, Episode, episode_id, "episode", patient_of=lambda e: e.patient,
                                    clinical=clinical)
        if episode.patient_id != patient.id:
            raise InvalidInput("That episode is another patient's.", field="episode_id")
        return episode
    return session.scalars(select(Episode).where(Episode.patient_id == patient.id)
                           .order_by((Episode.status == EpisodeStatus.ACTIVE).desc(), Episode.started_on.desc(),
                                     Episode.id.desc())).first()


def _setup(session: Session, episode: Episode) -> RtmSetup | None:
    return session.scalars(select(RtmSetup).where(RtmSetup.episode_id == episode.id)).first()


def _entries(session: Session, episode: Episode) -> list[RtmTimeEntry]:
    return list(session.scalars(select(RtmTimeEntry).where(RtmTimeEntry.episode_id == episode.id)
                                .order_by(RtmTimeEntry.performed_on, RtmTimeEntry.id)))


def _sessions(session: Session, episode: Episode, through: date) -> list[HomeSession]:
    """The episode's home sessions (those of its programme's exercises) up to ``through`` (the caller audits)."""
    found = session.scalars(select(HomeSession).where(HomeSession.patient_id == episode.patient_id,
                                                      HomeSession.performed_on >= episode.started_on,
                                                      HomeSession.performed_on <= through)
                            .order_by(HomeSession.performed_on, HomeSession.id))
    return [s for s in found if s.item.version.programme.episode_id == episode.id]


def exercise_days(session: Session, episode: Episode, first: date) -> set[date] | None:
    """The days from ``first`` to the end of a 30-day period after it on which the episode's programme
    plans an exercise guided by the camera (only a guided session brings data, :func:`days_with_data`): the
    days a running period may still gain data on (``billing.rtm.supply_periods``). None without a programme
    yet: one may still be prescribed, so any day may bring data."""
    programme = session.scalars(select(HomeProgramme).where(HomeProgramme.episode_id == episode.id)).first()
    if programme is None:
        return None
    found = set()
    for day in (first + timedelta(days=i) for i in range(PERIOD_DAYS)):
        version = version_on(programme.versions, day)
        if version is not None and any(day.isoweekday() in item.weekdays and item.monitor is not None
                                       for item in version.items):
            found.add(day)
    return found


def days_with_data(sessions: list[HomeSession]) -> set[date]:
    """The days with data: a guided session that measured something (DATA_KINDS, NOT_DATA)."""
    return {s.performed_on for s in sessions if s.kind in DATA_KINDS and s.status not in NOT_DATA}


def _assistant(role: Role) -> bool:
    return role is Role.PT_ASSISTANT


def _context(session: Session, episode: Episode, coverage: Coverage | None, day: date) -> Context:
    """The billing core's facts for RTM on ``day``: the payer, the discipline of the episode's lead."""
    medicare = coverage is not None and coverage.plan_kind is PlanKind.MEDICARE
    lead = next((m.user for m in episode.care_team if m.is_lead), None)
    discipline = Discipline.CHIROPRACTIC if lead is not None and lead.role is Role.CHIROPRACTOR \
        else Discipline.PHYSICAL_THERAPY
    before = billing.claimed_in_year(session, episode.patient_id, coverage, day.year) \
        if medicare and coverage is not None else Decimal(0)
    return Context(day=day, discipline=discipline, medicare=medicare, unit_rule=billing.unit_rule_of(coverage),
                   therapy_amount_before=before, fees=billing.fees_of(episode.patient.clinic))


def _preview(session: Session, episode: Episode, coverage: Coverage | None, what: str, ends_on: date,
             through: date, billables: list[Billable]) -> ClaimPreview:
    """Dated the day it ends, or ``through`` while it runs."""
    day = min(ends_on, through)
    billed: BilledVisit | None = None
    problems: tuple[str, ...] = ()
    try:
        billed = claim_lines(billables, _context(session, episode, coverage, day))
    except BillingRefused as refusal:
        problems = tuple(str(p) for p in refusal.problems)
    return ClaimPreview(what, day, billed, problems, ends_on <= through)


def _claims(session: Session, episode: Episode, coverage: Coverage | None, assessment: RtmAssessment,
            through: date) -> list[ClaimPreview]:
    """Each billable 98975, period and month, newest first; a running one dated ``through``."""
    out = []
    setup = assessment.setup
    if setup.billable is not None and setup.day is not None:
        out.append(_preview(session, episode, coverage, "Set-up and education", setup.day, through,
                            [setup.billable]))
    for period in assessment.periods:
        if period.billable is not None:
            out.append(_preview(session, episode, coverage, f"30-day period {period.number} "
                                f"({day_text(period.starts_on)} to {day_text(period.ends_on)})",
                                period.ends_on, through, [period.billable]))
    for month in assessment.months:
        if month.billables:
            out.append(_preview(session, episode, coverage, f"{month.month:%B %Y}", month.ends_on, through,
                                list(month.billables)))
    return sorted(out, key=lambda c: c.day, reverse=True)


@dataclass(frozen=True)
class _Read:
    """What both views start from: the patient, the episode shown, the active ones, the coverage."""

    patient: Patient
    episode: Episode | None
    active: tuple[Episode, ...]
    coverage: Coverage | None
    today: date


def _read(session: Session, actor: Actor, patient_id: int, episode_id: int | None, today: date | None, *,
          clinical: bool, what: str) -> _Read:
    """The patient and episode the actor may see (clinical or billing), audited as ``what``."""
    patient = patients.load(session, actor, patient_id, clinical=clinical)
    episode = _episode(session, actor, patient, episode_id, clinical=clinical)
    active = tuple(session.scalars(select(Episode).where(Episode.patient_id == patient.id,
                                                         Episode.status == EpisodeStatus.ACTIVE)
                                   .order_by(Episode.started_on.desc(), Episode.id.desc())))
    record(session, actor, AuditAction.READ, what, episode.id if episode else None, patient_id=patient.id)
    return _Read(patient, episode, active, billing.primary_coverage_of(patient),
                 today or episodes.clinic_today(session, actor))


def _assessed(session: Session, episode: Episode, through: date, setup: RtmSetup | None,
              entries: list[RtmTimeEntry], data: set[date]) -> RtmAssessment:
    """The pure core's assessment of the episode's records up to ``through``."""
    return assess(
        Setup(setup.performed_on, _assistant(setup.performed_by.role)) if setup else None, data,
        [TimeEntry(e.performed_on, e.minutes, e.interactive, _assistant(e.clinician.role))
         for e in entries if e.activity in MANAGEMENT_ACTIVITIES], through, exercise_days(session, episode, through))


def _through(read: _Read, episode: Episode) -> date:
    return min(read.today, episode.discharged_on or read.today)


def overview(session: Session, actor: Actor, patient_id: int, *, episode_id: int | None = None,
             today: date | None = None) -> RtmOverview:
    """The patient's RTM in the episode named (else their newest active one); audited."""
    require_role(actor, permissions.SEE_CLINICAL,
                 "see a patient's remote monitoring; its claim lines and superbill are linked from the chart")
    read = _read(session, actor, patient_id, episode_id, today, clinical=True, what="rtm")
    patient, episode, active, coverage, today = read.patient, read.episode, read.active, read.coverage, read.today
    if episode is None:
        return RtmOverview(patient, None, active, today, today, None, (), None, frozenset(), None,
                           management_month(today, []), coverage, ())
    through = _through(read, episode)
    setup, entries = _setup(session, episode), _entries(session, episode)
    sessions = _sessions(session, episode, through)
    data = days_with_data(sessions)
    assessment = _assessed(session, episode, through, setup, entries, data)
    month = assessment.month_of(through) or management_month(through, [])
    return RtmOverview(patient, episode, active, today, through, setup, tuple(entries), assessment,
                       frozenset(s.performed_on for s in sessions if s.kind is HomeSessionKind.TICKED) - data,
                       assessment.period_on(through), month,
                       coverage, tuple(_claims(session, episode, coverage, assessment, through)))


def claim_lines_of(session: Session, actor: Actor, patient_id: int, *, episode_id: int | None = None,
                   today: date | None = None) -> RtmClaimLines:
    """The claim lines of the patient's RTM in the episode named (else their newest active one), for whoever
    sees billing: codes, units, modifiers, charges and dates, nothing clinical; audited."""
    require_role(actor, permissions.SEE_BILLING, "see remote monitoring's claim lines")
    read = _read(session, actor, patient_id, episode_id, today, clinical=False, what="rtm_claims")
    if read.episode is None:
        return RtmClaimLines(read.patient, None, read.active, read.coverage, ())
    episode = read.episode
    through = _through(read, episode)
    assessment = _assessed(session, episode, through, _setup(session, episode), _entries(session, episode),
                           days_with_data(_sessions(session, episode, through)))
    return RtmClaimLines(read.patient, episode, read.active, read.coverage,
                         tuple(_claims(session, episode, read.coverage, assessment, through)))


def _writable_episode(session: Session, actor: Actor, patient_id: int, episode_id: int, day: date,
                      doing: str) -> Episode:
    require_role(actor, permissions.MONITOR_REMOTELY, doing)
    patient = patients.load(session, actor, patient_id, clinical=True)
    episode = episodes.clinical_episode(session, actor, episode_id)
    if episode.patient_id != patient.id:
        raise InvalidInput("That episode is another patient's.", field="episode_id")
    serialise(session, LockScope.EPISODE, episode.id)
    if episode.status is not EpisodeStatus.ACTIVE:
        raise Conflict("This episode is discharged; remote monitoring is recorded in an active episode.")
    today = episodes.clinic_today(session, actor)
    if day > today:
        raise InvalidInput(f"{day_text(day)} is in the future: record what was done, on the day it was done.",
                           field="performed_on")
    if day < episode.started_on:
        raise InvalidInput(f"{day_text(day)} is before the episode began ({day_text(episode.started_on)}).",
                           field="performed_on")
    return episode


def record_setup(session: Session, actor: Actor, patient_id: int, episode_id: int, data: RtmSetupInput) -> RtmSetup:
    """The episode's set-up and education (98975); a second one is refused naming the rule."""
    episode = _writable_episode(session, actor, patient_id, episode_id, data.performed_on, "record remote monitoring")
    existing = _setup(session, episode)
    try:
        refuse_second_setup(existing.performed_on if existing else None)
    except RtmRefused as refusal:
        raise Conflict(str(refusal)) from None
    row = RtmSetup(episode_id=episode.id, patient_id=episode.patient_id, performed_on=data.performed_on,
                   performed_by_id=actor.user_id, note=plain_text(data.note, "The note").strip())
    session.add(row)
    session.flush()
    record(session, actor, AuditAction.CREATE, "rtm_setup", row.id, patient_id=episode.patient_id,
           detail=f"episode {episode.id}: set up {data.performed_on}")
    return row


def log_time(session: Session, actor: Actor, patient_id: int, episode_id: int, data: RtmTimeInput) -> RtmTimeEntry:
    """Minutes of monitoring on a day; a call logged as the activity is a real-time communication."""
    episode = _writable_episode(session, actor, patient_id, episode_id, data.performed_on,
                                "log remote monitoring time")
    interactive = data.interactive or data.activity is RtmActivity.INTERACTIVE
    row = RtmTimeEntry(patient_id=episode.patient_id, episode_id=episode.id, clinician_id=actor.user_id,
                       performed_on=data.performed_on, minutes=data.minutes, activity=data.activity,
                       interactive=interactive, note=plain_text(data.note, "The note").strip())
    session.add(row)
    session.flush()
    record(session, actor, AuditAction.CREATE, "rtm_time_entry", row.id, patient_id=episode.patient_id,
           detail=f"episode {episode.id}: {data.minutes} min {data.activity.value} on {data.performed_on}"
                  + (" (real time)" if interactive else ""))
    return row


def remove_time(session: Session, actor: Actor, patient_id: int, entry_id: int, reason: str) -> RtmTimeEntry:
    """Remove a time entry logged by mistake, with the reason; audited with everything the entry held.

    An entry may be removed while its month is not yet billed. RTM claims are not released from
    Reeducate yet (the lines go on the superbill), so for now every entry of an active episode may be.
    The row is deleted, as the clinic's other mistaken records are (a diagnosis, a room): the audit row
    keeps what it held, who removed it, and why."""
    require_role(actor, permissions.MONITOR_REMOTELY, "remove remote monitoring time")
    entry = fetch_for_patient(session, actor, RtmTimeEntry, entry_id, "time entry",
                              patient_of=lambda e: session.get_one(Patient, e.patient_id), clinical=True)
    if entry.patient_id != patient_id:
        raise NotFound("That time entry is another patient's.")
    reason = plain_text(reason, "The reason").strip()
    if not reason:
        raise InvalidInput("Give the reason the entry is removed (e.g. 600 typed for 60); it is kept in the "
                           "audit log.", field="reason")
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidInput(f"Give the reason in at most {MAX_REASON_CHARS} characters.", field="reason")
    episode = _writable_episode(session, actor, patient_id, entry.episode_id, entry.performed_on,
                                "remove remote monitoring time")
    record(session, actor, AuditAction.DELETE, "rtm_time_entry", entry.id, patient_id=episode.patient_id,
           detail=(f"episode {episode.id}: removed {entry.minutes} min {entry.activity.value} on "
                   f"{entry.performed_on}" + (" (real time)" if entry.interactive else "")
                   + f" by {entry.clinician.full_name}; reason: {reason}")[:500])
    session.delete(entry)
    session.flush()
    return entry
