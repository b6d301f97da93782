"""Episodes of care: opened by an evaluating clinician with validated ICD-10-CM diagnoses."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic.access import Actor, fetch_for_patient, require_role
from reeducate.clinic.audit_log import record
from reeducate.clinic.diagnoses import validate_icd10cm
from reeducate.clinic.errors import Conflict, InvalidInput, NotFound
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import CareTeamMember, Diagnosis, Episode, User
from reeducate.clinic.schemas import EpisodeCreate
from reeducate.clinic.services import patients
from reeducate.clinic.vocabulary import (
    CLINICIANS,
    EVALUATING_CLINICIANS,
    SURGICAL_CONDITIONS,
    AuditAction,
    EpisodeStatus,
)


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


def _clinician(session: Session, actor: Actor, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.clinic_id != actor.clinic_id or not user.is_active:
        raise NotFound(f"No clinician {user_id} in this clinic.", field="care_team")
    if user.role not in CLINICIANS:
        raise InvalidInput(
            f"{user.full_name} is {user.role.label.lower()}, not a clinician; only PTs, PT "
            "assistants and chiropractors join a care team.",
            field="care_team",
        )
    return user


def create(session: Session, actor: Actor, patient_id: int, data: EpisodeCreate) -> Episode:
    """Open an episode; all diagnoses are checked before anything is stored."""
    require_role(actor, EVALUATING_CLINICIANS, "open an episode of care (a PT or chiropractor evaluates)")
    patient = patients.load(session, actor, patient_id, clinical=True)
    codes = [validate_icd10cm(code) for code in data.diagnoses]
    if len({c.code for c in codes}) != len(codes):
        raise InvalidInput("The same diagnosis code is listed twice.", field="diagnoses")
    started_on = data.started_on or date.today()
    if data.surgery_date and data.condition not in SURGICAL_CONDITIONS:
        raise InvalidInput(
            f"A surgery date was given but {data.condition.label.lower()} is not a post-surgical "
            "condition; pick the post-surgical condition or leave the date empty.",
            field="surgery_date",
        )
    for name in ("onset_date", "surgery_date"):
        value = getattr(data, name)
        if value and value > started_on:
            raise InvalidInput(f"The {name.replace('_', ' ')} is after the episode starts.", field=name)
    team_ids = list(dict.fromkeys([actor.user_id, *data.care_team]))
    team = [_clinician(session, actor, uid) for uid in team_ids if uid is not None]
    episode = Episode(
        patient_id=patient.id,
        condition=data.condition,
        summary=data.summary,
        started_on=started_on,
        onset_date=data.onset_date,
        surgery_date=data.surgery_date,
        referring_provider_name=data.referring_provider_name,
        referring_provider_npi=data.referring_provider_npi,
    )
    session.add(episode)
    session.flush()
    for position, code in enumerate(codes, start=1):
        session.add(Diagnosis(episode_id=episode.id, code=code.code, description=code.description,
                              position=position))
    for member in team:
        session.add(CareTeamMember(episode_id=episode.id, user_id=member.id,
                                   is_lead=member.id == actor.user_id))
    session.flush()
    session.refresh(episode, ["diagnoses", "care_team"])
    record(
        session, actor, AuditAction.CREATE, "episode", episode.id, patient_id=patient.id,
        detail=f"{data.condition.value}; " + ", ".join(c.code for c in codes),
    )
    return episode


def _editable(session: Session, actor: Actor, episode_id: int) -> Episode:
    require_role(actor, CLINICIANS, "change an episode of care")
    serialise(session, LockScope.EPISODE, episode_id)  # before its status, diagnoses or team are read
    return clinical_episode(session, actor, episode_id)


def add_diagnosis(session: Session, actor: Actor, episode_id: int, raw_code: str) -> Episode:
    episode = _editable(session, actor, episode_id)
    code = validate_icd10cm(raw_code)
    if any(d.code == code.code for d in episode.diagnoses):
        raise Conflict(f"{code.code} is already a diagnosis of this episode.", field="code")
    session.add(Diagnosis(episode_id=episode.id, code=code.code, description=code.description,
                          position=len(episode.diagnoses) + 1))
    session.flush()
    session.refresh(episode, ["diagnoses"])
    record(session, actor, AuditAction.UPDATE, "episode", episode.id, patient_id=episode.patient_id,
           detail=f"added diagnosis {code.code}")
    return episode


def add_care_team_member(session: Session, actor: Actor, episode_id: int, user_id: int) -> Episode:
    episode = _editable(session, actor, episode_id)
    member = _clinician(session, actor, user_id)
    if any(m.user_id == member.id for m in episode.care_team):
        raise Conflict(f"{member.full_name} is already on the care team.", field="user_id")
    session.add(CareTeamMember(episode_id=episode.id, user_id=member.id))
    session.flush()
    session.refresh(episode, ["care_team"])
    record(session, actor, AuditAction.UPDATE, "episode", episode.id, patient_id=episode.patient_id,
           detail=f"added {member.email} to the care team")
    return episode


def discharge(session: Session, actor: Actor, episode_id: int, on: date | None = None) -> Episode:
    episode = _editable(session, actor, episode_id)
    if episode.status is EpisodeStatus.DISCHARGED:
        raise Conflict("This episode is already discharged.")
    episode.status = EpisodeStatus.DISCHARGED
    episode.discharged_on = on or date.today()
    record(session, actor, AuditAction.UPDATE, "episode", episode.id, patient_id=episode.patient_id,
           detail="discharged")
    return episode
