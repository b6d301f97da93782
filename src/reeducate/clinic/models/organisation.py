"""The clinic, its locations, their rooms and opening hours."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reeducate.clinic.db import Base, UTCDateTime, utcnow


class Clinic(Base):
    """A practice: the boundary of who may see whose records."""

    __tablename__ = "clinics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The billing provider of its claims (837P loop 2010AA) and its fee schedule.
    npi: Mapped[str] = mapped_column(String(10), default="")
    tax_id: Mapped[str] = mapped_column(String(10), default="")
    billing_address: Mapped[str] = mapped_column(String(200), default="")
    billing_city: Mapped[str] = mapped_column(String(100), default="")
    billing_state: Mapped[str] = mapped_column(String(2), default="")
    billing_postal_code: Mapped[str] = mapped_column(String(10), default="")
    billing_phone: Mapped[str] = mapped_column(String(40), default="")
    fee_schedule: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, doc="The clinic's charge per unit of each code, in US dollars (strings)."
    )
    pta_notes_need_cosignature: Mapped[bool] = mapped_column(
        default=False, doc="A PT assistant's signed note awaits a supervising PT's co-signature before it is billed."
    )

    locations: Mapped[list[Location]] = relationship(back_populates="clinic", order_by="Location.id")


class Location(Base):
    """A site of the clinic; opening hours are in its local time zone (IANA name)."""

    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(400), default="")
    timezone: Mapped[str] = mapped_column(String(64))

    clinic: Mapped[Clinic] = relationship(back_populates="locations")
    rooms: Mapped[list[Room]] = relationship(back_populates="location", order_by="Room.id")
    opening_hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="location", order_by="(OpeningHours.weekday, OpeningHours.opens_at)"
    )


class Room(Base):
    """A treatment room or area (gym, balance lab) that can hold one appointment at a time."""

    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("location_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))

    location: Mapped[Location] = relationship(back_populates="rooms")


class OpeningHours(Base):
    """One opening interval of a location on a weekday (0 = Monday), local wall-clock time."""

    __tablename__ = "opening_hours"
    __table_args__ = (
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
        CheckConstraint("opens_at < closes_at", name="opens_before_closes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    weekday: Mapped[int]
    opens_at: Mapped[time] = mapped_column(Time)
    closes_at: Mapped[time] = mapped_column(Time)

    location: Mapped[Location] = relationship(back_populates="opening_hours")
