"""Databases for the tests: SQLite always, PostgreSQL when REEDUCATE_TEST_POSTGRES_URL names one.

Storage tests take ``engine`` and run once per database. Templates are migrated (and the worlds
built) once per run, then copied (SQLite) or truncated and filled from the world's schema
(PostgreSQL) for each test.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
from reeducate.example_data import fetch
from tests.support import NOW, StoredWorld, World, build_world, require

POSTGRES_URL = os.environ.get("REEDUCATE_TEST_POSTGRES_URL", "")


LONGEST_FIRST = ("tests/web/test_workers.py", "tests/web/test_plan_of_care_day.py", "tests/web/test_clinic_day.py",
                 "tests/test_production_layout.py", "tests/web/test_browser.py", "tests/web/test_serve.py",
                 "tests/web/test_job_progress.py", "tests/clinic/test_job_workers.py", "tests/test_cli_batch.py",
                 "tests/web/test_home_guided_walk.py", "tests/test_lint.py")
"""The longest tests (a whole episode in a browser: minutes): handed out first, so that on every core the
rest of the suite runs beside them instead of waiting for them at the end. The first needs the seeded demo
(``demo_home``) and the next do not, so one core seeds while the other works. `make test` passes
``--no-loadscope-reorder``: without it xdist hands out its groups (xdist_group) before everything else, largest
first, and this order would decide only among the tests of no group."""


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put :data:`LONGEST_FIRST` at the front, in a stable order that every xdist worker computes alike.

    In an xdist worker handing out groups (``--dist loadgroup``), refuse the run if pytest-xdist (whose hook
    runs before this one) could not mark a test of an ``xdist_group`` with its group: the group's tests would go
    to any worker, each starting the module's servers again (pytest 9.2 with pytest-xdist 3.8 did that without
    a word)."""
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::")[0]
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)
    items.sort(key=rank)
    if not getattr(config.option, "loadgroup", False):
        return
    lost = [item.nodeid for item in items if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
    if lost:
        raise pytest.UsageError(f"pytest-xdist did not group {len(lost)} tests marked xdist_group (the first: "
                                f"{lost[0]}): this pytest and pytest-xdist do not work together; install the "
                                "versions constraints.txt pins (`make test` does).")


@pytest.fixture(scope="session", autouse=True)
def light_password_hashing() -> Iterator[None]:
    """Real argon2id with light parameters: the tests hash dozens of passwords, not one a log-in."""
    original = users._hasher
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    users._hasher = original


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder the `reeducate demo` command seeded (its SQLite database and recordings), once for
    the whole run: the first xdist worker to ask seeds it under a file lock, the others wait and share it.
    Copy it before changing anything in it."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # this run's, for every worker
    home, done = shared / "demo-home", shared / "demo-home.done"
    with (shared / "demo-home.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir()
            env = {**os.environ, "REEDUCATE_HOME": str(home)}
            env.pop("REEDUCATE_DATABASE_URL", None)
            seeded = subprocess.run([sys.executable, "-m", "reeducate", "demo"], env=env, capture_output=True,
                                    text=True, timeout=600)
            assert seeded.returncode == 0, seeded.stdout + seeded.stderr
            (shared / "demo-home.out").write_text(seeded.stdout)
            done.touch()
    return home


@pytest.fixture(scope="session")
def demo_seeding_output(demo_home: Path) -> str:
    """What `reeducate demo` printed when it seeded :func:`demo_home`."""
    return (demo_home.parent / "demo-home.out").read_text()


@pytest.fixture
def frozen() -> Iterator[None]:
    """The world's present (a Wednesday morning in Chicago), with the clock ticking from there."""
    with time_machine.travel(NOW, tick=True):
        yield


def _sqlite(path: Path) -> Engine:
    return make_engine(f"sqlite:///{path}")


def _build_world(engine: Engine, recordings: Path, *, with_video: bool) -> World:
    with time_machine.travel(NOW, tick=False), unit_of_work(make_session_factory(engine)) as session:
        return build_world(session, RecordingStore(recordings), with_video=with_video)


@pytest.fixture(scope="session")
def sqlite_empty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty migrated database, made once."""
    empty = tmp_path_factory.mktemp("empty") / "empty.sqlite3"
    engine = _sqlite(empty)
    migrate.upgrade(engine)
    engine.dispose()
    return empty


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory, sqlite_empty: Path) -> tuple[Path, Path, World]:
    """An empty migrated database and one holding the world with its clip (the web tests'), built once."""
    folder = tmp_path_factory.mktemp("templates")
    empty, world_path = sqlite_empty, folder / "world.sqlite3"
    shutil.copy(empty, world_path)
    engine = _sqlite(world_path)
    world = _build_world(engine, folder / "recordings", with_video=True)
    engine.dispose()
    return empty, world_path, world


@pytest.fixture(scope="session")
def sqlite_world(tmp_path_factory: pytest.TempPathFactory, sqlite_empty: Path) -> StoredWorld:
    """The storage tests' world (no video) in SQLite, built once."""
    folder = tmp_path_factory.mktemp("stored-world")
    shutil.copy(sqlite_empty, folder / "world.sqlite3")
    engine = _sqlite(folder / "world.sqlite3")
    world = _build_world(engine, folder / "recordings", with_video=False)
    engine.dispose()
    return StoredWorld(world, str(folder / "world.sqlite3"), f"sqlite:///{folder / 'world.sqlite3'}",
                       folder / "recordings")


@contextmanager
def _postgres_schema(schema: str) -> Iterator[str]:
    """A private schema in the PostgreSQL test database, migrated (its URL); dropped at the end."""
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


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """The tests' schema in the PostgreSQL test database, migrated once; dropped at the end."""
    if not POSTGRES_URL:
        yield ""
        return
    with _postgres_schema(f"reeducate_test_{os.getpid()}") as url:
        yield url


@pytest.fixture(scope="session")
def postgresql_world(tmp_path_factory: pytest.TempPathFactory, postgres_template: str) -> Iterator[StoredWorld]:
    """The storage tests' world (no video) built once in a schema of its own, which tests copy from."""
    schema = f"reeducate_test_{os.getpid()}_world"
    folder = tmp_path_factory.mktemp("stored-world")
    with _postgres_schema(schema) as url:
        engine = make_engine(url)
        world = _build_world(engine, folder / "recordings", with_video=False)
        engine.dispose()
        yield StoredWorld(world, schema, url, folder / "recordings")


def _empty_all(engine: Engine) -> None:
    """Every row deleted, children first, and the sequences restarted (as TRUNCATE ... RESTART IDENTITY
    does, in a third of the time for so many small tables)."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        sequences = connection.scalars(text(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")).all()
        for name in sequences:
            connection.execute(text(f"ALTER SEQUENCE {name} RESTART"))


DATABASES = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that takes ``engine`` (itself or through another fixture) runs once per kind of database, or on
    those its ``databases`` mark names."""
    if "engine" not in metafunc.fixturenames:
        return
    marked = metafunc.definition.get_closest_marker("databases")
    kinds = marked.args if marked else DATABASES
    unknown = set(kinds) - set(DATABASES)
    assert not unknown, f"{metafunc.definition.nodeid}: no such database {sorted(unknown)}; use {DATABASES}"
    metafunc.parametrize("engine", [pytest.param(k, marks=pytest.mark.postgres) if k == "postgresql" else k
                                    for k in kinds], indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest, tmp_path: Path, sqlite_empty: Path,
           postgres_template: str) -> Iterator[Engine]:
    """An empty, migrated database of the kind the test is parametrized with (:func:`pytest_generate_tests`)."""
    if request.param == "sqlite":
        shutil.copy(sqlite_empty, tmp_path / "db.sqlite3")
        created = _sqlite(tmp_path / "db.sqlite3")
    else:
        require(bool(postgres_template), "PostgreSQL",
                "set REEDUCATE_TEST_POSTGRES_URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test")
        created = make_engine(postgres_template)
        _empty_all(created)
    yield created
    created.dispose()


@pytest.fixture
def world(sqlite_templates: tuple[Path, Path, World]) -> World:
    return sqlite_templates[2]


@pytest.fixture
def example() -> Callable[[str], Path]:
    """``example(name)``: the path of a registered recording; they all live in the repository, so a
    missing or altered one is an error (``ExampleDataMissing`` says which and where it comes from)."""
    return fetch
