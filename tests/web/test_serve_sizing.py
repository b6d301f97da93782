"""How many requests each web worker serves at once, so that the workers' connection pools together fit
in what PostgreSQL allows; and why several workers are refused on SQLite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from reeducate.clinic.db import connection_room, make_engine, pool_limit
from reeducate.web.serve import LEFT_FOR_OTHERS, SizingError, sizing
from tests.conftest import POSTGRES_URL
from tests.support import require


def test_one_worker_keeps_the_setting_when_its_pool_fits() -> None:
    web = sizing(1, 24, room=97)
    assert (web.workers, web.requests_per_worker, web.lowered_from) == (1, 24, None)
    assert web.connections == pool_limit(24) == 36


@pytest.mark.parametrize("workers", [2, 3, 4, 6])
def test_the_workers_pools_together_fit_postgresql_with_room_left_for_others(workers: int) -> None:
    web = sizing(workers, 24, room=97, others=9)
    share = (97 - LEFT_FOR_OTHERS - 9) // workers
    assert pool_limit(web.requests_per_worker) <= share and web.connections <= 97 - LEFT_FOR_OTHERS - 9
    assert web.requests_per_worker == 24 or pool_limit(web.requests_per_worker + 1) > share  # the most that fits
    assert web.lowered_from == (None if web.requests_per_worker == 24 else 24)


def test_too_many_workers_for_the_server_are_refused_with_what_to_change() -> None:
    with pytest.raises(SizingError, match="Use fewer workers or raise max_connections"):
        sizing(20, 24, room=97)
    with pytest.raises(SizingError, match="at least 1"):
        sizing(0, 24, room=97)


def test_several_workers_on_sqlite_are_refused_naming_postgresql() -> None:
    assert sizing(1, 24, room=None).requests_per_worker == 24
    with pytest.raises(SizingError, match=r"--workers 2 needs PostgreSQL \(REEDUCATE_DATABASE_URL"):
        sizing(2, 24, room=None)


def test_run_refuses_several_workers_on_sqlite_before_serving(tmp_path: Path) -> None:
    env = {**os.environ, "REEDUCATE_HOME": str(tmp_path), "REEDUCATE_ENVIRONMENT": "development"}
    env.pop("REEDUCATE_DATABASE_URL", None)
    ran = subprocess.run([sys.executable, "-m", "reeducate", "run", "--workers", "2", "--port", "9"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 1
    assert "needs PostgreSQL" in " ".join(ran.stdout.split()), ran.stdout + ran.stderr


@pytest.mark.postgres
def test_the_room_is_postgresqls_max_connections_less_its_reserved_slots() -> None:
    require(bool(POSTGRES_URL), "PostgreSQL",
            "set REEDUCATE_TEST_POSTGRES_URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test")
    engine = make_engine(POSTGRES_URL)
    with engine.connect() as connection:
        most = int(connection.scalar(text("SHOW max_connections")))
        reserved = int(connection.scalar(text("SHOW superuser_reserved_connections")))
    assert connection_room(engine) <= most - reserved
    engine.dispose()
    assert connection_room(make_engine("sqlite://")) is None
