"""The schedule laid out as a grid for a page: one column per day and provider (or room), one row per
quarter hour of the location's local wall-clock time, each appointment a block spanning its rows.

Pure layout of what the schedule service returned: no query and no rule. Only appointments that hold
their time (booked, checked in, completed) take a block; the page lists the others beside the grid.
Blocks that would share a cell (a start off the quarter hour next to another appointment) share it,
so that nothing is hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from math import ceil
from zoneinfo import ZoneInfo

from reeducate.clinic.models import Appointment, Location
from reeducate.clinic.vocabulary import SLOT_HOLDING

SLOT_MIN = 15
"""Minutes per grid row."""
DEFAULT_HOURS = (time(8), time(18))
"""Rows shown on a day with neither opening hours nor appointments."""


@dataclass(frozen=True)
class Column:
    """One day of one provider or room; ``key`` is the provider's or room's id (None: no room)."""

    day: date
    key: int | None
    label: str


@dataclass(frozen=True)
class Cell:
    """A table cell ``rows`` rows tall holding the appointments that start in it (none: an empty slot)."""

    appointments: list[Appointment]
    rows: int = 1


@dataclass(frozen=True)
class Row:
    """One quarter hour: its label ("09:00" on the hour, else blank) and, per column, a cell or None
    where a block above still covers it."""

    label: str
    cells: list[Cell | None]


@dataclass(frozen=True)
class Grid:
    columns: list[Column]
    rows: list[Row]
    days: list[tuple[date, int]]
    """Each shown day and how many columns it has (for a week's header)."""


def _minutes(moment: datetime, zone: ZoneInfo) -> int:
    local = moment.astimezone(zone)
    return local.hour * 60 + local.minute


def _span(location: Location, days: Sequence[date], appointments: Sequence[Appointment]) -> tuple[int, int]:
    """First and last minute of the day the grid shows, whole hours covering opening hours and appointments."""
    zone = ZoneInfo(location.timezone)
    weekdays = {day.weekday() for day in days}
    starts = [h.opens_at.hour * 60 + h.opens_at.minute for h in location.opening_hours if h.weekday in weekdays]
    ends = [h.closes_at.hour * 60 + h.closes_at.minute for h in location.opening_hours if h.weekday in weekdays]
    starts += [_minutes(a.starts_at, zone) for a in appointments]
    ends += [_minutes(a.ends_at, zone) or 24 * 60 for a in appointments]
    if not starts:
        return DEFAULT_HOURS[0].hour * 60, DEFAULT_HOURS[1].hour * 60
    return min(starts) // 60 * 60, ceil(max(ends) / 60) * 60


def _key(appointment: Appointment, by_room: bool) -> int | None:
    return appointment.room_id if by_room else appointment.provider_id


def build(location: Location, days: Sequence[date], resources: Sequence[tuple[int | None, str]],
          appointments: Sequence[Appointment], *, by_room: bool) -> Grid:
    """The grid of ``appointments`` for ``days`` x ``resources`` ((id, name) of providers or rooms)."""
    zone = ZoneInfo(location.timezone)
    holding = [a for a in appointments if a.status in SLOT_HOLDING]
    first, last = _span(location, days, holding)
    slots = (last - first) // SLOT_MIN
    columns = [Column(day, key, label) for day in days for key, label in resources]
    blocks: list[dict[int, tuple[int, list[Appointment]]]] = []  # per column: start row -> (end row, appointments)
    for column in columns:
        placed: dict[int, tuple[int, list[Appointment]]] = {}
        previous: int | None = None
        for appointment in sorted(holding, key=lambda a: a.starts_at):
            if appointment.starts_at.astimezone(zone).date() != column.day or _key(appointment, by_room) != column.key:
                continue
            start = (_minutes(appointment.starts_at, zone) - first) // SLOT_MIN
            end = max(start + 1, ceil(((_minutes(appointment.ends_at, zone) or 24 * 60) - first) / SLOT_MIN))
            if previous is not None and start < placed[previous][0]:  # overlaps the block above: share it
                placed[previous] = (max(end, placed[previous][0]), [*placed[previous][1], appointment])
            else:
                placed[start], previous = (end, [appointment]), start
        blocks.append(placed)
    rows = []
    covered_until = [0] * len(columns)
    for slot in range(slots):
        cells: list[Cell | None] = []
        for index, placed in enumerate(blocks):
            if slot in placed:
                end, shown = placed[slot]
                cells.append(Cell(shown, min(end, slots) - slot))
                covered_until[index] = end
            else:
                cells.append(None if slot < covered_until[index] else Cell([]))
        minute = first + slot * SLOT_MIN
        rows.append(Row(f"{minute // 60:02d}:00" if minute % 60 == 0 else "", cells))
    return Grid(columns, rows, [(day, len(resources)) for day in days])
