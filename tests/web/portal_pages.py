"""The portal's pages as the tests find them: every GET route under /portal, its path parameters filled from
the test world, so a page another change adds is checked from the day it lands; and a patient with
something to read on them (a change to judge, a fall-risk finding)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from fastapi.routing import APIRoute
from sqlalchemy import Engine

from reeducate.clinic.access import Actor
from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import User
from reeducate.clinic.schemas import AdministrationCreate
from reeducate.clinic.services import measures
from reeducate.measures import catalogue
from reeducate.web import pages
from tests.support import World, local

#: Words a clinician reads and a patient should not have to: never on a page the patient sees.
CLINICIANS_WORDS = re.compile(r"\bMDC\b|\bMCID\b|minimal detectable change|minimal clinically important",
                              re.IGNORECASE)
#: Links the patient's pages lead to that are followed as pages too (same site, not a static file).
PAGE_LINK = re.compile(r'href="(/(?!static/)[^"#]*)"')


def fillers(world: World) -> dict[str, list[str]]:
    """Values for each path parameter of a portal route, from the world: a route whose parameter is not
    here fails the tests that walk the portal, naming it (add it here)."""
    return {
        "episode_id": [str(world.episode)],
        "measure_id": sorted(i for i, m in catalogue.instruments().items() if m.patient_reported),
        "appointment_id": [str(world.appt_future)],
    }


def portal_addresses(world: World) -> Iterator[str]:
    """Every GET page under /portal, its parameters filled from the world."""
    values = fillers(world)
    for route in (r for module in pages.MODULES for r in module.router.routes):
        if not (isinstance(route, APIRoute) and route.path.startswith("/portal") and "GET" in route.methods):
            continue
        names = list(route.param_convertors)
        unknown = [n for n in names if n not in values]
        assert not unknown, f"{route.path}: add values for {unknown} to fillers() in {__name__}"
        for chosen in itertools.product(*(values[n] for n in names)):
            yield route.path.format(**dict(zip(names, chosen, strict=True)))


def give_the_patient_something_to_read(engine: Engine, world: World) -> None:
    """A second Berg Balance Scale (a change to judge) with a goal (its prognosis on the portal's home), and
    an ABC the patient filled in below its fall-risk cut-off: a change, a goal and a fall-risk finding to put
    in words."""
    with unit_of_work(make_session_factory(engine)) as session:
        therapist = Actor.of(session.get(User, world.user_ids["therapist"]))
        patient = Actor.of(session.get(User, world.user_ids["patient"]))
        measures.record_in_visit(session, therapist, world.visit_open, "berg",
                                 AdministrationCreate(responses=[4] * 13 + [2]), now=local(0, 8, 50))
        measures.set_goal(session, therapist, world.episode, "berg", 56)
        measures.request_questionnaires(session, therapist, world.episode, ["abc"])
        measures.submit_from_portal(session, patient, world.episode, "abc",
                                    AdministrationCreate(responses=[60] * 16), now=local(0, 7))
