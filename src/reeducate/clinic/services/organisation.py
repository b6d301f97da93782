"""Setting up a clinic: its settings (billing identity, fee schedule, PTA supervision), locations,
rooms and weekly opening hours. The administrator's changes are audited with what they were and became."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reeducate.billing.codes import UnknownCode, code
from reeducate.billing.npi import check_npi
from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, not_found, require_role
from reeducate.clinic.audit_log import changes_between, record, snapshot
from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import Appointment, Clinic, Location, OpeningHours, Room
from reeducate.clinic.schemas import MAX_ID, ClinicSettingsUpdate, LocationInput, plain_text
from reeducate.clinic.vocabulary import SLOT_HOLDING, AuditAction

WeeklyHours = Mapping[int, Sequence[tuple[time, time]]]
"""Opening intervals per weekday (0 = Monday), local wall-clock times."""
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_FEE = Decimal("99999.99")
"""The largest charge per unit a fee schedule holds (the claim's amounts have 10 digits, 2 decimals)."""
CLINIC_FIELDS = tuple(ClinicSettingsUpdate.model_fields)


def create_clinic(session: Session, *, name: str, slug: str) -> Clinic:
    if session.scalar(select(Clinic).where(Clinic.slug == slug)):
        raise Conflict(f"A clinic with the short name {slug!r} already exists.", field="slug")
    clinic = Clinic(name=name, slug=slug)
    session.add(clinic)
    session.flush()
    return clinic


def _check_timezone(timezone: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInput(f"{timezone!r} is not an IANA time zone such as 'America/Chicago'.",
                           field="timezone") from error


def check_hours(hours: WeeklyHours) -> None:
    """Refuse a weekday out of 0-6, an interval that does not open before it closes, and overlaps."""
    for weekday, intervals in sorted(hours.items()):
        if not 0 <= weekday <= 6:
            raise InvalidInput(f"Weekday {weekday} does not exist; weekdays run from 0 (Monday) to 6 (Sunday).")
        day = WEEKDAYS[weekday]
        ordered = sorted(intervals)
        for opens_at, closes_at in ordered:
            if opens_at >= closes_at:
                raise InvalidInput(f"{day}: {opens_at:%H:%M}-{closes_at:%H:%M} does not open before it closes.",
                                   field="hours")
        for (_, first_closes), (second_opens, _) in zip(ordered, ordered[1:], strict=False):
            if second_opens < first_closes:
                raise InvalidInput(f"{day}: the interval from {second_opens:%H:%M} overlaps the one before, "
                                   f"open until {first_closes:%H:%M}; join them or make them follow each other.",
                                   field="hours")


def add_location(session: Session, clinic: Clinic, *, name: str, timezone: str, address: str = "",
                 hours: WeeklyHours, rooms: Sequence[str] = ()) -> Location:
    """Add a site with its opening hours (IANA time zone, e.g. America/Chicago) and rooms."""
    _check_timezone(timezone)
    check_hours(hours)
    location = Location(clinic_id=clinic.id, name=name, timezone=timezone, address=address)
    session.add(location)
    session.flush()
    for weekday, intervals in sorted(hours.items()):
        for opens_at, closes_at in intervals:
            session.add(OpeningHours(location_id=location.id, weekday=weekday,
                                     opens_at=opens_at, closes_at=closes_at))
    for room in rooms:
        session.add(Room(location_id=location.id, name=room))
    session.flush()
    session.refresh(location, ["opening_hours", "rooms"])
    return location


# --- the clinic's settings ------------------------------------------------------------------------


def settings_of(session: Session, actor: Actor) -> Clinic:
    """The administrator's clinic, to show and change its settings."""
    require_role(actor, permissions.ADMINISTER, "change the clinic's settings")
    clinic = session.get(Clinic, actor.clinic_id) if actor.clinic_id else None
    assert clinic is not None, "an administrator belongs to a clinic"
    return clinic


def update_settings(session: Session, actor: Actor, data: ClinicSettingsUpdate) -> Clinic:
    """Change the clinic's name, billing identity (NPI checked) and PTA co-signature setting."""
    clinic = settings_of(session, actor)
    if data.npi:
        try:
            check_npi(data.npi, "The clinic")
        except ValueError as error:
            raise InvalidInput(f"{error}.", field="npi") from None
    before = snapshot(clinic, CLINIC_FIELDS)
    for name, value in data.model_dump().items():
        setattr(clinic, name, value)
    changed = changes_between(before, data.model_dump())
    record(session, actor, AuditAction.UPDATE, "clinic", clinic.id,
           detail="changed " + (", ".join(sorted(changed)) or "nothing"), changes=changed)
    return clinic


def parse_fee(text: str, number: str) -> Decimal | None:
    """A charge per unit in US dollars from its text ("62", "62.50"); None for an empty field."""
    text = text.strip().removeprefix("$").replace(",", "")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f"{number}: {text!r} is not an amount in dollars, such as 62.50.", field="fees") from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_FEE or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(f"{number}: the charge must be more than $0 and at most ${MAX_FEE}, in dollars and "
                           f"cents (e.g. 62.50), not {text}.", field="fees")
    return amount


def set_fee_schedule(session: Session, actor: Actor, fees: Mapping[str, Decimal]) -> Clinic:
    """Replace the clinic's charge per unit of each code (codes from the billing catalogue)."""
    clinic = settings_of(session, actor)
    schedule: dict[str, str] = {}
    for number, amount in fees.items():
        try:
            entry = code(number)
        except UnknownCode as error:
            raise InvalidInput(str(error), field="fees") from None
        checked = parse_fee(str(amount), entry.code)
        if checked is not None:
            schedule[entry.code] = str(checked.quantize(Decimal("0.01")))
    before = dict(clinic.fee_schedule or {})
    clinic.fee_schedule = schedule
    changed = changes_between(before, {number: schedule.get(number) for number in {*before, *schedule}})
    record(session, actor, AuditAction.UPDATE, "fee_schedule", clinic.id,
           detail="charges of " + (", ".join(sorted(changed)) or "no code") + " changed", changes=changed)
    return clinic


# --- locations, rooms, opening hours --------------------------------------------------------------


def locations(session: Session, actor: Actor) -> list[Location]:
    """The clinic's locations (administrators)."""
    require_role(actor, permissions.ADMINISTER, "manage locations")
    return list(session.scalars(select(Location).where(Location.clinic_id == actor.clinic_id).order_by(Location.id)))


def get_location(session: Session, actor: Actor, location_id: int) -> Location:
    require_role(actor, permissions.ADMINISTER, "manage locations")
    location = session.get(Location, location_id) if 1 <= location_id <= MAX_ID else None
    if location is None or location.clinic_id != actor.clinic_id:
        raise not_found("location", location_id)
    return location


def create_location(session: Session, actor: Actor, data: LocationInput) -> Location:
    """A new site, without rooms or hours yet (added on its page)."""
    clinic = settings_of(session, actor)
    location = add_location(session, clinic, name=data.name, timezone=data.timezone, address=data.address, hours={})
    record(session, actor, AuditAction.CREATE, "location", location.id, detail=data.name)
    return location


def update_location(session: Session, actor: Actor, location_id: int, data: LocationInput) -> Location:
    location = get_location(session, actor, location_id)
    _check_timezone(data.timezone)
    before = snapshot(location, LocationInput.model_fields)
    for name, value in data.model_dump().items():
        setattr(location, name, value)
    record(session, actor, AuditAction.UPDATE, "location", location.id, detail=data.name,
           changes=changes_between(before, data.model_dump()))
    return location


def _room_name(name: str, location: Location, room_id: int | None = None) -> str:
    name = plain_text(name.strip(), "The room's name")
    if not name or len(name) > 120:
        raise InvalidInput("Give the room a name of 1 to 120 characters (e.g. Gym, Treatment room 3).",
                           field="name")
    for room in location.rooms:
        if room.name.lower() == name.lower() and room.id != room_id:
            raise Conflict(f"{location.name} already has a room called {room.name}.", field="name")
    return name


def add_room(session: Session, actor: Actor, location_id: int, name: str) -> Room:
    location = get_location(session, actor, location_id)
    room = Room(location_id=location.id, name=_room_name(name, location))
    session.add(room)
    session.flush()
    record(session, actor, AuditAction.CREATE, "room", room.id, detail=f"{room.name} at {location.name}")
    return room


def get_room(session: Session, actor: Actor, room_id: int) -> Room:
    require_role(actor, permissions.ADMINISTER, "manage rooms")
    room = session.get(Room, room_id) if 1 <= room_id <= MAX_ID else None
    if room is None or room.location.clinic_id != actor.clinic_id:
        raise not_found("room", room_id)
    return room


def rename_room(session: Session, actor: Actor, room_id: int, name: str) -> Room:
    room = get_room(session, actor, room_id)
    before = snapshot(room, ["name"])
    room.name = _room_name(name, room.location, room.id)
    record(session, actor, AuditAction.UPDATE, "room", room.id, detail=room.name,
           changes=changes_between(before, {"name": room.name}))
    return room


def remove_room(session: Session, actor: Actor, room_id: int, *, now: datetime | None = None) -> None:
    """Remove a room no appointment uses: refused while a coming appointment is booked in it, and for a
    room past appointments name (the record keeps where they happened: rename it instead)."""
    room = get_room(session, actor, room_id)
    serialise(session, LockScope.ROOM, room.id)  # no booking slips in between the check and the delete
    booked = select(func.count(), func.min(Appointment.starts_at)).where(Appointment.room_id == room.id)
    coming, first = session.execute(booked.where(Appointment.status.in_(SLOT_HOLDING),
                                                 Appointment.starts_at >= (now or utcnow()))).one()
    if coming:
        first = first.astimezone(ZoneInfo(room.location.timezone))
        raise Conflict(f"{room.name} has {coming} coming appointment(s), the first on {first:%a %d %b %Y at %H:%M}; move "
                       "them to another room first.")
    if session.scalar(booked.with_only_columns(func.count())):
        raise Conflict(f"Past appointments took place in {room.name} and the record keeps where; rename the room "
                       f"instead (e.g. '{room.name} (closed)').")
    record(session, actor, AuditAction.DELETE, "room", room.id, detail=f"{room.name} at {room.location.name}")
    session.delete(room)
    session.flush()


def _hours_text(location: Location) -> dict[str, str]:
    """Each weekday's intervals as text ("08:00-12:00, 13:00-18:00"), for the audit row's before and after."""
    return {WEEKDAYS[d]: ", ".join(f"{h.opens_at:%H:%M}-{h.closes_at:%H:%M}" for h in location.opening_hours
                                   if h.weekday == d) or "closed" for d in range(7)}


def set_hours(session: Session, actor: Actor, location_id: int, hours: WeeklyHours) -> Location:
    """Replace the location's weekly opening hours (a weekday left out is closed); overlaps refused."""
    location = get_location(session, actor, location_id)
    check_hours(hours)
    before = _hours_text(location)
    for interval in list(location.opening_hours):
        session.delete(interval)
    session.flush()
    for weekday, intervals in sorted(hours.items()):
        for opens_at, closes_at in sorted(intervals):
            session.add(OpeningHours(location_id=location.id, weekday=weekday, opens_at=opens_at, closes_at=closes_at))
    session.flush()
    session.refresh(location, ["opening_hours"])
    record(session, actor, AuditAction.UPDATE, "opening_hours", location.id, detail=location.name,
           changes=changes_between(before, _hours_text(location)))
    return location
