"""Storage tests build the world in the database under test, at the world's frozen time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.db import Base, make_session_factory, unit_of_work
from reeducate.clinic.recording_store import RecordingStore
from tests.support import NOW, World, build_world


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def store(tmp_path: Path) -> RecordingStore:
    return RecordingStore(tmp_path / "recordings")


@pytest.fixture
def records(factory: sessionmaker[Session], store: RecordingStore) -> Iterator[World]:
    """The world, stored, with the clock frozen at its present."""
    with time_machine.travel(NOW, tick=False):
        with unit_of_work(factory) as session:
            world = build_world(session, store)
        yield world


def row_counts(factory: sessionmaker[Session]) -> dict[str, int]:
    """Rows per table: the fingerprint that must not change when a request is refused."""
    with factory() as session:
        return {t.name: session.scalar(select(func.count()).select_from(t)) or 0
                for t in Base.metadata.sorted_tables}
