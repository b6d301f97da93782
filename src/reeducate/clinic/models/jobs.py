"""Background jobs: the ledger of work done away from the request (a clip's pose, an IMU walk, a set of
force-plate trials), whatever queue carries it.

The queue (Huey: SQLite embedded, Redis in production) only says "run job N"; the row here says what
the job is, where it stands and what it produced, so a lost queue message or a worker that died loses
nothing: a job whose worker stopped beating its heart is queued again, and finishing is done once,
under the job's lock, in the transaction that inserts its result.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reeducate.clinic.db import Base, UTCDateTime, enum_type, utcnow
from reeducate.clinic.models.patients import Patient
from reeducate.clinic.models.people import User
from reeducate.clinic.models.visits import Visit
from reeducate.clinic.vocabulary import JobKind, JobStatus


class Job(Base):
    """One upload's analysis: asked for by a clinician for a visit, run by a job worker.

    ``options`` are what the engine needs besides the files (view, height, sensor, preset...);
    ``progress_done`` of ``progress_total`` (frames, files) with ``progress_text`` for the page;
    ``heartbeat_at`` is written every second by the worker running it (a stale one means the worker
    died); ``attempts`` counts the runs begun; ``result`` names what was kept (the kind of record and
    its ids); ``error`` is the refusal's words for the clinician.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[JobKind] = mapped_column(enum_type(JobKind))
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus), default=JobStatus.QUEUED, index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    progress_text: Mapped[str] = mapped_column(String(200), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)

    patient: Mapped[Patient] = relationship()
    visit: Mapped[Visit] = relationship()
    requested_by: Mapped[User] = relationship()
    files: Mapped[list[JobFile]] = relationship(back_populates="job", order_by="JobFile.position",
                                                cascade="all, delete-orphan")


class JobFile(Base):
    """One uploaded file of a job, kept in the recording store under ``sha256`` from the moment of
    upload; ``details`` holds what was said of this file alone (a force-plate trial's condition)."""

    __tablename__ = "job_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    position: Mapped[int]
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    job: Mapped[Job] = relationship(back_populates="files")
