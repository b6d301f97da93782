"""Episodes of care: opened by an evaluating clinician with validated ICD-10-CM diagnoses, kept up to
date by the care team (diagnoses, team, precautions, referral, the payer's authorisation), discharged
with a reason by an evaluating clinician; a discharged episode is read-only."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy import update as update_rows
from sqlalchemy.orm import Session

from reeducate.billing.npi import npi_is_valid
from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, fetch_for_patient, require_role
from reeducate.clinic.audit_log import changes_between, record, snapshot
from reeducate.clinic.diagnoses import BillableCode, validate_icd10cm
from reeducate.clinic.errors import Conflict, InvalidInput, NotFound
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import (
    Appointment,
    BalanceTrial,
    CareTeamMember,
    Diagnosis,
    Episode,
    MeasureAdministration,
    MovementRecording,
    Patient,
    User,
    Visit,
)
from reeducate.clinic.schemas import CareTeamSet, EpisodeCreate, EpisodeDischarge, EpisodeUpdate
from reeducate.clinic.services import patients, scheduling, users
from reeducate.clinic.vocabulary import (
    SURGICAL_CONDITIONS,
    AppointmentStatus,
    AuditAction,
    DischargeReason,
    EpisodeStatus,
    Role,
    VisitStatus,
)
from reeducate.reports.dates import day_text

AUTHORISATION_WARN_VISITS = 2
"""Warn when this many authorised visits or fewer are left (our setting: about a week at twice a week,
time to ask the payer for more)."""
AUTHORISATION_WARN_DAYS = 7
"""Warn when the authorisation ends within this many days (our setting: a week's notice)."""
DETAILS = ("summary", "onset_date", "surgery_date", "referring_provider_name", "referring_provider_npi",
           "referral_date", "precautions", "red_flags", "authorisation_number", "authorised_visits",
           "authorised_from", "authorised_until")
"""The fields :func:`update` may change (EpisodeUpdate's)."""
RECORDED_IN_VISITS = (MeasureAdministration, BalanceTrial, MovementRecording)
"""What a visit records with its episode: these join an episode opened during the visit."""


def clinical_episode(session: Session, actor: Actor, episode_id: int) -> Episode:
    """The episode, if ``actor`` may see its clinical content (NotFound/Forbidden otherwise); not audited."""
    return fetch_for_patient(session, actor, Episode, episode_id, "episode", patient_of=lambda e: e.patient,
                             clinical=True)


def get(session: Session, actor: Actor, episode_id: int) -> Episode:
    episode = clinical_episode(session, actor, episode_id)
    record(session, actor, AuditAction.READ, "episode", episode.id, patient_id=episode.patient_id)
    return episode


def list_for_patient(session: Session, actor: Actor, patient_id: int) -> list[Episode]:
    patient = patients.load(session, actor, patient_id, clinical=True)
    episodes = list(
        session.scalars(
            select(Episode)
            .where(Episode.patient_id == patient.id)
            .order_by(Episode.started_on.desc(), Episode.id.desc())
        )
    )
    record(session, actor, AuditAction.READ, "episode", patient_id=patient.id, detail="list")
    return episodes


def patient_to_evaluate(session: Session, actor: Actor, patient_id: int) -> Patient:
    """The patient an evaluating clinician is about to open an episode for (the form's heading); audited."""
    require_role(actor, permissions.EVALUATE, "open an episode of care (a PT or chiropractor evaluates)")
    return patients.get(session, actor, patient_id, clinical=True)


@dataclass(frozen=True)
class TeamChoice:
    """A clinician of the clinic who may join a care team, and whether they may lead it."""

    user: User
    may_lead: bool


def team_choices(session: Session, actor: Actor) -> list[TeamChoice]:
    """The clinic's active clinicians for a care team; PTs and chiropractors may lead (they evaluate)."""
    return [TeamChoice(user, user.role in permissions.EVALUATE) for user in users.list_clinicians(session, actor)]


def clinic_today(session: Session, actor: Actor) -> date:
    """Today at the clinic's main location (a discharge or an authorisation's day is the clinic's)."""
    return scheduling.local_today(scheduling.location_of(session, actor, None))


def _clinician(session: Session, actor: Actor, user_id: int, *, lead: bool = False) -> User:
    user = session.get(User, user_id)
    if user is None or user.clinic_id != actor.clinic_id or not user.is_active:
        raise NotFound(f"No clinician {user_id} in this clinic.", field="care_team")
    if user.role not in permissions.TREAT:
        raise InvalidInput(
            f"{user.full_name} is {user.role.label.lower()}, not a clinician; only PTs, PT "
            "assistants and chiropractors join a care team.",
            field="care_team",
        )
    if lead and user.role not in permissions.EVALUATE:
        raise InvalidInput(f"{user.full_name} is a {user.role.label}; the lead of a care team is a PT or "
                           "chiropractor, who evaluates and discharges.", field="lead_id")
    return user


def _check_details(values: Mapping[str, Any], episode: Episode | EpisodeCreate, started_on: date,
                   today: date) -> None:
    """Refuse dates and numbers that cannot be right together, naming the field to correct."""
    if values.get("surgery_date") and episode.condition not in SURGICAL_CONDITIONS:
        raise InvalidInput(
            f"A surgery date was given but {episode.condition.label.lower()} is not a post-surgical "
            "condition; pick the post-surgical condition or leave the date empty.",
            field="surgery_date",
        )
    for name in ("onset_date", "surgery_date"):
        value = values.get(name)
        if value and value > started_on:
            raise InvalidInput(f"The {name.replace('_', ' ')} is after the episode starts; check the date.",
                               field=name)
    referral = values.get("referral_date")
    if referral and referral > today:
        raise InvalidInput("The referral date is in the future; enter the date on the referral.",
                           field="referral_date")
    npi = values.get("referring_provider_npi")
    if npi and not npi_is_valid(npi):
        raise InvalidInput(f"The referring provider's NPI {npi} is not valid (10 digits with a correct check "
                           "digit); copy it from the referral or NPPES.", field="referring_provider_npi")
    start, end = values.get("authorised_from"), values.get("authorised_until")
    if start and end and start > end:
        raise InvalidInput("The authorisation ends before it starts; check its dates.", field="authorised_until")


def _codes(raw_codes: list[str]) -> list[BillableCode]:
    codes = [validate_icd10cm(code) for code in raw_codes]
    if not codes:
        raise InvalidInput("Give at least one diagnosis (an ICD-10-CM code): the plan of care and every claim "
                           "name the diagnosis treated.", field="diagnoses")
    if len({c.code for c in codes}) != len(codes):
        raise InvalidInput("The same diagnosis code is listed twice.", field="diagnoses")
    return codes


def create(session: Session, actor: Actor, patient_id: int, data: EpisodeCreate, *,
           today: date | None = None) -> Episode:
    """Open an episode; everything is checked before anything is stored. The patient's visits that are
    still open and have no episode (the evaluation under way) join it, with what they recorded, and so do
    their booked appointments without one: what is measured there counts in this episode's progress."""
    require_role(actor, permissions.EVALUATE, "open an episode of care (a PT or chiropractor evaluates)")
    serialise(session, LockScope.PATIENT, patient_id)  # before the visits to join are read
    patient = patients.load(session, actor, patient_id, clinical=True)
    codes = _codes(data.diagnoses)
    today = today or clinic_today(session, actor)
    started_on = data.started_on or today
    details = data.model_dump(include=set(DETAILS))
    _check_details(details, data, started_on, today)
    lead_id = data.lead_id or actor.user_id
    if lead_id is None:
        raise InvalidInput("Choose the care team's lead.", field="lead_id")
    lead = _clinician(session, actor, lead_id, lead=True)
    team = [lead, *(_clinician(session, actor, uid) for uid in dict.fromkeys(data.care_team) if uid != lead.id)]
    episode = Episode(patient_id=patient.id, condition=data.condition, started_on=started_on, **details)
    session.add(episode)
    session.flush()
    for position, code in enumerate(codes, start=1):
        session.add(Diagnosis(episode_id=episode.id, code=code.code, description=code.description,
                              position=position))
    for member in team:
        session.add(CareTeamMember(episode_id=episode.id, user_id=member.id, is_lead=member.id == lead.id))
    session.flush()
    session.refresh(episode, ["diagnoses", "care_team"])
    record(
        session, actor, AuditAction.CREATE, "episode", episode.id, patient_id=patient.id,
        detail=f"{data.condition.value}; " + ", ".join(c.code for c in codes),
    )
    _join_open_visits(session, actor, episode)
    return episode


def _join_open_visits(session: Session, actor: Actor, episode: Episode) -> None:
    """Give ``episode`` to its patient's open visits without one (and what they recorded) and to their
    booked appointments without one; each visit's change is audited."""
    visits = session.scalars(select(Visit).where(
        Visit.patient_id == episode.patient_id, Visit.episode_id.is_(None),
        Visit.status != VisitStatus.COMPLETED)).all()
    for visit in visits:
        visit.episode_id = episode.id
        for model in RECORDED_IN_VISITS:
            session.execute(update_rows(model).where(model.visit_id == visit.id, model.episode_id.is_(None))
                            .values(episode_id=episode.id))
        record(session, actor, AuditAction.UPDATE, "visit", visit.id, patient_id=visit.patient_id,
               detail=f"joined episode {episode.id}", changes={"episode_id": [None, episode.id]})
    booked = session.scalars(select(Appointment).where(
        Appointment.patient_id == episode.patient_id, Appointment.episode_id.is_(None),
        Appointment.status == AppointmentStatus.BOOKED)).all()
    for appointment in booked:
        appointment.episode_id = episode.id
        record(session, actor, AuditAction.UPDATE, "appointment", appointment.id,
               patient_id=appointment.patient_id, detail=f"joined episode {episode.id}",
               changes={"episode_id": [None, episode.id]})
    session.flush()


def _editable(session: Session, actor: Actor, episode_id: int, allowed: Collection[Role] = permissions.TREAT,
              doing: str = "change an episode of care") -> Episode:
    """The episode for a change by ``actor``: the role first, then the lock, then one still active."""
    require_role(actor, allowed, doing)
    serialise(session, LockScope.EPISODE, episode_id)  # before its status, diagnoses or team are read
    episode = clinical_episode(session, actor, episode_id)
    if episode.status is EpisodeStatus.DISCHARGED:
        raise Conflict(f"This episode was discharged on {day_text(episode.discharged_on)}; a discharged episode is "
                       "read-only.")
    return episode


def _audit_change(session: Session, actor: Actor, episode: Episode, what: str,
                  before: Mapping[str, object], after: Mapping[str, object]) -> None:
    """One audit row for a change of ``episode``, with each changed field before and after."""
    record(session, actor, AuditAction.UPDATE, "episode", episode.id, patient_id=episode.patient_id,
           detail=what, changes=changes_between(before, after))


def update(session: Session, actor: Actor, episode_id: int, data: EpisodeUpdate, *,
           today: date | None = None) -> Episode:
    """Change the fields given (referral, dates, precautions, authorisation); audited before and after."""
    episode = _editable(session, actor, episode_id)
    changes = data.model_dump(exclude_unset=True)
    before = snapshot(episode, DETAILS)
    _check_details({**before, **changes}, episode, episode.started_on, today or clinic_today(session, actor))
    for name, value in changes.items():
        setattr(episode, name, "" if value is None and isinstance(before[name], str) else value)
    after = snapshot(episode, DETAILS)
    changed = sorted(changes_between(before, after))
    _audit_change(session, actor, episode, "changed " + (", ".join(changed) or "nothing"), before, after)
    return episode


def _diagnosis_codes(episode: Episode) -> list[str]:
    return [d.code for d in episode.diagnoses]


def _evaluators_part(session: Session, actor: Actor, episode_id: int, doing: str) -> Episode:
    """The episode, if ``actor`` evaluates: diagnoses and the care team are the evaluating clinician's
    (a PT assistant treats under that plan, and keeps only precautions and authorisation up to date)."""
    require_role(actor, permissions.EVALUATE, doing)
    return _editable(session, actor, episode_id)


def add_diagnosis(session: Session, actor: Actor, episode_id: int, raw_code: str) -> Episode:
    episode = _evaluators_part(session, actor, episode_id, "change an episode's diagnoses (a PT or chiropractor does)")
    code = validate_icd10cm(raw_code)
    before = _diagnosis_codes(episode)
    if code.code in before:
        raise Conflict(f"{code.code} is already a diagnosis of this episode.", field="code")
    session.add(Diagnosis(episode_id=episode.id, code=code.code, description=code.description,
                          position=len(episode.diagnoses) + 1))
    session.flush()
    session.refresh(episode, ["diagnoses"])
    _audit_change(session, actor, episode, f"added diagnosis {code.code}", {"diagnoses": ", ".join(before)},
                  {"diagnoses": ", ".join(_diagnosis_codes(episode))})
    return episode


def remove_diagnosis(session: Session, actor: Actor, episode_id: int, code: str) -> Episode:
    """Take a code off the episode; the others keep their order (the first left is primary)."""
    episode = _evaluators_part(session, actor, episode_id, "change an episode's diagnoses (a PT or chiropractor does)")
    before = _diagnosis_codes(episode)
    gone = next((d for d in episode.diagnoses if d.code == code.strip().upper()), None)
    if gone is None:
        raise NotFound(f"{code} is not a diagnosis of this episode.", field="code")
    if len(before) == 1:
        raise Conflict(f"{gone.code} is the episode's only diagnosis; add the right one before removing it.",
                       field="code")
    session.delete(gone)
    session.flush()
    session.refresh(episode, ["diagnoses"])
    for position, diagnosis in enumerate(episode.diagnoses, start=1):
        diagnosis.position = position
    _audit_change(session, actor, episode, f"removed diagnosis {gone.code}", {"diagnoses": ", ".join(before)},
                  {"diagnoses": ", ".join(_diagnosis_codes(episode))})
    return episode


def _team(episode: Episode) -> str:
    """The care team as the audit log shows it: e-mails, the lead marked."""
    return ", ".join(f"{m.user.email}{' (lead)' if m.is_lead else ''}" for m in episode.care_team)


def add_care_team_member(session: Session, actor: Actor, episode_id: int, user_id: int) -> Episode:
    episode = _evaluators_part(session, actor, episode_id, "change a care team (a PT or chiropractor does)")
    member = _clinician(session, actor, user_id)
    if any(m.user_id == member.id for m in episode.care_team):
        raise Conflict(f"{member.full_name} is already on the care team.", field="user_id")
    before = _team(episode)
    session.add(CareTeamMember(episode_id=episode.id, user_id=member.id))
    session.flush()
    session.refresh(episode, ["care_team"])
    _audit_change(session, actor, episode, f"added {member.email} to the care team", {"care_team": before},
                  {"care_team": _team(episode)})
    return episode


def set_care_team(session: Session, actor: Actor, episode_id: int, data: CareTeamSet) -> Episode:
    """Make the care team exactly ``data.members`` led by ``data.lead_id`` (who is on it either way)."""
    episode = _evaluators_part(session, actor, episode_id, "change a care team (a PT or chiropractor does)")
    lead = _clinician(session, actor, data.lead_id, lead=True)
    wanted = {lead.id, *(_clinician(session, actor, uid).id for uid in data.members)}
    before = _team(episode)
    for member in list(episode.care_team):
        if member.user_id not in wanted:
            session.delete(member)
        else:
            member.is_lead = member.user_id == lead.id
    for user_id in sorted(wanted - {m.user_id for m in episode.care_team}):
        session.add(CareTeamMember(episode_id=episode.id, user_id=user_id, is_lead=user_id == lead.id))
    session.flush()
    session.refresh(episode, ["care_team"])
    _audit_change(session, actor, episode, "changed the care team", {"care_team": before},
                  {"care_team": _team(episode)})
    return episode


def discharge(session: Session, actor: Actor, episode_id: int, data: EpisodeDischarge, *,
              today: date | None = None) -> Episode:
    """End the episode with its reason ("other" needs the note); only a PT or chiropractor discharges."""
    episode = _editable(session, actor, episode_id, permissions.EVALUATE,
                        "discharge an episode of care (a PT or chiropractor discharges)")
    today = today or clinic_today(session, actor)
    on = data.discharged_on or today
    if on > today:
        raise InvalidInput("The discharge date is in the future; discharge on the day it happens.",
                           field="discharged_on")
    if on < episode.started_on:
        raise InvalidInput(f"The discharge date is before the episode started "
                           f"({day_text(episode.started_on)}); check the date.", field="discharged_on")
    if data.reason is DischargeReason.OTHER and not data.note:
        raise InvalidInput("Say why in the discharge note: the reason is 'other'.", field="note")
    names = ("status", "discharged_on", "discharge_reason", "discharge_note")
    before = snapshot(episode, names)
    episode.status, episode.discharged_on = EpisodeStatus.DISCHARGED, on
    episode.discharge_reason, episode.discharge_note = data.reason, data.note
    _audit_change(session, actor, episode, f"discharged: {data.reason.value}", before, snapshot(episode, names))
    return episode


def to_discharge(session: Session, actor: Actor, episode_id: int) -> Episode:
    """The episode an evaluating clinician is about to discharge (the confirmation page); audited."""
    require_role(actor, permissions.EVALUATE, "discharge an episode of care (a PT or chiropractor discharges)")
    episode = get(session, actor, episode_id)
    if episode.status is EpisodeStatus.DISCHARGED:
        raise Conflict(f"This episode was already discharged on {day_text(episode.discharged_on)}.")
    return episode


def open_visits(session: Session, episode: Episode) -> list[Visit]:
    """The episode's visits not yet completed, oldest first: discharging leaves them open, so the
    confirmation page names them (``episode`` was fetched for the actor)."""
    return list(session.scalars(select(Visit).where(
        Visit.episode_id == episode.id, Visit.status != VisitStatus.COMPLETED).order_by(Visit.checked_in_at)))


@dataclass(frozen=True)
class AuthorisationUse:
    """How much of the payer's authorisation is used on ``today``: visits of the episode checked in
    within its dates, against the visits allowed, and the days left until it ends."""

    number: str
    visits_allowed: int | None
    visits_used: int
    valid_from: date | None
    valid_until: date | None
    today: date

    @property
    def visits_left(self) -> int | None:
        return None if self.visits_allowed is None else max(self.visits_allowed - self.visits_used, 0)

    @property
    def days_left(self) -> int | None:
        """Days after today that are still authorised (0 on the last day)."""
        return None if self.valid_until is None else (self.valid_until - self.today).days

    @property
    def not_started(self) -> bool:
        return self.valid_from is not None and self.today < self.valid_from

    @property
    def ended(self) -> bool:
        """Past its last day, or every authorised visit used."""
        return bool((self.days_left is not None and self.days_left < 0) or self.visits_left == 0)

    @property
    def running_out(self) -> bool:
        """Not ended, but few visits or days are left (:data:`AUTHORISATION_WARN_VISITS`, ``_DAYS``)."""
        if self.ended:
            return False
        few_visits = self.visits_left is not None and self.visits_left <= AUTHORISATION_WARN_VISITS
        few_days = self.days_left is not None and self.days_left <= AUTHORISATION_WARN_DAYS
        return few_visits or few_days


def authorisation_use(session: Session, actor: Actor, episode: Episode, *,
                      today: date | None = None) -> AuthorisationUse | None:
    """The episode's authorisation as used so far, or None when none is on file (no number, visits or dates)."""
    if not (episode.authorisation_number or episode.authorised_visits or episode.authorised_from
            or episode.authorised_until):
        return None
    location = scheduling.location_of(session, actor, None)
    counted = select(func.count()).select_from(Visit).where(Visit.episode_id == episode.id)
    if episode.authorised_from:
        counted = counted.where(Visit.checked_in_at >= scheduling.day_bounds(episode.authorised_from, location)[0])
    if episode.authorised_until:
        counted = counted.where(Visit.checked_in_at < scheduling.day_bounds(episode.authorised_until, location)[1])
    return AuthorisationUse(
        number=episode.authorisation_number, visits_allowed=episode.authorised_visits,
        visits_used=session.scalar(counted) or 0, valid_from=episode.authorised_from,
        valid_until=episode.authorised_until, today=today or scheduling.local_today(location),
    )
