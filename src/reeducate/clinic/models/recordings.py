"""The columns every raw recording kept in a visit has: whose it is and where it was made, the file's
fingerprint in the recording store, and who recorded it when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from reeducate.clinic.db import UTCDateTime, utcnow
from reeducate.clinic.models.patients import Patient
from reeducate.clinic.models.people import User
from reeducate.clinic.models.visits import Visit


class RecordedInVisit:
    """Mixin of a recording table: the raw file is in the recording store under ``sha256``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episodes.id"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    @declared_attr
    def patient(cls) -> Mapped[Patient]:
        return relationship()

    @declared_attr
    def visit(cls) -> Mapped[Visit]:
        return relationship()

    @declared_attr
    def recorded_by(cls) -> Mapped[User]:
        return relationship()
