"""Appointments: book, request, confirm, reschedule, cancel (late or not), no-show.

Rules: an appointment lies within one opening interval of its location (local wall-clock time);
no provider, room or patient holds two overlapping appointments; a patient's request from the portal
holds no slot until the front desk confirms it. A slot's check and its booking run one transaction
at a time per provider, room and patient (``locks.serialise``), so of two desks booking the same slot
at once the second waits, sees the first's appointment and is refused.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from reeducate.clinic import permissions
from reeducate.clinic.access import (
    Actor,
    check_same_clinic,
    fetch,
    fetch_for_patient,
    require_role,
)
from reeducate.clinic.audit_log import record, record_reads
from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import Conflict, InvalidInput, NotFound
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import (
    Appointment,
    AppointmentSeriesMember,
    Episode,
    Location,
    Patient,
    Room,
    User,
)
from reeducate.clinic.schemas import (
    AppointmentBook,
    AppointmentConfirm,
    AppointmentRequest,
    AppointmentReschedule,
)
from reeducate.clinic.services import patients
from reeducate.clinic.vocabulary import (
    CLINICIANS,
    EVALUATING_KINDS,
    SLOT_HOLDING,
    STAFF,
    AppointmentKind,
    AppointmentStatus,
    AuditAction,
    EpisodeStatus,
    Role,
)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

LATE_CANCEL_NOTICE = timedelta(hours=24)
"""The clinic's late-cancellation policy: a booked appointment cancelled less than this long before
its start is recorded as a late cancellation. A business rule of the clinic (24 h is our default),
not a clinical fact; a clinic with another policy changes it here."""


def _local(moment: datetime, location: Location) -> datetime:
    return moment.astimezone(ZoneInfo(location.timezone))


def to_utc(moment: datetime, location: Location) -> datetime:
    """An input time as aware UTC; a naive time is the location's wall-clock time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(location.timezone))
    return moment.astimezone(ZoneInfo("UTC"))


def _hhmm(moment: time | datetime) -> str:
    return moment.strftime("%H:%M")


def _describe(starts: datetime, ends: datetime, location: Location) -> str:
    start, end = _local(starts, location), _local(ends, location)
    return f"{start:%a %d %b} {_hhmm(start)}-{_hhmm(end)}"


def check_opening_hours(location: Location, starts: datetime, ends: datetime) -> None:
    """Refuse a time that is not inside one opening interval of the location on that day."""
    start, end = _local(starts, location), _local(ends, location)
    weekday = start.weekday()
    intervals = [h for h in location.opening_hours if h.weekday == weekday]
    if end.date() != start.date():
        raise InvalidInput("An appointment must start and end on the same day.", field="starts_at")
    if not intervals:
        raise InvalidInput(
            f"{location.name} is closed on {WEEKDAYS[weekday]}s; pick another day.", field="starts_at"
        )
    if any(h.opens_at <= start.time() and end.time() <= h.closes_at for h in intervals):
        return
    hours = ", ".join(f"{_hhmm(h.opens_at)}-{_hhmm(h.closes_at)}" for h in intervals)
    raise InvalidInput(
        f"{_hhmm(start)}-{_hhmm(end)} is outside {location.name}'s opening hours on "
        f"{WEEKDAYS[weekday]} ({hours}); pick a time within them.",
        field="starts_at",
    )


def _overlapping(session: Session, column: InstrumentedAttribute[Any], value: int, starts: datetime,
                 ends: datetime, exclude_id: int | None) -> Appointment | None:
    statement = select(Appointment).where(
        column == value,
        Appointment.status.in_(SLOT_HOLDING),
        Appointment.starts_at < ends,
        Appointment.ends_at > starts,
    )
    if exclude_id is not None:
        statement = statement.where(Appointment.id != exclude_id)
    return session.scalars(statement.limit(1)).first()


def _provider(session: Session, clinic_id: int, provider_id: int) -> User:
    provider = session.get(User, provider_id)
    if provider is None or provider.clinic_id != clinic_id or not provider.is_active:
        raise NotFound(f"No provider {provider_id} in this clinic.", field="provider_id")
    if provider.role not in CLINICIANS:
        raise InvalidInput(
            f"{provider.full_name} is {provider.role.label.lower()}; book with a PT, PT assistant "
            "or chiropractor.",
            field="provider_id",
        )
    return provider


def _room(session: Session, location: Location, room_id: int | None) -> Room | None:
    if room_id is None:
        return None
    room = session.get(Room, room_id)
    if room is None or room.location_id != location.id:
        raise NotFound(f"No room {room_id} at {location.name}.", field="room_id")
    return room


def location_of(session: Session, actor: Actor, location_id: int | None) -> Location:
    """A location of the actor's clinic; None means the clinic's first (main) location."""
    if location_id is None:
        location = session.scalars(
            select(Location).where(Location.clinic_id == actor.clinic_id).order_by(Location.id)
        ).first()
    else:
        location = session.get(Location, location_id)
    if location is None or location.clinic_id != actor.clinic_id:
        raise NotFound(f"No location {location_id} in this clinic.", field="location_id")
    return location


def check_slot(session: Session, appointment: Appointment, *, now: datetime) -> None:
    """All rules for a slot-holding appointment; raises before anything is changed."""
    location = appointment.location
    if appointment.starts_at < now:
        raise InvalidInput(
            f"{_describe(appointment.starts_at, appointment.ends_at, location)} is in the past; "
            "pick a future time.",
            field="starts_at",
        )
    check_opening_hours(location, appointment.starts_at, appointment.ends_at)
    when = (appointment.starts_at, appointment.ends_at, appointment.id)  # starts, ends, exclude_id
    provider, room, patient = appointment.provider, appointment.room, appointment.patient
    assert provider is not None, "a slot-holding appointment has a provider"
    serialise(session, LockScope.CLINICIAN, provider.id)
    if room is not None:
        serialise(session, LockScope.ROOM, room.id)
    serialise(session, LockScope.PATIENT, patient.id)
    clash = _overlapping(session, Appointment.provider_id, provider.id, *when)
    if clash:
        raise Conflict(
            f"{provider.display_name} is already booked "
            f"{_describe(clash.starts_at, clash.ends_at, location)}; pick another time or provider.",
            field="starts_at",
        )
    if room is not None:
        clash = _overlapping(session, Appointment.room_id, room.id, *when)
        if clash:
            raise Conflict(
                f"{room.name} is already in use "
                f"{_describe(clash.starts_at, clash.ends_at, location)}; pick another room or time.",
                field="room_id",
            )
    clash = _overlapping(session, Appointment.patient_id, patient.id, *when)
    if clash:
        raise Conflict(
            f"{patient.full_name} already has an appointment "
            f"{_describe(clash.starts_at, clash.ends_at, location)}.",
            field="starts_at",
        )


def _episode(session: Session, patient: Patient, episode_id: int | None) -> Episode | None:
    """The episode an appointment is for: the one named, else the patient's only active episode (the
    desk books "Harold's next visit", not an episode), else none (no episode yet, or several to choose from)."""
    if episode_id is None:
        active = list(session.scalars(select(Episode.id).where(
            Episode.patient_id == patient.id, Episode.status == EpisodeStatus.ACTIVE).limit(2)))
        return session.get(Episode, active[0]) if len(active) == 1 else None
    episode = session.get(Episode, episode_id)
    if episode is None or episode.patient_id != patient.id:
        raise NotFound(f"No episode {episode_id} for this patient.", field="episode_id")
    return episode


def new_appointment(session: Session, actor: Actor, data: AppointmentBook) -> Appointment:
    """A booked appointment from ``data``, not yet checked nor added to the session (staff only)."""
    require_role(actor, STAFF, "book appointments")
    patient = patients.load(session, actor, data.patient_id, clinical=False)
    location = location_of(session, actor, data.location_id)
    starts = to_utc(data.starts_at, location)
    provider = _provider(session, patient.clinic_id, data.provider_id)
    if data.kind in EVALUATING_KINDS and provider.role not in permissions.EVALUATE:
        raise InvalidInput(f"{provider.full_name} is a {provider.role.label}, who treats under a PT's plan of care "
                           f"and does not evaluate; book the {data.kind.label.lower()} with a physical therapist "
                           "or chiropractor.", field="provider_id")
    return Appointment(
        clinic_id=patient.clinic_id,
        patient=patient,
        location=location,
        provider=provider,
        room=_room(session, location, data.room_id),
        episode=_episode(session, patient, data.episode_id),
        kind=data.kind,
        status=AppointmentStatus.BOOKED,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=data.duration_min),
        reason=data.reason,
        requested_by_id=actor.user_id,
    )


def book(session: Session, actor: Actor, data: AppointmentBook, *, now: datetime | None = None) -> Appointment:
    """Staff book an appointment straight into the schedule."""
    appointment = new_appointment(session, actor, data)
    with session.no_autoflush:
        check_slot(session, appointment, now=now or utcnow())
    session.add(appointment)
    session.flush()
    record(session, actor, AuditAction.CREATE, "appointment", appointment.id,
           patient_id=appointment.patient_id,
           detail=f"booked {_describe(appointment.starts_at, appointment.ends_at, appointment.location)}")
    return appointment


def request(session: Session, actor: Actor, data: AppointmentRequest, *, now: datetime | None = None) -> Appointment:
    """A patient asks for a time from the portal; it must be in the future and within opening hours."""
    require_role(actor, {Role.PATIENT}, "request appointments from the portal (book them instead)")
    assert actor.patient_id is not None
    patient = patients.load(session, actor, actor.patient_id, clinical=False)
    location = location_of(session, actor, data.location_id)
    starts = to_utc(data.starts_at, location)
    ends = starts + timedelta(minutes=data.duration_min)
    if starts < (now or utcnow()):
        raise InvalidInput("That time is in the past; pick a future time.", field="starts_at")
    check_opening_hours(location, starts, ends)
    provider = _provider(session, patient.clinic_id, data.provider_id) if data.provider_id else None
    serialise(session, LockScope.PATIENT, patient.id)  # two taps on "Send request" must not make two
    if session.scalar(select(Appointment.id).where(
            Appointment.patient_id == patient.id, Appointment.starts_at == starts,
            Appointment.status.in_([AppointmentStatus.REQUESTED, *SLOT_HOLDING])).limit(1)) is not None:
        raise Conflict(f"You already have an appointment or a request for {_describe(starts, ends, location)}; "
                       "it is on your list below.", field="starts_at")
    appointment = Appointment(
        clinic_id=patient.clinic_id, patient=patient, location=location, provider=provider,
        kind=AppointmentKind.TREATMENT, status=AppointmentStatus.REQUESTED,
        starts_at=starts, ends_at=ends, reason=data.reason, requested_by_id=actor.user_id,
    )
    session.add(appointment)
    session.flush()
    record(session, actor, AuditAction.CREATE, "appointment", appointment.id, patient_id=patient.id,
           detail=f"requested {_describe(starts, ends, location)}")
    return appointment


def _staff_appointment(session: Session, actor: Actor, appointment_id: int) -> Appointment:
    require_role(actor, STAFF, "change the schedule")
    appointment = fetch(session, Appointment, appointment_id, "appointment")
    check_same_clinic(actor, appointment.clinic_id, f"appointment {appointment_id}")
    return appointment


def _require_status(appointment: Appointment, allowed: set[AppointmentStatus], doing: str) -> None:
    if appointment.status not in allowed:
        raise Conflict(f"{appointment.described} is {appointment.status.label.lower()}; it cannot be {doing}.")


def confirm(session: Session, actor: Actor, appointment_id: int, data: AppointmentConfirm,
            *, now: datetime | None = None) -> Appointment:
    """The front desk turns a patient's request into a booking, checking the slot as for a booking."""
    appointment = _staff_appointment(session, actor, appointment_id)
    _require_status(appointment, {AppointmentStatus.REQUESTED}, "confirmed")
    provider_id = data.provider_id or appointment.provider_id
    if provider_id is None:
        raise InvalidInput("The request names no provider; choose one to confirm it.", field="provider_id")
    with session.no_autoflush:
        appointment.provider = _provider(session, appointment.clinic_id, provider_id)
        if data.room_id is not None:
            appointment.room = _room(session, appointment.location, data.room_id)
        appointment.status = AppointmentStatus.BOOKED
        check_slot(session, appointment, now=now or utcnow())
    record(session, actor, AuditAction.UPDATE, "appointment", appointment.id,
           patient_id=appointment.patient_id, detail="confirmed request")
    return appointment


def reschedule(session: Session, actor: Actor, appointment_id: int, data: AppointmentReschedule,
               *, now: datetime | None = None) -> Appointment:
    """Move a booked or requested appointment; a booked one must fit the new slot."""
    appointment = _staff_appointment(session, actor, appointment_id)
    _require_status(appointment, {AppointmentStatus.BOOKED, AppointmentStatus.REQUESTED}, "rescheduled")
    before = _describe(appointment.starts_at, appointment.ends_at, appointment.location)
    duration = timedelta(minutes=data.duration_min or appointment.duration_min)
    with session.no_autoflush:
        appointment.starts_at = to_utc(data.starts_at, appointment.location)
        appointment.ends_at = appointment.starts_at + duration
        if data.provider_id is not None:
            appointment.provider = _provider(session, appointment.clinic_id, data.provider_id)
        if data.room_id is not None:
            appointment.room = _room(session, appointment.location, data.room_id)
        if appointment.status is AppointmentStatus.BOOKED:
            check_slot(session, appointment, now=now or utcnow())
        else:
            check_opening_hours(appointment.location, appointment.starts_at, appointment.ends_at)
    after = _describe(appointment.starts_at, appointment.ends_at, appointment.location)
    record(session, actor, AuditAction.UPDATE, "appointment", appointment.id,
           patient_id=appointment.patient_id, detail=f"rescheduled {before} -> {after}")
    return appointment


def _required_reason(reason: str, doing: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput(f"Give the reason the appointment is {doing}; it is kept on the appointment "
                           "and shown to the patient.", field="reason")
    return reason


def is_late_cancellation(appointment: Appointment, now: datetime) -> bool:
    """Would cancelling now be late: a booked appointment less than the notice before its start."""
    return (appointment.status is AppointmentStatus.BOOKED
            and appointment.starts_at - now < LATE_CANCEL_NOTICE)


def _locked(session: Session, appointment: Appointment) -> Appointment:
    """``appointment`` as it is once no other change to its patient's appointments can run."""
    serialise(session, LockScope.PATIENT, appointment.patient_id)
    session.refresh(appointment)
    return appointment


def _cancellable(session: Session, actor: Actor, appointment_id: int) -> Appointment:
    """The appointment if ``actor`` may cancel it: its patient, or staff of its clinic."""
    if actor.is_patient:
        return _appointment_seen_by(session, actor, appointment_id)
    return _staff_appointment(session, actor, appointment_id)


def to_cancel(session: Session, actor: Actor, appointment_id: int) -> Appointment:
    """The appointment, for a page that asks to confirm its cancellation (its patient, or staff)."""
    appointment = _cancellable(session, actor, appointment_id)
    record(session, actor, AuditAction.READ, "appointment", appointment.id,
           patient_id=appointment.patient_id, detail="to cancel")
    return appointment


def _cancel_one(session: Session, actor: Actor, appointment: Appointment, reason: str, now: datetime) -> None:
    _require_status(appointment, {AppointmentStatus.BOOKED, AppointmentStatus.REQUESTED}, "cancelled")
    late = is_late_cancellation(appointment, now)
    appointment.status = AppointmentStatus.LATE_CANCELLED if late else AppointmentStatus.CANCELLED
    appointment.cancel_reason = reason
    record(session, actor, AuditAction.UPDATE, "appointment", appointment.id,
           patient_id=appointment.patient_id,
           detail=f"{'late-cancelled' if late else 'cancelled'}: {reason}"[:500])


def later_in_series(session: Session, appointment: Appointment) -> list[Appointment]:
    """The booked appointments of ``appointment``'s series that start after it, in time order."""
    if appointment.series is None:
        return []
    return list(session.scalars(
        select(Appointment).join(AppointmentSeriesMember, AppointmentSeriesMember.appointment_id == Appointment.id)
        .where(
            AppointmentSeriesMember.series_id == appointment.series.id,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.starts_at > appointment.starts_at,
        ).order_by(Appointment.starts_at)
    ))


def cancel(session: Session, actor: Actor, appointment_id: int, reason: str, *,
           rest_of_series: bool = False, now: datetime | None = None) -> Appointment:
    """Cancel a booked or requested appointment with the reason (a patient may cancel their own);
    with ``rest_of_series`` also the later booked appointments of its series. A booked appointment
    cancelled within :data:`LATE_CANCEL_NOTICE` of its start becomes a late cancellation."""
    appointment = _locked(session, _cancellable(session, actor, appointment_id))
    reason, now = _required_reason(reason, "cancelled"), now or utcnow()
    later = later_in_series(session, appointment) if rest_of_series else []
    for each in (appointment, *later):
        _cancel_one(session, actor, each, reason, now)
    return appointment


def mark_no_show(session: Session, actor: Actor, appointment_id: int, reason: str, *,
                 now: datetime | None = None) -> Appointment:
    """Record that the patient did not come, and why as far as known; only once the start has passed."""
    appointment = _locked(session, _staff_appointment(session, actor, appointment_id))
    reason = _required_reason(reason, "missed")
    _require_status(appointment, {AppointmentStatus.BOOKED}, "marked as a no-show")
    if (now or utcnow()) < appointment.starts_at:
        raise Conflict("The appointment has not started yet; a no-show is recorded after its start time.")
    appointment.status = AppointmentStatus.NO_SHOW
    appointment.cancel_reason = reason
    record(session, actor, AuditAction.UPDATE, "appointment", appointment.id,
           patient_id=appointment.patient_id, detail=f"no-show: {reason}"[:500])
    return appointment


def to_mark_no_show(session: Session, actor: Actor, appointment_id: int) -> Appointment:
    """The appointment, for a page that asks to confirm a no-show (staff)."""
    appointment = _staff_appointment(session, actor, appointment_id)
    record(session, actor, AuditAction.READ, "appointment", appointment.id,
           patient_id=appointment.patient_id, detail="to mark as a no-show")
    return appointment


def _appointment_seen_by(session: Session, actor: Actor, appointment_id: int) -> Appointment:
    """The appointment if ``actor`` may see its patient; otherwise the same "not found" as a missing id."""
    return fetch_for_patient(session, actor, Appointment, appointment_id, "appointment",
                             patient_of=lambda appointment: appointment.patient, clinical=False)


def get(session: Session, actor: Actor, appointment_id: int) -> Appointment:
    appointment = _appointment_seen_by(session, actor, appointment_id)
    record(session, actor, AuditAction.READ, "appointment", appointment.id,
           patient_id=appointment.patient_id)
    return appointment


def local_today(location: Location, now: datetime | None = None) -> date:
    return local_day(now or utcnow(), location)


def local_day(moment: datetime, location: Location) -> date:
    """The date at ``location`` of an instant."""
    return _local(moment, location).date()


def day_bounds(day: date, location: Location) -> tuple[datetime, datetime]:
    """The UTC instants where ``day`` begins and ends at ``location``."""
    zone = ZoneInfo(location.timezone)
    start = datetime.combine(day, time(0), zone)
    return to_utc(start, location), to_utc(start + timedelta(days=1), location)


#: What a schedule shows of each appointment beyond its own columns, loaded in one query per kind
#: instead of one per appointment while the page is drawn.
SHOWN_WITH = (selectinload(Appointment.patient), selectinload(Appointment.provider),
              selectinload(Appointment.room), selectinload(Appointment.location), selectinload(Appointment.series))


def schedule(session: Session, actor: Actor, day: date | None, *, days: int = 1, location_id: int | None = None,
             provider_id: int | None = None, room_id: int | None = None) -> list[Appointment]:
    """The appointments of ``days`` days from ``day`` at a location (staff), requests included, in
    time order; only one provider's or one room's if given.

    ``day`` None means today at that location.
    """
    require_role(actor, STAFF, "see the clinic's schedule")
    location = location_of(session, actor, location_id)
    day = day or local_today(location)
    start, end = day_bounds(day, location)[0], day_bounds(day + timedelta(days=days - 1), location)[1]
    statement = select(Appointment).where(
        Appointment.location_id == location.id,
        Appointment.starts_at >= start,
        Appointment.starts_at < end,
    )
    if provider_id is not None:
        statement = statement.where(Appointment.provider_id == provider_id)
    if room_id is not None:
        statement = statement.where(Appointment.room_id == room_id)
    appointments = list(session.scalars(statement.options(*SHOWN_WITH).order_by(Appointment.starts_at, Appointment.id)))
    shown = day.isoformat() if days == 1 else f"{day.isoformat()} +{days - 1} days"
    record_reads(session, actor, "appointment", (a.patient_id for a in appointments), f"schedule {shown}")
    return appointments


def pending_requests(session: Session, actor: Actor) -> list[Appointment]:
    """Portal requests waiting for the front desk, oldest first."""
    require_role(actor, STAFF, "see appointment requests")
    requests = list(session.scalars(
        select(Appointment)
        .where(Appointment.clinic_id == actor.clinic_id, Appointment.status == AppointmentStatus.REQUESTED)
        .options(*SHOWN_WITH)
        .order_by(Appointment.created_at)
    ))
    record_reads(session, actor, "appointment", (a.patient_id for a in requests), "pending requests")
    return requests


def for_patient(session: Session, actor: Actor, patient_id: int) -> list[Appointment]:
    """A patient's appointments, newest first."""
    patient = patients.load(session, actor, patient_id, clinical=False)
    appointments = list(session.scalars(
        select(Appointment).where(Appointment.patient_id == patient.id)
        .options(*SHOWN_WITH).order_by(Appointment.starts_at.desc())
    ))
    record(session, actor, AuditAction.READ, "appointment", patient_id=patient.id, detail="list")
    return appointments
