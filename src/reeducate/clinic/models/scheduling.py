"""Appointments: a patient with a provider, in a location (and optionally a room), for a time;
a recurring series groups the appointments booked together ("2x a week for 6 weeks")."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reeducate.clinic.db import Base, UTCDateTime, enum_type, utcnow
from reeducate.clinic.models.episodes import Episode
from reeducate.clinic.models.organisation import Location, Room
from reeducate.clinic.models.patients import Patient
from reeducate.clinic.models.people import User
from reeducate.clinic.vocabulary import AppointmentKind, AppointmentStatus
from reeducate.reports.dates import day_text


class AppointmentSeries(Base):
    """Appointments booked together from one pattern; ``pattern`` says it in words for the desk."""

    __tablename__ = "appointment_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    pattern: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AppointmentSeriesMember(Base):
    """An appointment booked as part of a series (a table of its own, so that the appointments table,
    which visits refer to, is not rebuilt)."""

    __tablename__ = "appointment_series_members"

    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"), primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("appointment_series.id"), index=True)


class Appointment(Base):
    """A booked (or requested) time; a request may not name a provider until the desk confirms."""

    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
        Index("ix_appointments_provider_time", "provider_id", "starts_at"),
        Index("ix_appointments_room_time", "room_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episodes.id"))
    kind: Mapped[AppointmentKind] = mapped_column(enum_type(AppointmentKind))
    status: Mapped[AppointmentStatus] = mapped_column(enum_type(AppointmentStatus))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(500), default="")
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    """Why it did not take place: the reason given for a cancellation, late cancellation or no-show."""
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    patient: Mapped[Patient] = relationship()
    location: Mapped[Location] = relationship()
    provider: Mapped[User | None] = relationship(foreign_keys=[provider_id])
    room: Mapped[Room | None] = relationship()
    episode: Mapped[Episode | None] = relationship()
    series: Mapped[AppointmentSeries | None] = relationship(secondary="appointment_series_members", uselist=False)

    @property
    def patient_name(self) -> str:
        return self.patient.full_name

    @property
    def described(self) -> str:
        """How a message names it to people: whose it is and when, in its location's time zone."""
        starts = self.starts_at.astimezone(ZoneInfo(self.location.timezone))
        return f"{self.patient.full_name}'s appointment on {day_text(starts)} at {starts:%H:%M}"

    @property
    def provider_name(self) -> str | None:
        return self.provider.display_name if self.provider else None

    @property
    def room_name(self) -> str | None:
        return self.room.name if self.room else None

    @property
    def series_id(self) -> int | None:
        return self.series.id if self.series else None

    @property
    def duration_min(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)
