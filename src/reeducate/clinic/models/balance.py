"""Posturography trials recorded in a visit: the raw file's fingerprint, the condition, the result."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from reeducate.clinic.db import Base, enum_type
from reeducate.clinic.models.recordings import RecordedInVisit
from reeducate.signals.posturography.clinical import Stance, Surface, Vision


class BalanceTrial(RecordedInVisit, Base):
    """One force-plate trial: the raw file is kept in the recording store under its SHA-256; the
    analysis is kept as it was shown (engine version, preset, every descriptor), with the headline
    numbers in columns for the progress plots."""

    __tablename__ = "balance_trials"

    vision: Mapped[Vision] = mapped_column(enum_type(Vision))
    surface: Mapped[Surface] = mapped_column(enum_type(Surface))
    stance: Mapped[Stance] = mapped_column(enum_type(Stance))
    preset: Mapped[str] = mapped_column(String(20))
    height_cm: Mapped[float | None]
    mean_velocity_cm_s: Mapped[float]
    ellipse_area_cm2: Mapped[float]
    equilibrium_score: Mapped[float | None]
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
