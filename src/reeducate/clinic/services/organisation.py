"""Setting up a clinic: its locations, rooms and weekly opening hours."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.models import Clinic, Location, OpeningHours, Room

WeeklyHours = Mapping[int, Sequence[tuple[time, time]]]
"""Opening intervals per weekday (0 = Monday), local wall-clock times."""


def create_clinic(session: Session, *, name: str, slug: str) -> Clinic:
    if session.scalar(select(Clinic).where(Clinic.slug == slug)):
        raise Conflict(f"A clinic with the short name {slug!r} already exists.", field="slug")
    clinic = Clinic(name=name, slug=slug)
    session.add(clinic)
    session.flush()
    return clinic


def add_location(session: Session, clinic: Clinic, *, name: str, timezone: str, address: str = "",
                 hours: WeeklyHours, rooms: Sequence[str] = ()) -> Location:
    """Add a site with its opening hours (IANA time zone, e.g. America/Chicago) and rooms."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInput(f"{timezone!r} is not an IANA time zone such as 'America/Chicago'.",
                           field="timezone") from error
    location = Location(clinic_id=clinic.id, name=name, timezone=timezone, address=address)
    session.add(location)
    session.flush()
    for weekday, intervals in sorted(hours.items()):
        for opens_at, closes_at in intervals:
            if not 0 <= weekday <= 6 or opens_at >= closes_at:
                raise InvalidInput(f"Opening interval {weekday}: {opens_at}-{closes_at} is not valid.")
            session.add(OpeningHours(location_id=location.id, weekday=weekday,
                                     opens_at=opens_at, closes_at=closes_at))
    for room in rooms:
        session.add(Room(location_id=location.id, name=room))
    session.flush()
    session.refresh(location, ["opening_hours", "rooms"])
    return location
