"""The billing worklist and a claim's page: names not ids, filters that re-show what was typed, a release
button only while the visit is unbilled, and a correction refused without its reason."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support import World
from tests.web.conftest import bearer


def test_the_worklist_names_patients_clinicians_and_claims_and_links_the_pages(client: TestClient,
                                                                               world: World) -> None:
    page = client.get("/billing", headers=bearer(client, world, "front_desk"))
    assert page.status_code == 200
    text = page.text
    assert "Penny Quennell" in text and "Therapist" in text and "No note yet" in text
    assert f'href="/claims/{world.claim}"' in text and f'href="/visits/{world.visit_open}/billing"' in text
    assert "Original" in text and "by Front Desk" in text and "Medicare" in text


def test_a_date_that_is_not_one_is_named_and_the_filters_are_shown_again(client: TestClient, world: World) -> None:
    page = client.get("/billing?since=2026-13-40&payer=Medicare", headers=bearer(client, world, "front_desk"))
    assert page.status_code == 422
    assert "The since date &#39;2026-13-40&#39; is not a date" in page.text
    assert 'value="2026-13-40"' in page.text and '<option value="Medicare" selected>' in page.text


def test_a_billed_visit_offers_its_claim_not_a_second_release(client: TestClient, world: World) -> None:
    page = client.get(f"/visits/{world.visit_done}/billing", headers=bearer(client, world, "front_desk"))
    assert "Validate and release the 837P" not in page.text
    assert f'send a replacement or a void from <a href="/claims/{world.claim}">' in page.text


def test_a_void_without_a_reason_is_refused_on_the_claims_page_and_a_reasoned_one_is_shown(
    client: TestClient, world: World
) -> None:
    headers = bearer(client, world, "front_desk")
    refused = client.post(f"/claims/{world.claim}/void", headers=headers, data={"reason": " "})
    assert refused.status_code == 422 and "Give the reason for the correction" in refused.text
    done = client.post(f"/claims/{world.claim}/void", headers=headers, data={"reason": "billed in error"},
                       follow_redirects=False)
    assert done.status_code == 303
    void = client.get(done.headers["location"], headers=headers).text
    assert "The void validated with pyx12" in void and "billed in error" in void and "cannot itself be corrected" in void
    original = client.get(f"/claims/{world.claim}", headers=headers).text
    assert "Voided" in original and "Void claim" not in original and "it cannot be replaced" in original
    billing_page = client.get(f"/visits/{world.visit_done}/billing", headers=headers).text
    assert "Validate and release the 837P" in billing_page


def test_a_pt_assistant_sees_the_claim_without_the_corrections(client: TestClient, world: World) -> None:
    page = client.get(f"/claims/{world.claim}", headers=bearer(client, world, "assistant"))
    assert page.status_code == 200 and "Replacement (frequency code 7)" in page.text
    assert "/replacement" not in page.text and 'action="/claims/' not in page.text
