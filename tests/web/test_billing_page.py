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
