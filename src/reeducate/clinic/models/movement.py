"""Movement recordings of a visit: a camera clip or a gait IMU file, its fingerprint, options and result."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column

from reeducate.clinic.db import Base, enum_type
from reeducate.clinic.models.recordings import RecordedInVisit
from reeducate.clinic.vocabulary import MovementKind


class MovementRecording(RecordedInVisit, Base):
    """One movement recording: the raw file is kept in the recording store under its SHA-256; the
    analysis is kept as it was shown (``result``: the CLI's JSON under ``movement`` and/or ``gait``),
    with the gait headline numbers in columns for progress over an episode."""

    __tablename__ = "movement_recordings"

    kind: Mapped[MovementKind] = mapped_column(enum_type(MovementKind))
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    cadence_steps_per_min: Mapped[float | None]
    gait_speed_m_s: Mapped[float | None]
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
