"""The JSON API, version 1: one router per resource, mounted under /api/v1."""

from fastapi import APIRouter

from reeducate.web.api import (
    appointments,
    audit,
    auth,
    balance,
    billing,
    emg,
    episodes,
    fhir,
    jobs,
    measures,
    movement,
    patients,
    people,
    training,
    visits,
)

router = APIRouter(prefix="/api/v1")
for module in (auth, people, patients, episodes, appointments, visits, measures, balance, movement, training,
               billing, audit, fhir, jobs, emg):
    router.include_router(module.router)
router.include_router(patients.coverages_router)
