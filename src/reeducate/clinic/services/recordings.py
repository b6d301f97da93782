"""What every kind of stored recording shares: the open visit it is added to, its raw file kept (and
removed again if its row is never committed), its visit's and episode's lists, one recording, and its
raw file, each behind the same access rule and audited the same way. A recording table has
``patient``/``patient_id``, ``visit_id``, ``episode_id``, ``recorded_at``, ``filename`` and ``sha256``."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from sqlalchemy import event, exists, select
from sqlalchemy.orm import Session

from reeducate.clinic.access import Actor, fetch_for_patient, require_role
from reeducate.clinic.audit_log import record
from reeducate.clinic.errors import Conflict
from reeducate.clinic.models import BalanceTrial, EmgRecording, Job, JobFile, MovementRecording, Visit
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import episodes, visits
from reeducate.clinic.vocabulary import CLINICIANS, AuditAction, JobStatus, VisitStatus

log = logging.getLogger(__name__)
Row = TypeVar("Row", bound=Any)
#: Every table whose rows refer to a raw file in the recording store.
RECORDING_TABLES = (BalanceTrial, MovementRecording, EmgRecording)
_NEW_FILES = "reeducate.new_raw_files"  # session.info key: (store, digest) written in this transaction


def open_visit(session: Session, actor: Actor, visit_id: int, doing: str, what: str) -> Visit:
    """The visit a clinician adds ``what`` to (``doing``: the refusal's words for it); it must be open."""
    require_role(actor, CLINICIANS, doing)
    visit = visits.clinical_visit(session, actor, visit_id)
    _refuse_completed(visit, what)
    return visit


def still_open(session: Session, actor: Actor, visit: Visit, what: str) -> None:
    """Check ``visit`` again, read afresh (it may have been completed while a file was being analysed),
    just before ``what`` is inserted; the visit is then in progress."""
    visits.record_into(session, actor, visit, what)


def _refuse_completed(visit: Visit, what: str) -> None:
    if visit.status is VisitStatus.COMPLETED:
        raise Conflict(f"This visit is completed; add {what} to the patient's next visit.")


def keep_raw(session: Session, store: RecordingStore, content: bytes) -> str:
    """Store an upload's raw file for the row about to be inserted; return its SHA-256.

    The file is written before the row exists, so if this transaction is rolled back (a failed insert
    or commit), a file written here is removed again, unless it was already stored or a committed
    row refers to it by then (the same bytes uploaded by someone else meanwhile).
    """
    digest, written = store.put(content)
    if written:
        if _NEW_FILES not in session.info:
            session.info[_NEW_FILES] = []
            event.listen(session, "after_commit", _forget_new_files)
            event.listen(session, "after_rollback", _remove_new_files)
        session.info[_NEW_FILES].append((store, digest))
    return digest


def _forget_new_files(session: Session) -> None:
    session.info.get(_NEW_FILES, []).clear()


def _remove_new_files(session: Session) -> None:
    written: list[tuple[RecordingStore, str]] = session.info.get(_NEW_FILES, [])
    if not written:
        return
    with Session(session.get_bind()) as check:  # the session's own transaction has just ended
        for store, digest in written:
            if not _referred_to(check, digest):
                store.remove(digest)
                log.info("removed raw file %s: its row was rolled back", digest[:12])
    written.clear()


def _referred_to(session: Session, digest: str) -> bool:
    """Whether a recording, or a job still to analyse it, refers to the raw file ``digest``."""
    waiting = select(exists().where(JobFile.sha256 == digest, JobFile.job_id == Job.id,
                                    Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING))))
    return bool(session.scalar(waiting)) or any(
        session.scalar(select(exists().where(t.sha256 == digest))) for t in RECORDING_TABLES)


def remove_unreferenced(session: Session, store: RecordingStore, digests: list[str]) -> None:
    """Take back the raw files ``digests`` that nothing refers to any more, as this transaction sees it
    (a refused job's uploads, its row already marked failed)."""
    for digest in digests:
        if not _referred_to(session, digest):
            store.remove(digest)
            log.info("removed raw file %s: its job was refused", digest[:12])


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
