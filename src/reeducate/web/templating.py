"""Jinja2 templates and the filters pages use to show times in the clinic's own time zone."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from reeducate.clinic.demo import DEMO_SLUG

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def local(moment: datetime | None, timezone: str) -> datetime | None:
    return moment.astimezone(ZoneInfo(timezone)) if moment else None


def _hm(moment: datetime | None, timezone: str) -> str:
    shown = local(moment, timezone)
    return shown.strftime("%H:%M") if shown else ""


def _day(moment: datetime | date | None, timezone: str | None = None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime) and timezone:
        return moment.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %Y")
    return moment.strftime("%a %d %b %Y")


def _label(value: Any) -> str:
    return getattr(value, "label", None) or str(getattr(value, "value", value)).replace("_", " ").capitalize()


templates.env.filters.update(hm=_hm, day=_day, label=_label)
# The demo clinic says on every page that it is one (its people are made up, its recordings stand in).
templates.env.globals["demo_clinic_slug"] = DEMO_SLUG


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    """Render a page; ``context`` must hold ``login`` (or None on public pages)."""
    return templates.TemplateResponse(request, template, context, status_code=status_code)
