"""Dates and times as people read them, in one format for pages, printed documents and messages.

"Wed 02 Dec 2026" (the weekday guards against a misread day or month), and "02 Dec 1948" where the
weekday says nothing (a birth date); a moment is shown in the clinic's own time zone when one is given. Pure: the web's ``day`` filter, the printed note and the
clinic's refusals all call these, so no page and no paper writes a date another way.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

DAY_FORMAT = "%a %d %b %Y"
DATE_FORMAT = "%d %b %Y"


def _in_zone(moment: datetime, timezone: str | tzinfo | None) -> datetime:
    if timezone is None:
        return moment
    return moment.astimezone(ZoneInfo(timezone) if isinstance(timezone, str) else timezone)


def day_text(moment: datetime | date | None, timezone: str | tzinfo | None = None) -> str:
    """The day of ``moment`` ("Wed 02 Dec 2026"), in ``timezone`` for a datetime; "" for no date."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = _in_zone(moment, timezone)
    return moment.strftime(DAY_FORMAT)


def date_text(moment: datetime | date | None, timezone: str | tzinfo | None = None) -> str:
    """A day where the weekday says nothing, such as a birth date ("02 Dec 1948"); "" for no date."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = _in_zone(moment, timezone)
    return moment.strftime(DATE_FORMAT)


def moment_text(moment: datetime, timezone: str | tzinfo | None = None) -> str:
    """The day and clock time of ``moment`` with its zone's abbreviation ("Wed 02 Dec 2026 14:05 CST")."""
    shown = _in_zone(moment, timezone)
    return f"{shown.strftime(DAY_FORMAT)} {shown:%H:%M} {shown.tzname() or ''}".rstrip()
