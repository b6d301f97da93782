"""The world a storage test gets is the world the services built once in that kind of database,
copied row for row, with the same next ids."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from reeducate.clinic.db import make_engine
from tests.clinic.test_backup import snapshot
from tests.support import StoredWorld, World


def _sequences(engine: Engine) -> dict[str, int]:
    """PostgreSQL's next-id counters (SQLite gives the largest id plus one: the rows say it all)."""
    if engine.dialect.name == "sqlite":
        return {}
    with engine.connect() as connection:
        return dict(connection.execute(text(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()")).all())


def test_each_test_gets_the_world_as_built_with_the_same_next_ids(engine: Engine, records: World,
                                                                  request: pytest.FixtureRequest) -> None:
    stored: StoredWorld = request.getfixturevalue(f"{engine.dialect.name}_world")
    built = make_engine(stored.url)
    try:
        assert snapshot(engine) == snapshot(built)
        assert _sequences(engine) == _sequences(built)
        assert engine.dialect.name == "sqlite" or _sequences(engine)
    finally:
        built.dispose()
