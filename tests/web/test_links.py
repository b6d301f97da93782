"""No dead ends: every link a persona sees on the clinic's pages and the portal leads somewhere that persona
may go (issue 18's rule): the day and week grids, my patients, the chart, booking and its patient picker,
the cancel and no-show confirmations, a visit's page, completion, billing, note, training, force plate and
movement pages, an episode's page, progress and discharge, opening one, the portal, registration, a
patient's edit and their coverage pages, the billing worklist and a claim, the administrator's pages."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.support import World
from tests.web.conftest import bearer

PERSONAS = ("therapist", "assistant", "chiropractor", "front_desk", "admin", "patient")
PAGES = ("/portal", "/schedule", "/schedule?view=week&by=room", "/my-patients", "/patients/{w.p1}",
         "/appointments/new", "/appointments/new?q=quen", "/appointments/new?patient_id={w.p1}",
         "/appointments/{w.appt_future}/cancel", "/appointments/{w.appt_past}/no-show", "/visits/{w.visit_done}/billing",
         "/visits/{w.visit_open}/billing", "/visits/{w.visit_open}/note", "/visits/{w.visit_open}/training",
         "/visits/{w.visit_open}/balance", "/visits/{w.visit_open}/movement", "/episodes/{w.episode}/progress",
         # patients' records
         "/patients/new", "/patients/{w.p1}/edit", "/patients/{w.p1}/coverages/new", "/coverages/{w.coverage}/edit",
         "/coverages/{w.coverage}/deactivate", "/coverages/{w.coverage}/eligibility",
         # the visit's life
         "/visits/{w.visit_open}", "/visits/{w.visit_done}", "/visits/{w.visit_open}/complete",
         # billing
         "/billing", "/claims/{w.claim}",
         # administration
         "/admin", "/admin/users", "/admin/users/{w.user_ids[assistant]}", "/admin/clinic", "/admin/locations",
         "/admin/locations/{w.location_id}", "/admin/audit",
         # episodes
         "/episodes/{w.episode}", "/episodes/{w.episode}/discharge", "/patients/{w.p1}/episodes/new",
         # issue 19: findings to problems
         "/episodes/{w.episode}/problems",
         # issue 19: FHIR (the patients list links the referral import, the episode page the Bundle's download)
         "/patients", "/referrals/import",
         # issue 19: goals and the plan of care
         "/episodes/{w.episode}/goals", "/episodes/{w.episode}/plan",
         # issue 19: progress reports, the discharge summary, documentation due
         "/documentation/due", "/episodes/{w.episode}/reports/new?kind=progress_report",
         "/episodes/{w.episode}/reports/new?kind=discharge_summary",
         # issue 20: the home programme and the patient's Today
         "/episodes/{w.episode}/home", "/portal/today",
         # issue 20: remote therapeutic monitoring
         "/patients/{w.p1}/rtm", "/patients/{w.p1}/rtm/claims",
         # issue 20, adherence: the patient's calendar, the clinician's home-programme panel
         "/portal/calendar", "/home-programmes",
         # issue 20: exercise reminders
         "/portal/reminders")
LINK = re.compile(r'href="(/[^"#?]*)[^"]*"')


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_a_persona_sees_leads_where_they_may_go(client: TestClient, world: World,
                                                                persona: str) -> None:
    headers = bearer(client, world, persona)
    dead = []
    for page in PAGES:
        reply = client.get(page.format(w=world), headers=headers)
        if reply.status_code in (403, 404):
            continue  # a page this persona may not open is the persona matrix's to check, not a link
        assert reply.status_code == 200, (page, reply.status_code)
        for link in sorted(set(LINK.findall(reply.text)) - {"/logout"}):
            if link.startswith("/static/"):
                continue
            answer = client.get(link, headers=headers)
            if answer.status_code in (401, 403):
                dead.append(f"{page} -> {link}: {answer.status_code}")
    assert dead == [], dead
