"""Visits: the encounter that happens when a patient checks in, and the minutes spent per activity."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reeducate.clinic.db import Base, UTCDateTime, enum_type
from reeducate.clinic.models.episodes import Episode
from reeducate.clinic.models.patients import Patient
from reeducate.clinic.models.people import User
from reeducate.clinic.models.scheduling import Appointment
from reeducate.clinic.vocabulary import Activity, VisitStatus


class Visit(Base):
    """An encounter: opened at check-in, treated by one clinician, completed at the end."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"), unique=True)
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episodes.id"))
    clinician_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[VisitStatus] = mapped_column(enum_type(VisitStatus))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    patient: Mapped[Patient] = relationship()
    appointment: Mapped[Appointment | None] = relationship()
    episode: Mapped[Episode | None] = relationship()
    clinician: Mapped[User] = relationship()
    activities: Mapped[list[VisitActivity]] = relationship(
        back_populates="visit", order_by="VisitActivity.id"
    )

    @property
    def total_minutes(self) -> int:
        return sum(a.minutes for a in self.activities)


class VisitActivity(Base):
    """Minutes of one activity in a visit (whole minutes, as timed billing codes count them)."""

    __tablename__ = "visit_activities"
    __table_args__ = (CheckConstraint("minutes > 0 AND minutes <= 480", name="minutes_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    activity: Mapped[Activity] = mapped_column(enum_type(Activity))
    minutes: Mapped[int]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    visit: Mapped[Visit] = relationship(back_populates="activities")
