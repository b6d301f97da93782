"""What every kind of stored recording shares: its visit's and episode's lists, one recording, and its
raw file, each behind the same access rule and audited the same way. A recording table has
``patient``/``patient_id``, ``visit_id``, ``episode_id``, ``recorded_at``, ``filename`` and ``sha256``."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic.access import Actor, fetch_for_patient, require_role
from reeducate.clinic.audit_log import record
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import episodes, visits
from reeducate.clinic.vocabulary import CLINICIANS, AuditAction

Row = TypeVar("Row", bound=Any)


def of_visit(session: Session, actor: Actor, model: type[Row], visit_id: int, noun: str) -> list[Row]:
    """A visit's recordings of one kind, oldest first (``noun``: the audit's name for them, plural)."""
    visit = visits.clinical_visit(session, actor, visit_id)
    found = list(session.scalars(select(model).where(model.visit_id == visit.id).order_by(model.id)))
    record(session, actor, AuditAction.READ, noun, visit.id, patient_id=visit.patient_id,
           detail=f"visit {visit.id}: {len(found)} {noun.replace('_', ' ')}")
    return found


def of_episode(session: Session, actor: Actor, model: type[Row], episode_id: int, noun: str) -> list[Row]:
    """An episode's recordings of one kind, in the order they were recorded."""
    episode = episodes.clinical_episode(session, actor, episode_id)
    found = list(session.scalars(select(model).where(model.episode_id == episode.id)
                                 .order_by(model.recorded_at, model.id)))
    record(session, actor, AuditAction.READ, noun, episode.id, patient_id=episode.patient_id,
           detail=f"episode {episode.id}: {len(found)} {noun.replace('_', ' ')}")
    return found


def one(session: Session, actor: Actor, model: type[Row], recording_id: int, noun: str) -> Row:
    """One recording, for anyone who may see the patient's clinical record (``noun``: singular)."""
    row = fetch_for_patient(session, actor, model, recording_id, noun.replace("_", " "),
                            patient_of=lambda r: r.patient, clinical=True)
    record(session, actor, AuditAction.READ, noun, row.id, patient_id=row.patient_id)
    return row


def raw(session: Session, actor: Actor, model: type[Row], recording_id: int, noun: str,
        store: RecordingStore) -> tuple[str, bytes]:
    """The file exactly as it was uploaded (clinicians only)."""
    require_role(actor, CLINICIANS, "download raw recordings")
    row = one(session, actor, model, recording_id, noun)
    return row.filename, store.read(row.sha256)
