"""The audit log: who read or changed which patient's data, what, when and from where."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from reeducate.clinic.db import Base, UTCDateTime, enum_type, utcnow
from reeducate.clinic.vocabulary import AuditAction


class AuditEvent(Base):
    """One append-only row per access; nothing in the application updates or deletes these."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_patient_at", "patient_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinics.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(254), doc="Who acted: account e-mail or 'system: ...'.")
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    action: Mapped[AuditAction] = mapped_column(enum_type(AuditAction))
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[str] = mapped_column(String(40), default="")
    detail: Mapped[str] = mapped_column(String(500), default="")
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    changes: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, doc="For an update: each changed field's value before and after, {field: [before, after]}."
    )
