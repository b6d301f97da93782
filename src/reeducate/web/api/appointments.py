"""The schedule: book, request (portal), confirm, reschedule, cancel, no-show."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Response

from reeducate.clinic.schemas import (
    AppointmentBook,
    AppointmentCancel,
    AppointmentConfirm,
    AppointmentNoShow,
    AppointmentOut,
    AppointmentRequest,
    AppointmentReschedule,
    AppointmentSeriesBook,
    AppointmentSeriesOut,
    SeriesOccurrenceOut,
)
from reeducate.clinic.services import scheduling, series
from reeducate.web.deps import ActorDep, PatientDep, SessionDep, StaffDep

router = APIRouter(prefix="/appointments", tags=["appointments"])


def _out(appointment: object) -> AppointmentOut:
    return AppointmentOut.model_validate(appointment)


@router.get("", response_model=list[AppointmentOut])
def day_schedule(actor: StaffDep, session: SessionDep, day: date | None = None,
                 location_id: int | None = None, provider_id: int | None = None) -> list[AppointmentOut]:
    """One day's appointments at a location (today and the first location by default)."""
    return [_out(a) for a in scheduling.schedule(
        session, actor, day, location_id=location_id, provider_id=provider_id)]


@router.post("", response_model=AppointmentOut, status_code=201)
def book(data: AppointmentBook, actor: StaffDep, session: SessionDep) -> AppointmentOut:
    """Book; refused with 409 if the provider, room or patient is taken, 422 outside opening hours."""
    return _out(scheduling.book(session, actor, data))


@router.post("/series", response_model=AppointmentSeriesOut, status_code=201)
def book_series(data: AppointmentSeriesBook, actor: StaffDep, session: SessionDep, response: Response,
                free_only: bool = False) -> AppointmentSeriesOut:
    """Book a recurring series. If a date is taken or the clinic is closed then, nothing is booked
    (409) and each such date is named with the reason; ``free_only`` books the other dates instead."""
    outcome = series.book_series(session, actor, data, free_only=free_only)
    if outcome.series is None:
        session.rollback()  # nothing of the refused series is kept
        response.status_code = 409
    return AppointmentSeriesOut(
        series_id=outcome.series.id if outcome.series else None, pattern=series.pattern(data),
        occurrences=[SeriesOccurrenceOut(
            starts_at=o.appointment.starts_at, ends_at=o.appointment.ends_at, booked=o.booked, problem=o.problem,
            appointment_id=o.appointment.id if o.booked else None) for o in outcome.occurrences])


@router.get("/requests", response_model=list[AppointmentOut])
def pending_requests(actor: StaffDep, session: SessionDep) -> list[AppointmentOut]:
    return [_out(a) for a in scheduling.pending_requests(session, actor)]


@router.post("/requests", response_model=AppointmentOut, status_code=201)
def request_appointment(data: AppointmentRequest, actor: PatientDep, session: SessionDep) -> AppointmentOut:
    """A patient asks for a time; the front desk confirms it."""
    return _out(scheduling.request(session, actor, data))


@router.get("/{appointment_id}", response_model=AppointmentOut)
def read_appointment(appointment_id: int, actor: ActorDep, session: SessionDep) -> AppointmentOut:
    return _out(scheduling.get(session, actor, appointment_id))


@router.post("/{appointment_id}/confirm", response_model=AppointmentOut)
def confirm(appointment_id: int, data: AppointmentConfirm, actor: StaffDep, session: SessionDep) -> AppointmentOut:
    return _out(scheduling.confirm(session, actor, appointment_id, data))


@router.post("/{appointment_id}/reschedule", response_model=AppointmentOut)
def reschedule(appointment_id: int, data: AppointmentReschedule, actor: StaffDep,
               session: SessionDep) -> AppointmentOut:
    return _out(scheduling.reschedule(session, actor, appointment_id, data))


@router.post("/{appointment_id}/cancel", response_model=AppointmentOut)
def cancel(appointment_id: int, data: AppointmentCancel, actor: ActorDep, session: SessionDep) -> AppointmentOut:
    """Cancel with the reason (required); within the clinic's notice before the start it is a late
    cancellation. ``rest_of_series`` also cancels the series' later booked appointments."""
    return _out(scheduling.cancel(session, actor, appointment_id, data.reason, rest_of_series=data.rest_of_series))


@router.post("/{appointment_id}/no-show", response_model=AppointmentOut)
def no_show(appointment_id: int, data: AppointmentNoShow, actor: StaffDep, session: SessionDep) -> AppointmentOut:
    """Record that the patient did not come, with the reason as far as known (required)."""
    return _out(scheduling.mark_no_show(session, actor, appointment_id, data.reason))
