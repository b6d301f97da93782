"""Dates as people read them (reports.dates): one format for pages, printed documents and messages."""

from __future__ import annotations

from datetime import UTC, date, datetime

from reeducate.reports.dates import date_text, day_text, moment_text


def test_a_day_reads_with_its_weekday_and_nothing_for_no_date() -> None:
    assert day_text(date(2026, 12, 2)) == "Wed 02 Dec 2026"
    assert day_text(None) == ""
    assert date_text(date(1948, 12, 2)) == "02 Dec 1948"  # a birth date: its weekday says nothing


def test_a_moment_is_read_on_the_clinics_own_day_and_clock() -> None:
    late = datetime(2026, 12, 3, 2, 30, tzinfo=UTC)  # still the evening before in Illinois
    assert day_text(late) == "Thu 03 Dec 2026"
    assert day_text(late, "America/Chicago") == "Wed 02 Dec 2026"
    assert moment_text(late, "America/Chicago") == "Wed 02 Dec 2026 20:30 CST"
