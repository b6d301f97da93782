"""The note page of an evaluation (issue 19): its sections, the code panel (components, the drafted code
and what limits it, the confirmation), signing; a PT assistant is not offered an evaluation to write."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reeducate.clinic.access import Actor
from reeducate.clinic.db import make_session_factory
from reeducate.clinic.evaluation_draft import SCREEN_ITEMS, SYSTEMS
from reeducate.clinic.models import User
from reeducate.clinic.schemas import VisitActivityAdd
from reeducate.clinic.services import visits
from reeducate.clinic.vocabulary import Activity
from tests.support import World
from tests.web.browsing import SHOTS, log_in
from tests.web.conftest import bearer

SECTIONS = {
    "history_mechanism": "Tripped on a kerb.", "history_onset": "Three weeks ago.",
    "history_prior_function": "Walked 2 km daily.", "history_goals": "Walk to church without fear of falling.",
    **{f"screen_{i}": "absent" for i in range(len(SCREEN_ITEMS))},
    **{f"system_{key}": "Unremarkable." for key in SYSTEMS},
    "tests_and_measures": "Berg Balance Scale: 50.", "assessment": "Balance deficits limit walking outdoors.",
    "plan": "Plan of care to follow.",
}
COMPONENTS = {"code_personal_factors": "1", "code_body_elements": "4", "code_presentation": "evolving",
              "code_decision_making": "moderate"}


def _evaluation_visit(client: TestClient, world: World, headers: dict[str, str]) -> str:
    added = client.post(f"/api/v1/visits/{world.visit_open}/activities", headers=headers,
                        json={"activity": "evaluation", "minutes": 30})
    assert added.status_code == 201, added.text
    return f"/visits/{world.visit_open}/note"


def test_the_evaluation_page_drafts_codes_confirms_and_signs(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    url = _evaluation_visit(client, world, headers)
    assert "Draft the evaluation" in client.get(url, headers=headers).text
    assert client.post(url, headers=headers, data={"action": "draft"}).status_code == 303
    page = client.get(url, headers=headers).text
    for heading in ("<h1>Evaluation: Penny Quennell", "Red-flag screen", "Systems review", "Tests and measures",
                    "Problem list", "Evaluation code"):
        assert heading in page, heading
    assert "Berg Balance Scale: " in page and "[measured on the force plate]" in page
    assert "No problems accepted yet." in page and f'href="/episodes/{world.episode}/problems"' in page
    assert f'href="/episodes/{world.episode}/plan"' in page
    assert ("Suggestion, not a count: this visit recorded 4 standardised test(s) or measure(s) (Berg Balance Scale, "
            "force-plate stance, gait, movement clip)") in page
    assert 'value="absent" aria-label="Night pain: absent" >' in page  # nothing pre-answered

    drafted = client.post(url, headers=headers, data={**SECTIONS, **COMPONENTS, "action": "code"})
    assert drafted.status_code == 303
    page = client.get(url, headers=headers).text
    assert "Drafted: <strong>97162</strong> (moderate complexity). Held at this level by: history (personal factors " \
           "and comorbidities), clinical presentation, clinical decision making." in page
    refused = client.post(url, headers=headers, data={**SECTIONS, **COMPONENTS, "action": "sign"})
    assert refused.status_code == 422 and "the evaluation code: confirm it" in refused.text

    changed = client.post(url, headers=headers, data={**SECTIONS, **COMPONENTS, "code_personal_factors": "3",
                                                      "action": "confirm"})
    assert changed.status_code == 422
    assert "The components changed: they now support 97162. Check it and confirm again." in changed.text
    assert client.post(url, headers=headers, data={**SECTIONS, **COMPONENTS, "action": "code"}).status_code == 303
    assert client.post(url, headers=headers, data={**SECTIONS, **COMPONENTS, "action": "confirm"}).status_code == 303
    assert "97162 confirmed by Therapist on " in client.get(url, headers=headers).text

    billing = client.get(f"/visits/{world.visit_open}/billing", headers=headers).text
    assert "97162" in billing
    saved = client.put(f"/api/v1/visits/{world.visit_open}/billing", headers=headers,
                       json=[{"code": "97112", "minutes": 15}, {"code": "97162"}])
    assert saved.status_code == 200, saved.text
    assert client.post(url, headers=headers, data={**SECTIONS, **COMPONENTS, "action": "sign"}).status_code == 303
    signed = client.get(url, headers=headers).text
    assert 'id="signed-note"' in signed and "Tripped on a kerb." in signed and "97162 confirmed by Therapist" in signed
    assert "Confirm 97162" not in signed and 'name="history_mechanism"' not in signed


def test_a_pt_assistant_is_not_offered_an_evaluation_to_write(client: TestClient, world: World) -> None:
    url = _evaluation_visit(client, world, bearer(client, world, "therapist"))
    headers = bearer(client, world, "assistant")
    page = client.get(url, headers=headers).text
    assert "A physical therapist or chiropractor writes an evaluation." in page and 'value="draft"' not in page
    assert client.post(url, headers=headers, data={"action": "draft"}).status_code == 403


@pytest.mark.browser
def test_a_therapist_drafts_codes_and_confirms_an_evaluation_in_a_browser(browser, server: str,  # type: ignore[no-untyped-def]
                                                                          world: World, world_engine: Engine) -> None:
    with make_session_factory(world_engine).begin() as session:
        pt = Actor.of(session.get_one(User, world.user_ids["therapist"]))
        visits.add_activity(session, pt, world.visit_open, VisitActivityAdd(activity=Activity.EVALUATION, minutes=30))
    page = log_in(browser, server, world.emails["therapist"])
    page.goto(f"{server}/visits/{world.visit_open}/note")
    with page.expect_navigation():
        page.get_by_role("button", name="Draft the evaluation").click()
    page.get_by_label("Mechanism of injury").fill("Tripped on a kerb.")
    page.get_by_label("Night pain: absent").check()
    page.get_by_label("Personal factors and comorbidities affecting the plan (count)").fill("1")
    page.get_by_label("Body-system elements examined with standardised tests and measures (count)").fill("4")
    page.get_by_label("Clinical presentation").select_option("evolving")
    page.get_by_label("Clinical decision making").select_option("moderate")
    with page.expect_navigation():
        page.get_by_role("button", name="Draft the code from these components").click()
    assert "97162" in page.inner_text("#drafted-code")
    assert page.get_by_label("Night pain: absent").is_checked() and page.get_by_label("Mechanism of injury").input_value()
    page.screenshot(path=SHOTS / "evaluation-note-drafted.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm 97162").click()
    assert "97162 confirmed by Therapist" in page.inner_text("#code-confirmed")
    phone = log_in(browser, server, world.emails["therapist"], width=390)
    phone.goto(f"{server}/visits/{world.visit_open}/note")
    phone.screenshot(path=SHOTS / "evaluation-note-phone.png", full_page=True)
