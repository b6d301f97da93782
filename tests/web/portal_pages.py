"""The portal's pages as the tests find them: every GET route under /portal, its path parameters filled from
the test world, so a page another change adds is checked from the day it lands; and a patient with
something to read on them (a change to judge, a fall-risk finding)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from fastapi.routing import APIRoute
from sqlalchemy import Engine

from reeducate.clinic.access import Actor
from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import User
from reeducate.clinic.schemas import AdministrationCreate
from reeducate.clinic.services import home_programmes, measures
from reeducate.clinic.services.home_programmes import HomeItemInput, HomeProgrammeInput
from reeducate.measures import catalogue
from reeducate.web import pages
from tests.support import World, local

#: Words a clinician reads and a patient should not have to: never on a page the patient sees.
CLINICIANS_WORDS = re.compile(r"\bMDC\b|\bMCID\b|minimal detectable change|minimal clinically important",
                              re.IGNORECASE)
#: Links the patient's pages lead to that are followed as pages too (same site, not a static file).
PAGE_LINK = re.compile(r'href="(/(?!static/)[^"#]*)"')


def fillers(world: World) -> dict[str, list[str]]:
    """Values for each path parameter of a portal route, from the world."""
    return {
        "episode_id": [str(world.episode)],
        "measure_id": sorted(i for i, m in catalogue.instruments().items() if m.patient_reported),
        "appointment_id": [str(world.appt_future)],
    }


def portal_addresses(world: World) -> tuple[list[str], list[APIRoute]]:
    """Every GET page under /portal with its parameters filled from the world; and the routes whose
    parameters :func:`fillers` does not know, which a walk must reach by a link instead (:func:`unreached`)."""
    values, found, unfilled = fillers(world), [], []
    for route in (r for module in pages.MODULES for r in module.router.routes):
        if not (isinstance(route, APIRoute) and route.path.startswith("/portal") and "GET" in (route.methods or ())):
            continue
        if "." in route.path.rsplit("/", 1)[-1]:
            continue  # a file (a figure, the programme's PDF), no page
        names = list(route.param_convertors)
        if any(n not in values for n in names):
            unfilled.append(route)
            continue
        found += [route.path.format(**dict(zip(names, chosen, strict=True)))
                  for chosen in itertools.product(*(values[n] for n in names))]
    return found, unfilled


def unreached(routes: list[APIRoute], seen: Iterable[str]) -> list[str]:
    """The routes no address of a walk matched: pages the walk never checked. Give their parameters in
    :func:`fillers`, or give the world what the portal links them from."""
    paths = [urlsplit(address).path for address in seen]
    return [r.path for r in routes if not any(r.path_regex.match(path) for path in paths)]


def give_the_patient_something_to_read(engine: Engine, world: World) -> None:
    """A second Berg Balance Scale (a change to judge) with a goal (its prognosis on the portal's home), an
    ABC the patient filled in below its fall-risk cut-off (a fall-risk finding to put in words), and a home
    programme of a guided and a ticked exercise due every day since a week ago (the pages that show it)."""
    with unit_of_work(make_session_factory(engine)) as session:
        therapist = Actor.of(session.get(User, world.user_ids["therapist"]))
        patient = Actor.of(session.get(User, world.user_ids["patient"]))
        measures.record_in_visit(session, therapist, world.visit_open, "berg",
                                 AdministrationCreate(responses=[4] * 13 + [2]), now=local(0, 8, 50))
        measures.set_goal(session, therapist, world.episode, "berg", 56)
        home_programmes.prescribe(session, therapist, world.episode, HomeProgrammeInput(
            starts_on=local(-7, 9).date(), notes_for_patient="Slowly, holding the back of a chair.", items=[
                HomeItemInput(exercise_id="mini-squat", monitor="camera-side", side="left", sets=2, reps=10,
                              weekdays=list(range(1, 8))),
                HomeItemInput(exercise_id="mini-squat", side="right", sets=1, reps=8, weekdays=list(range(1, 8)))]))
        measures.request_questionnaires(session, therapist, world.episode, ["abc"])
        measures.submit_from_portal(session, patient, world.episode, "abc",
                                    AdministrationCreate(responses=[60] * 16), now=local(0, 7))
