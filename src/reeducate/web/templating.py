"""Jinja2 templates and the filters that show values as people read them: dates in one format (``day``
"Wed 02 Dec 2026", ``date`` "02 Dec 2026" without the weekday, for a birth date; ``hm`` "18:30"), a
moment always in the clinic's own time zone; numbers at clinical precision with their unit
(``number``, ``score``), money (``money``), a force-plate trial's condition and an enum's label in words."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from starlette.responses import Response

from reeducate.clinic.demo import DEMO_SLUG
from reeducate.measures.definition import Instrument
from reeducate.reports.dates import date_text, day_text
from reeducate.signals.posturography.clinical import Condition

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _zone(context: Context, timezone: str | None) -> str | None:
    """The zone a moment is shown in: the one a page names (a location's), else the logged-in
    person's clinic's (``Login.timezone``); None (UTC) on a public page."""
    login = context.get("login")
    return timezone or (login.timezone if login is not None else None)


def _in_zone(moment: datetime | date, timezone: str | None) -> datetime | date:
    return moment.astimezone(ZoneInfo(timezone)) if isinstance(moment, datetime) and timezone else moment


@pass_context
def _hm(context: Context, moment: datetime | None, timezone: str | None = None) -> str:
    return _in_zone(moment, _zone(context, timezone)).strftime("%H:%M") if moment else ""


@pass_context
def _day(context: Context, moment: datetime | date | None, timezone: str | None = None) -> str:
    """The one way a day is written, with its weekday: "Wed 02 Dec 2026" (reports.dates)."""
    return day_text(moment, _zone(context, timezone))


@pass_context
def _date(context: Context, moment: datetime | date | None, timezone: str | None = None) -> str:
    """A day where the weekday says nothing (a birth date): "02 Dec 1948", as ``day`` without it."""
    return date_text(moment, _zone(context, timezone))


def money(amount: Decimal | float | None) -> str:
    """An amount in US dollars with cents and thousands separators: "$1,234.00", "-$5.00"; a dash
    for none."""
    if amount is None:
        return "—"
    return f"{'-' if amount < 0 else ''}${abs(Decimal(str(amount))):,.2f}"


def _label(value: Any) -> str:
    return getattr(value, "label", None) or str(getattr(value, "value", value)).replace("_", " ").capitalize()


def number(value: float | None, decimals: int = 0, unit: str = "", *, signed: bool = False) -> str:
    """``value`` rounded to ``decimals`` with its unit ("1.25 m/s", "25.5 %", "+3 points", "40°"); a
    dash for a value not measured. A unit follows the number after a space, as SI writes it (% too),
    but for the degree of angle."""
    if value is None or value != value:  # None, or NaN: nothing was measured
        return "—"
    shown = f"{value:{'+' if signed else ''}.{decimals}f}"
    if shown.lstrip("+-").strip("0.") == "":  # -0.0 and +0.0 read as 0
        shown = shown.lstrip("+-")
    if not unit:
        return shown
    return f"{shown}{unit}" if unit == "°" else f"{shown} {unit}"


#: A result field's name ends in its unit: how that unit is written after a number.
UNIT_SUFFIXES = (("_percent_hip_width", "% of hip width"), ("_deg", "°"), ("_m_s", "m/s"), ("_cm", "cm"),
                 ("_percent", "%"), ("_s", "s"), ("_m", "m"))


def _quantity(value: float | None, name: str, decimals: int = 1) -> str:
    """A result's field as people read it: "knee valgus 4.2°" for ``knee_valgus_deg`` = 4.21."""
    for suffix, unit in UNIT_SUFFIXES:
        if name.endswith(suffix):
            return f"{name.removesuffix(suffix).replace('_', ' ')} {number(value, decimals, unit)}"
    return f"{name.replace('_', ' ')} {number(value, decimals)}"


def unit_of(instrument: Instrument) -> str:
    """How a score's unit is written after it: the symbol of a measured unit (s, m/s, %), else its
    name (points, stands) for a count written in braces in UCUM ('{score}')."""
    return instrument.unit_label if instrument.unit.startswith("{") else instrument.unit


def _score(value: float | None, instrument: Instrument, *, signed: bool = False, unit: bool = True) -> str:
    """A score of ``instrument`` at the precision it is scored to, with its unit."""
    return number(value, instrument.decimals, unit_of(instrument) if unit else "", signed=signed)


def _condition(trial: Any) -> str:
    """A force-plate trial's condition in words ("eyes closed, foam, bipedal")."""
    return Condition(trial.vision, trial.surface, trial.stance).label


templates.env.filters.update(hm=_hm, day=_day, date=_date, label=_label, number=number, score=_score,
                             condition=_condition, quantity=_quantity, money=money)
# The demo clinic says on every page that it is one (its people are made up, its recordings stand in).
templates.env.globals["demo_clinic_slug"] = DEMO_SLUG


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    """Render a page; ``context`` must hold ``login`` (or None on public pages)."""
    return templates.TemplateResponse(request, template, context, status_code=status_code)
