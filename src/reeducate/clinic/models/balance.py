"""Posturography trials recorded in a visit: the raw file's fingerprint, the condition, the result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reeducate.clinic.db import Base, UTCDateTime, enum_type, utcnow
from reeducate.clinic.models.patients import Patient
from reeducate.clinic.models.people import User
from reeducate.clinic.models.visits import Visit
from reeducate.signals.posturography.clinical import Stance, Surface, Vision


class BalanceTrial(Base):
    """One force-plate trial: the raw file is kept in the recording store under its SHA-256; the
    analysis is kept as it was shown (engine version, preset, every descriptor), with the headline
    numbers in columns for the progress plots."""

    __tablename__ = "balance_trials"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episodes.id"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    vision: Mapped[Vision] = mapped_column(enum_type(Vision))
    surface: Mapped[Surface] = mapped_column(enum_type(Surface))
    stance: Mapped[Stance] = mapped_column(enum_type(Stance))
    preset: Mapped[str] = mapped_column(String(20))
    height_cm: Mapped[float | None]
    mean_velocity_cm_s: Mapped[float]
    ellipse_area_cm2: Mapped[float]
    equilibrium_score: Mapped[float | None]
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    patient: Mapped[Patient] = relationship()
    visit: Mapped[Visit] = relationship()
    recorded_by: Mapped[User] = relationship()
