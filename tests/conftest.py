"""Databases for the tests: SQLite always, PostgreSQL when REEDUCATE_TEST_POSTGRES_URL names one.

Storage tests take ``engine`` and run once per database. Templates are migrated (and the world
built) once per run, then copied (SQLite) or truncated (PostgreSQL) for each test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import time_machine
from argon2 import PasswordHasher
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from reeducate.clinic import migrate
from reeducate.clinic.db import Base, make_engine, make_session_factory, unit_of_work
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import users
from reeducate.example_data import ExampleDataMissing, fetch
from tests.support import NOW, World, build_world, require

POSTGRES_URL = os.environ.get("REEDUCATE_TEST_POSTGRES_URL", "")


@pytest.fixture(scope="session", autouse=True)
def light_password_hashing() -> Iterator[None]:
    """Real argon2id with light parameters: the tests hash dozens of passwords, not one a log-in."""
    original = users._hasher
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    users._hasher = original


@pytest.fixture
def frozen() -> Iterator[None]:
    """The world's present (a Wednesday morning in Chicago), with the clock ticking from there."""
    with time_machine.travel(NOW, tick=True):
        yield


def _sqlite(path: Path) -> Engine:
    return make_engine(f"sqlite:///{path}")


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, World]:
    """An empty migrated database and one holding the world, built once."""
    folder = tmp_path_factory.mktemp("templates")
    empty, world_path = folder / "empty.sqlite3", folder / "world.sqlite3"
    engine = _sqlite(empty)
    migrate.upgrade(engine)
    engine.dispose()
    shutil.copy(empty, world_path)
    engine = _sqlite(world_path)
    store = RecordingStore(folder / "recordings")
    with time_machine.travel(NOW, tick=False), unit_of_work(make_session_factory(engine)) as session:
        world = build_world(session, store, with_video=True)
    engine.dispose()
    return empty, world_path, world


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A private schema in the PostgreSQL test database, migrated once; dropped at the end."""
    if not POSTGRES_URL:
        yield ""
        return
    schema = f"reeducate_test_{os.getpid()}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    engine = make_engine(rendered)
    migrate.upgrade(engine)
    engine.dispose()
    yield rendered
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def _truncate_all(engine: Engine) -> None:
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path, sqlite_templates: tuple[Path, Path, World],
           postgres_template: str) -> Iterator[Engine]:
    """An empty, migrated database of each kind."""
    if request.param == "sqlite":
        shutil.copy(sqlite_templates[0], tmp_path / "db.sqlite3")
        created = _sqlite(tmp_path / "db.sqlite3")
    else:
        require(bool(postgres_template), "PostgreSQL",
                "set REEDUCATE_TEST_POSTGRES_URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test")
        created = make_engine(postgres_template)
        _truncate_all(created)
    yield created
    created.dispose()


@pytest.fixture
def world(sqlite_templates: tuple[Path, Path, World]) -> World:
    return sqlite_templates[2]


@pytest.fixture
def example() -> Callable[[str], Path]:
    """``example(name)``: the path of a registered recording; skipped here, failed in CI, if absent."""

    def find(name: str) -> Path:
        try:
            return fetch(name)
        except ExampleDataMissing as missing:
            require(False, name, str(missing))
            raise

    return find
