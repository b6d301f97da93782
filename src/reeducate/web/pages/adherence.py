"""Adherence pages: the patient's exercise calendar in the portal, the clinician's home-programme panel
across their patients (where a pain flag is marked reviewed), and an episode's trend plot."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from reeducate.clinic.errors import NotFound
from reeducate.clinic.services import adherence, episodes, home_sessions
from reeducate.feedback.safety import SEVERE_PAIN
from reeducate.reports.adherence_plot import adherence_svg
from reeducate.training import adherence as core
from reeducate.training.adherence import DayStatus, MonthCalendar
from reeducate.web.deps import LoginDep, PatientDep, SessionDep, StaffDep
from reeducate.web.plot_cache import PlotCacheDep, plot_key, svg_response
from reeducate.web.templating import render

router = APIRouter()


def month_words(month: MonthCalendar) -> str:
    """The month so far in words for the patient: "8 days done, 1 day partly done, 1 day missed"."""
    counts = month.counts
    return ", ".join(f"{counts[status]} {'day' if counts[status] == 1 else 'days'} {words}"
                     for status, words in ((DayStatus.DONE, "done"), (DayStatus.PARTLY, "partly done"),
                                           (DayStatus.MISSED, "missed")) if counts.get(status))


def month_asked(asked: str | None, months: list[date]) -> date:
    """The month the patient asked for (``?month=2026-11``) if the calendar has it, else the latest one
    it shows (the current month)."""
    try:
        wanted = date.fromisoformat(f"{asked}-01") if asked else None
    except ValueError:
        wanted = None
    return wanted if wanted in months else months[-1]


@router.get("/portal/calendar")
def my_calendar(request: Request, login: LoginDep, _patient: PatientDep, session: SessionDep,
                month: str | None = None) -> Response:
    """A month's calendar (this one unless ``month``, "YYYY-MM", asks for an earlier one back to the
    programme's first) and the streak, for each of the patient's running programmes."""
    today = episodes.clinic_today(session, login.actor)
    mine = adherence.mine(session, login.actor, today=today)
    months = core.calendar_months(min((p.first_day for p in mine), default=today), today)
    shown = month_asked(month, months)
    at = months.index(shown)
    calendars = [p.month(shown.year, shown.month) for p in mine]
    return render(request, "pages/portal_calendar.html", {
        "login": login, "programmes": mine, "today": today, "month_shown": shown, "months": calendars,
        "month_words": [month_words(m) for m in calendars], "this_month": shown == core.first_of_month(today),
        "earlier": months[at - 1] if at > 0 else None, "later": months[at + 1] if at + 1 < len(months) else None,
    })


@router.get("/home-programmes")
def panel(request: Request, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    """The clinician's patients with a running home programme, the most urgent first."""
    rows = adherence.panel(session, login.actor)
    return render(request, "pages/home_programmes.html", {
        "login": login, "rows": rows, "reviewed": bool(request.query_params.get("reviewed")), "rules": core,
        "severe_pain": SEVERE_PAIN, "week": timedelta(days=core.WINDOW_DAYS - 1),
    })


@router.get("/episodes/{episode_id}/home-adherence.svg")
def trend_plot(request: Request, episode_id: int, login: LoginDep, session: SessionDep,
               plots: PlotCacheDep) -> Response:
    """The episode's home programme trend: the share done by week and the guided scores."""
    found = adherence.for_episode(session, login.actor, episode_id)
    if found is None:
        raise NotFound(f"No home programme in episode {episode_id} yet.")
    weeks = [(row.week.monday, row.week.share) for row in found.weeks()]
    scores = [(g.on, g.exercise, g.score) for g in found.guided_scores]
    return svg_response(request, session, plots, plot_key("home_adherence", [weeks, scores]),
                        lambda: adherence_svg(weeks, scores))


@router.post("/home-sessions/{session_id}/review")
def review_pain(session_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    """A clinician has seen a severe pain report and acted on it (audited)."""
    home_sessions.review_flag(session, login.actor, session_id)
    return RedirectResponse("/home-programmes?reviewed=1", status_code=303)
