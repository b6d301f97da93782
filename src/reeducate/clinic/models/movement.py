"""Movement recordings of a visit: a camera clip or a gait IMU file, its fingerprint, options and result."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reeducate.clinic.db import Base, UTCDateTime, enum_type, utcnow
from reeducate.clinic.models.patients import Patient
from reeducate.clinic.models.people import User
from reeducate.clinic.models.visits import Visit


class MovementKind(enum.StrEnum):
    VIDEO = "video"
    IMU_GAIT = "imu_gait"


class MovementRecording(Base):
    """One movement recording: the raw file is kept in the recording store under its SHA-256; the
    analysis is kept as it was shown (``result``: the CLI's JSON under ``movement`` and/or ``gait``),
    with the gait headline numbers in columns for progress over an episode."""

    __tablename__ = "movement_recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episodes.id"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    kind: Mapped[MovementKind] = mapped_column(enum_type(MovementKind))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    cadence_steps_per_min: Mapped[float | None]
    gait_speed_m_s: Mapped[float | None]
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    patient: Mapped[Patient] = relationship()
    visit: Mapped[Visit] = relationship()
    recorded_by: Mapped[User] = relationship()
