"""Plots are drawn once per content and kept on disk (web/plot_cache.py); every view is still checked
and audited, a change of what is drawn draws again, and the folder keeps to its bound."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from reeducate.clinic.models import AuditEvent
from reeducate.web.pages import balance, measures, movement
from reeducate.web.plot_cache import PlotCache, plot_key
from tests.support import World
from tests.web.conftest import bearer

# (address, the module that draws it, the drawing function's name there)
PLOTS = {
    "progress": ("/episodes/{w.episode}/progress/berg.svg", measures, "progress_svg"),
    "balance progress": ("/episodes/{w.episode}/balance.svg", balance, "balance_progress_svg"),
    "statokinesigram": ("/balance-trials/{w.balance_trial}/statokinesigram.svg", balance, "statokinesigram_svg"),
    "stabilogram": ("/balance-trials/{w.balance_trial}/stabilogram.svg", balance, "stabilogram_svg"),
    "gait": ("/movement-recordings/{w.gait_recording}/gait.svg", movement, "gait_svg"),
}


@pytest.fixture
def drawn(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> Callable[[Any, str], list[int]]:
    """An empty plot cache, and ``drawn(module, name)``: a list that grows by one each time the
    drawing function ``name`` of ``module`` runs."""
    shutil.rmtree(client.app.state.settings.home / "plot-cache", ignore_errors=True)  # type: ignore[attr-defined]

    def counting(module: Any, name: str) -> list[int]:
        calls: list[int] = []
        draw = getattr(module, name)

        def counted(*args: Any, **kwargs: Any) -> bytes:
            calls.append(1)
            return bytes(draw(*args, **kwargs))
        monkeypatch.setattr(module, name, counted)
        return calls
    return counting


def _audit_reads(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.mark.parametrize("address, module, name", PLOTS.values(), ids=PLOTS)
def test_a_second_view_is_served_from_the_cache_without_drawing_again(
        client: TestClient, world: World, world_engine: Engine, drawn: Callable[[Any, str], list[int]],
        address: str, module: Any, name: str) -> None:
    calls, headers = drawn(module, name), bearer(client, world, "therapist")

    first = client.get(address.format(w=world), headers=headers)
    audited = _audit_reads(world_engine)
    second = client.get(address.format(w=world), headers=headers)

    assert first.status_code == second.status_code == 200
    assert second.content == first.content and b"<svg" in second.content
    assert len(calls) == 1
    assert _audit_reads(world_engine) > audited  # the kept plot's view is audited all the same


@pytest.mark.parametrize("address, module, name", [PLOTS["progress"], PLOTS["statokinesigram"]],
                         ids=["progress", "statokinesigram"])
def test_no_database_transaction_is_held_while_a_plot_is_drawn(
        client: TestClient, world: World, world_engine: Engine, monkeypatch: pytest.MonkeyPatch,
        drawn: Callable[[Any, str], list[int]], address: str, module: Any, name: str) -> None:
    draw, held = getattr(module, name), []

    def drawing(*args: Any, **kwargs: Any) -> bytes:
        held.append(world_engine.pool.checkedout())  # type: ignore[attr-defined]
        return bytes(draw(*args, **kwargs))
    monkeypatch.setattr(module, name, drawing)

    assert client.get(address.format(w=world), headers=bearer(client, world, "therapist")).status_code == 200
    assert held == [0]


def test_a_changed_goal_draws_the_progress_plot_again(client: TestClient, world: World,
                                                      drawn: Callable[[Any, str], list[int]]) -> None:
    calls, headers = drawn(measures, "progress_svg"), bearer(client, world, "therapist")
    address = f"/episodes/{world.episode}/progress/berg.svg"
    before = client.get(address, headers=headers)

    client.post(f"/episodes/{world.episode}/goals", data={"measure_id": "berg", "target": "52"}, headers=headers)
    after = client.get(address, headers=headers)

    assert len(calls) == 2
    assert after.headers["etag"] != before.headers["etag"] and b"goal 52" in after.content


@pytest.mark.parametrize("persona, status", [("other_therapist", 404), ("other_patient", 404),
                                             ("front_desk", 403)])
def test_a_kept_plot_is_still_refused_to_who_may_not_see_it(client: TestClient, world: World,
                                                            drawn: Callable[[Any, str], list[int]],
                                                            persona: str, status: int) -> None:
    drawn(balance, "statokinesigram_svg")
    address = f"/balance-trials/{world.balance_trial}/statokinesigram.svg"
    assert client.get(address, headers=bearer(client, world, "therapist")).status_code == 200

    refused = client.get(address, headers=bearer(client, world, persona))

    assert refused.status_code == status and b"<svg" not in refused.content


def test_the_key_is_the_etag_a_matching_request_gets_304_and_the_plot_stays_off_the_browsers_disk(
        client: TestClient, world: World, drawn: Callable[[Any, str], list[int]]) -> None:
    calls, headers = drawn(balance, "balance_progress_svg"), bearer(client, world, "therapist")
    address = f"/episodes/{world.episode}/balance.svg"
    first = client.get(address, headers=headers)

    again = client.get(address, headers={**headers, "If-None-Match": first.headers["etag"]})

    assert again.status_code == 304 and again.content == b"" and len(calls) == 1
    assert first.headers["cache-control"] == again.headers["cache-control"] == "private, no-store"


def test_a_key_changes_with_the_kind_and_with_any_value_drawn() -> None:
    key = plot_key("progress", {"scores": [41.0, 45.0]})

    assert plot_key("progress", {"scores": [41.0, 45.0]}) == key
    assert plot_key("progress", {"scores": [41.0, 45.5]}) != key
    assert plot_key("gait", {"scores": [41.0, 45.0]}) != key
    assert plot_key("progress", {"scores": [41.0, 45.0]}, ("reeducate.signals",)) != key


def test_the_folder_keeps_to_its_bound_by_dropping_the_plots_served_longest_ago(tmp_path: Path) -> None:
    cache = PlotCache(tmp_path, max_bytes=3000)
    for n, key in enumerate(("a1", "b2", "c3")):
        cache.put(key * 32, b"x" * 1000)
        os.utime(cache.path(key * 32), (n, n))  # written in this order, a second apart
    assert cache.get("a1" * 32) is not None  # served again: now the most recent

    cache.put("d4" * 32, b"y" * 1000)

    assert [k for k in ("a1", "b2", "c3", "d4") if cache.get(k * 32) is not None] == ["a1", "c3", "d4"]


def test_a_missing_plot_is_drawn_and_kept_atomically(tmp_path: Path) -> None:
    cache = PlotCache(tmp_path)

    assert cache.plot("e5" * 32, lambda: b"<svg/>") == b"<svg/>"

    assert cache.plot("e5" * 32, lambda: pytest.fail("drawn twice")) == b"<svg/>"
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [f"{'e5' * 32}.svg"]
