"""Server-rendered pages (Jinja2, htmx where a page updates in place)."""

from fastapi import APIRouter

from reeducate.web.pages import (
    adherence,
    admin,
    auth,
    balance,
    billing,
    booking,
    caseload,
    claims,
    coverages,
    emg,
    episodes,
    home_print,
    home_programme,
    home_session,
    jobs,
    measures,
    movement,
    patients,
    plan,
    portal,
    portal_today,
    problems,
    referrals,
    reminders,
    reports,
    rtm,
    schedule,
    training,
    visits,
)

MODULES = (auth, schedule, patients, coverages, booking, portal, measures, balance, movement, training, billing,
           claims, visits, admin, episodes, caseload, problems, plan, referrals, reports,
           home_programme, portal_today, home_print, rtm, adherence, reminders, home_session, jobs,
           emg)
"""Every page module; the persona matrix checks each of their routes has a case."""

router = APIRouter(include_in_schema=False)
for module in MODULES:
    router.include_router(module.router)
