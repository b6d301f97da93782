"""Storage tests get the world built in the database under test, at the world's frozen time: built
once per kind of database, then copied into each test's database."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.db import Base, make_session_factory
from reeducate.clinic.recording_store import RecordingStore
from tests.support import NOW, StoredWorld, World


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def store(tmp_path: Path) -> RecordingStore:
    return RecordingStore(tmp_path / "recordings")


@pytest.fixture
def records(request: pytest.FixtureRequest, engine: Engine, store: RecordingStore) -> Iterator[World]:
    """The world, stored, with the clock frozen at its present."""
    stored: StoredWorld = request.getfixturevalue(f"{engine.dialect.name}_world")
    stored.copy_into(engine)
    shutil.copytree(stored.recordings, store.root, dirs_exist_ok=True)
    with time_machine.travel(NOW, tick=False):
        yield dataclasses.replace(stored.world, recordings_dir=str(store.root))


def row_counts(factory: sessionmaker[Session]) -> dict[str, int]:
    """Rows per table: the fingerprint that must not change when a request is refused."""
    with factory() as session:
        return {t.name: session.scalar(select(func.count()).select_from(t)) or 0
                for t in Base.metadata.sorted_tables}
