"""Exercises done live in a visit: what was trained, how it went, and any pain that stopped it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reeducate.clinic.db import Base, UTCDateTime, enum_type, utcnow
from reeducate.clinic.models.patients import Patient
from reeducate.clinic.models.people import User
from reeducate.clinic.models.visits import Visit
from reeducate.clinic.vocabulary import ExerciseStatus


class ExerciseRecord(Base):
    """One exercise of the library done under live feedback in a visit.

    ``summary`` is the engine's summary, rewritten after every repetition or hold, so a broken
    connection loses nothing already counted. A pain report is kept with its score, time and reporter;
    ``regress`` marks the exercise for regression next time. A severe report locks the visit's live
    exercises until a therapist resumes them (``resumed_at``/``resumed_by``).
    """

    __tablename__ = "exercise_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    exercise_id: Mapped[str] = mapped_column(String(40))
    monitor: Mapped[str] = mapped_column(String(30))
    side: Mapped[str | None] = mapped_column(String(5))
    source: Mapped[str] = mapped_column(String(20))
    status: Mapped[ExerciseStatus] = mapped_column(enum_type(ExerciseStatus))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    repetitions: Mapped[int] = mapped_column(default=0)
    holds_completed: Mapped[int | None]
    mean_score: Mapped[float | None]
    active_s: Mapped[float] = mapped_column(default=0.0)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    pain_score: Mapped[int | None]
    pain_at_s: Mapped[float | None]
    pain_reported_by: Mapped[str | None] = mapped_column(String(20))
    regress: Mapped[bool] = mapped_column(default=False)
    resumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resumed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    patient: Mapped[Patient] = relationship()
    visit: Mapped[Visit] = relationship()
    started_by: Mapped[User] = relationship(foreign_keys=[started_by_id])
    resumed_by: Mapped[User | None] = relationship(foreign_keys=[resumed_by_id])
