"""Background jobs as the clinic's records see them: asked for with their files, claimed by one worker,
progressing, and finished once (the result kept) or refused (with the reason for the clinician).

An upload is stored first (its files in the recording store, a :class:`Job` row naming them) and the
request answers at once; a job worker then claims the job, analyses, and keeps the result. The row is
the ledger, the queue only its messenger: a job is queued again when its message was lost or its worker
stopped beating its heart for the lease (``job_lease_s``); a claim is one atomic UPDATE (two workers
never both run a job); finishing takes the job's lock and does nothing if the job is already finished,
so a result is kept once however many workers ran the job.

Reading a job audits it once it is finished (its result or refusal shown); the page's once-a-second look
at a job still running (its stage and frame count, nothing of the patient) is not written to the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, event, or_, select, update
from sqlalchemy.orm import Session, selectinload

from reeducate.clinic.access import Actor, fetch_for_patient
from reeducate.clinic.audit_log import record
from reeducate.clinic.db import utcnow
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import Job, JobFile, Visit
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import recordings, visits
from reeducate.clinic.vocabulary import AuditAction, JobKind, JobStatus

#: session.info key of the queue a session's committed jobs are handed to (see :func:`enqueue_after_commit`).
JOB_QUEUE = "reeducate.job_queue"
_TO_ENQUEUE = "reeducate.jobs_to_enqueue"
#: Most attempts at one job: a job whose worker died this many times (killed mid-analysis, out of memory)
#: is refused rather than handed to the next worker to die on.
MAX_ATTEMPTS = 3
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


class Enqueuer(Protocol):
    """What carries "run job N" to a worker (the queue, :mod:`reeducate.clinic.queue`)."""

    def enqueue(self, job_id: int) -> None: ...


@dataclass(frozen=True)
class Upload:
    """One file of a job as received: its name, bytes and what was said of it alone."""

    filename: str
    content: bytes
    details: dict[str, Any]


class Progress:
    """How far a job has got, shared through a small file: the reader process (a clip's pose) writes
    ``done total`` to it, the worker's heartbeat reads it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, done: int, total: int) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(f"{done} {total}")
        temporary.replace(self.path)

    def read(self) -> tuple[int, int] | None:
        try:
            done, total = self.path.read_text().split()
            return int(done), int(total)
        except (OSError, ValueError):
            return None


def create(session: Session, actor: Actor, visit: Visit, kind: JobKind, uploads: Iterable[Upload],
           options: dict[str, Any], store: RecordingStore, *, waiting: str = "Waiting for a worker") -> Job:
    """Keep the files and the job asking for their analysis; the job is queued once this commits.

    The caller has checked who may add to ``visit`` and what can be checked without reading the files.
    A file written here is removed again if the transaction is rolled back (:func:`recordings.keep_raw`).
    """
    job = Job(kind=kind, status=JobStatus.QUEUED, patient_id=visit.patient_id, visit_id=visit.id,
              requested_by_id=actor.user_id, options=options, progress_text=waiting, created_at=utcnow())
    for position, upload in enumerate(uploads):
        job.files.append(JobFile(position=position, filename=upload.filename, size_bytes=len(upload.content),
                                 sha256=recordings.keep_raw(session, store, upload.content), details=upload.details))
    session.add(job)
    session.flush()
    record(session, actor, AuditAction.CREATE, "job", job.id, patient_id=visit.patient_id,
           detail=f"{kind.value}: {', '.join(f.filename for f in job.files)}")
    enqueue_after_commit(session, job.id)
    return job


def enqueue_after_commit(session: Session, job_id: int) -> None:
    """Hand ``job_id`` to the session's queue once the transaction commits (a worker must find the row);
    if that hand-over fails, the job stays queued in the ledger and a worker's sweep finds it."""
    queue: Enqueuer | None = session.info.get(JOB_QUEUE)
    if queue is None:
        raise RuntimeError("This session has no job queue (clinic.queue.JobQueue.attach its session factory).")
    if _TO_ENQUEUE not in session.info:
        session.info[_TO_ENQUEUE] = []
        event.listen(session, "after_commit", _enqueue_committed)
        event.listen(session, "after_rollback", _forget_uncommitted)
    session.info[_TO_ENQUEUE].append(job_id)


def _enqueue_committed(session: Session) -> None:
    waiting: list[int] = session.info.get(_TO_ENQUEUE, [])
    queue: Enqueuer = session.info[JOB_QUEUE]
    while waiting:
        queue.enqueue(waiting.pop(0))


def _forget_uncommitted(session: Session) -> None:
    session.info.get(_TO_ENQUEUE, []).clear()


def get(session: Session, actor: Actor, job_id: int) -> Job:
    """A job for anyone who may see the patient's clinical record; audited once it is finished."""
    job = fetch_for_patient(session, actor, Job, job_id, "job", patient_of=lambda j: j.patient, clinical=True)
    if job.status.finished:
        record(session, actor, AuditAction.READ, "job", job.id, patient_id=job.patient_id,
               detail=f"{job.kind.value}: {job.status.value}")
    return job


def of_visit(session: Session, actor: Actor, visit_id: int, kind: JobKind) -> list[Job]:
    """A visit's jobs of one kind that the page still shows: those waiting or running, and those refused
    (with their reason); a finished job's result is shown as the recording it made."""
    visit = visits.clinical_visit(session, actor, visit_id)
    return list(session.scalars(
        select(Job).where(Job.visit_id == visit.id, Job.kind == kind, Job.status != JobStatus.DONE)
        .options(selectinload(Job.files)).order_by(Job.id)))


# The worker's side: no person is asking, so no access rule applies; the job row carries who asked.

def claim(session: Session, job_id: int, lease_s: float, now: datetime | None = None) -> bool:
    """Take ``job_id`` for this worker if it is queued, or running with a heartbeat older than the lease
    (its worker died); one atomic UPDATE, so of two workers only one gets it. Commits."""
    now = now or utcnow()
    taken = cast(CursorResult[Any], session.execute(
        update(Job).where(Job.id == job_id, or_(
            Job.status == JobStatus.QUEUED,
            (Job.status == JobStatus.RUNNING) & (Job.heartbeat_at < now - timedelta(seconds=lease_s))))
        .values(status=JobStatus.RUNNING, attempts=Job.attempts + 1, heartbeat_at=now,
                started_at=now, progress_text="Starting")
        .execution_options(synchronize_session=False))).rowcount
    session.commit()
    return bool(taken)


def beat(session: Session, job_id: int, done: int, total: int, text: str) -> None:
    """The running job's heartbeat, with how far it has got (``done`` of ``total``, in ``text``). Commits."""
    session.execute(update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING)
                    .values(heartbeat_at=utcnow(), progress_done=done, progress_total=total,
                            progress_text=text[:200]).execution_options(synchronize_session=False))
    session.commit()


def lock_running(session: Session, job_id: int) -> Job | None:
    """The job under its lock if it still needs finishing (running); None if another worker finished it."""
    serialise(session, LockScope.JOB, job_id)
    job = session.scalar(select(Job).where(Job.id == job_id).options(selectinload(Job.files))
                         .execution_options(populate_existing=True))
    return job if job is not None and job.status is JobStatus.RUNNING else None


def finish(job: Job, result: dict[str, Any], text: str) -> None:
    """Mark ``job`` (locked by :func:`lock_running`) done with what it kept, in the caller's transaction."""
    job.status, job.result, job.finished_at = JobStatus.DONE, result, utcnow()
    job.progress_done, job.progress_text = job.progress_total, text


def refuse(session: Session, store: RecordingStore, job_id: int, reason: str) -> None:
    """Mark the job failed with ``reason`` (for the clinician), unless it is already finished, and take
    back its files that nothing else refers to (a file that cannot be analysed is not kept). Commits."""
    job = lock_running(session, job_id) or _queued(session, job_id)
    if job is None:
        session.rollback()
        return
    job.status, job.error, job.finished_at, job.progress_text = JobStatus.FAILED, reason, utcnow(), "Not analysed"
    session.flush()
    recordings.remove_unreferenced(session, store, [f.sha256 for f in job.files])
    session.commit()


def _queued(session: Session, job_id: int) -> Job | None:
    job = session.get(Job, job_id)
    return job if job is not None and job.status is JobStatus.QUEUED else None


def requester(job: Job) -> Actor:
    """The clinician who asked for ``job``, as the actor its result is kept by (checks and audit)."""
    return Actor.of(job.requested_by, user_agent="job worker")


def to_requeue(session: Session, lease_s: float, pending: set[int], now: datetime | None = None) -> list[int]:
    """Jobs a worker should queue again: running without a heartbeat for the lease (the worker died), and
    queued for longer than the lease without a message in the queue (``pending``: the queue's job ids)."""
    now = now or utcnow()
    stale = now - timedelta(seconds=lease_s)
    ids = session.scalars(select(Job.id).where(or_(
        (Job.status == JobStatus.RUNNING) & (Job.heartbeat_at < stale),
        (Job.status == JobStatus.QUEUED) & (Job.created_at < stale))).order_by(Job.id))
    return [job_id for job_id in ids if job_id not in pending]
