"""Apply and inspect the schema migrations (one Alembic history for SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, select

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic configuration for ``url`` that needs no ``alembic.ini`` on disk."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


#: The advisory lock every upgrade of a PostgreSQL database holds (an arbitrary, fixed 64-bit key).
UPGRADE_LOCK = 0x5265656475636174  # "Reeducat"


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database up to ``revision`` (idempotent). On PostgreSQL one upgrade runs at a time (machines
    restarted together after an upgrade each run `reeducate run`, which migrates): the others wait, then find
    nothing left to do."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(UPGRADE_LOCK)))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def head_revision() -> str:
    """The newest revision this version of Reeducate knows."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = script.get_current_head()
    assert head is not None, "the migration history is empty"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
