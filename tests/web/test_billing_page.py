"""The visit's billing page: every code with minutes is shown, a code that earns no unit with the reason."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support import World
from tests.web.conftest import bearer


def test_a_code_whose_minutes_earn_no_unit_is_shown_with_the_reason(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    saved = client.put(f"/api/v1/visits/{world.visit_open}/billing", headers=headers, json=[
        {"code": "97112", "minutes": 24}, {"code": "97110", "minutes": 15}, {"code": "97116", "minutes": 8}])
    assert saved.status_code == 200, saved.text
    page = client.get(f"/visits/{world.visit_open}/billing", headers=headers)
    assert page.status_code == 200
    row = page.text[page.text.index('<tr class="unbilled">'):]
    row = row[:row.index("</tr>")]
    assert "97116" in row and "Gait training" in row and ">8<" in row
    assert "Not billed: the visit&#39;s 47 timed minutes make 3 units by the Medicare 8-minute rule" in row


def test_a_refused_signature_keeps_what_the_clinician_wrote_as_the_draft(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    url = f"/visits/{world.visit_open}/note"
    assert client.post(url, headers=headers, data={"action": "draft"}).status_code == 303
    written = {"subjective": "Steadier on stairs this week.", "objective": "Berg 44.", "assessment": "",
               "plan": "Foam stance next visit.", "nmr_minutes": "15", "action": "sign"}
    refused = client.post(url, headers=headers, data=written)
    assert refused.status_code == 422
    assert "Your text is saved as a draft, not signed: Write the assessment section(s) before signing." in refused.text
    kept = client.get(url, headers=headers).text
    assert "Steadier on stairs this week." in kept and "Foam stance next visit." in kept


def test_evaluation_minutes_are_named_on_the_billing_page_until_an_evaluation_code_carries_them(
        client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    added = client.post(f"/api/v1/visits/{world.visit_open}/activities", headers=headers,
                        json={"activity": "evaluation", "minutes": 30})
    assert added.status_code == 201, added.text
    page = client.get(f"/visits/{world.visit_open}/billing", headers=headers).text
    assert "Evaluation 30 min: an evaluation is billed by its complexity, not by its minutes; choose 97161" in page
    saved = client.put(f"/api/v1/visits/{world.visit_open}/billing", headers=headers,
                       json=[{"code": "97162", "minutes": 30}, {"code": "97112", "minutes": 15}])
    assert saved.status_code == 200, saved.text
    assert "Evaluation 30 min" not in client.get(f"/visits/{world.visit_open}/billing", headers=headers).text
