"""Recurring series ("2x a week for 6 weeks"): every occurrence is checked as a single booking is
(opening hours, the provider, the room and the patient free), each conflict is reported by date with
its reason, and the desk books them all, only the free ones, or changes the pattern. The booked
appointments share one :class:`AppointmentSeries`, so the rest of a series can be cancelled at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from reeducate.clinic.access import Actor, require_role
from reeducate.clinic.audit_log import record
from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.models import Appointment, AppointmentSeries
from reeducate.clinic.schemas import AppointmentBook, AppointmentSeriesBook
from reeducate.clinic.services import scheduling
from reeducate.clinic.vocabulary import STAFF, AuditAction

LONGEST_SPAN = timedelta(weeks=52)
"""A series spans at most a year from its first day; a longer one is a mistake, refused."""
SHORT_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Occurrence:
    """One date of a series: booked, free (not booked: the desk asked to see conflicts first), or
    refused with the reason."""

    appointment: Appointment
    problem: str = ""
    booked: bool = False


@dataclass(frozen=True)
class SeriesOutcome:
    """What happened to every date of a series; ``series`` is None when nothing was booked."""

    occurrences: list[Occurrence]
    series: AppointmentSeries | None

    @property
    def conflicts(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.problem]

    @property
    def free(self) -> list[Occurrence]:
        return [o for o in self.occurrences if not o.problem]


def series_days(data: AppointmentSeriesBook) -> list[date]:
    """The dates of the series: the chosen weekdays from the first day, for the weeks or through the end date."""
    last = data.until if data.until is not None else data.first_day + timedelta(weeks=data.weeks or 0, days=-1)
    if last - data.first_day >= LONGEST_SPAN:
        raise InvalidInput("A series may span at most 52 weeks; give fewer weeks or an earlier end date.",
                           field="until")
    span = (last - data.first_day).days + 1
    days = [data.first_day + timedelta(days=n) for n in range(span)]
    return [day for day in days if day.weekday() in data.weekdays]


def pattern(data: AppointmentSeriesBook) -> str:
    """The series in words, e.g. "Mon, Thu at 09:00 for 6 weeks from 2026-12-07"."""
    days = ", ".join(SHORT_DAYS[d] for d in data.weekdays)
    length = f"for {data.weeks} weeks" if data.weeks else f"until {data.until}"
    return f"{days} at {data.at:%H:%M} {length} from {data.first_day}"


def book_series(session: Session, actor: Actor, data: AppointmentSeriesBook, *, free_only: bool,
                now: datetime | None = None) -> SeriesOutcome:
    """Check every date of the series; book them all if all are free, or, with ``free_only``, the free
    ones. Otherwise nothing is booked and the outcome names each conflict by date with its reason."""
    require_role(actor, STAFF, "book appointments")
    now = now or utcnow()
    days = series_days(data)
    if not days:
        raise InvalidInput("None of the chosen weekdays falls within the series; choose other days or "
                           "a later end date.", field="weekdays")
    checked = []
    for day in days:
        appointment = scheduling.new_appointment(session, actor, AppointmentBook(
            patient_id=data.patient_id, provider_id=data.provider_id, location_id=data.location_id,
            room_id=data.room_id, episode_id=data.episode_id, starts_at=datetime.combine(day, data.at),
            duration_min=data.duration_min, kind=data.kind, reason=data.reason))
        try:
            with session.no_autoflush:
                scheduling.check_slot(session, appointment, now=now)
        except (InvalidInput, Conflict) as refusal:
            checked.append(Occurrence(appointment, refusal.message))
        else:
            checked.append(Occurrence(appointment))
    free = [o.appointment for o in checked if not o.problem]
    if not free or (len(free) < len(checked) and not free_only):
        return SeriesOutcome(checked, None)
    series = AppointmentSeries(clinic_id=actor.clinic_id, patient_id=data.patient_id, pattern=pattern(data),
                               created_by_id=actor.user_id)
    session.add(series)
    for appointment in free:
        appointment.series = series
        session.add(appointment)
    session.flush()
    for appointment in free:
        record(session, actor, AuditAction.CREATE, "appointment", appointment.id, patient_id=appointment.patient_id,
               detail=f"booked in series {series.id} ({series.pattern})"[:500])
    return SeriesOutcome([Occurrence(o.appointment, o.problem, booked=not o.problem) for o in checked], series)
