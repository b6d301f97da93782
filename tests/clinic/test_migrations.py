"""One migration history serves SQLite and PostgreSQL, and matches the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from reeducate.clinic import migrate
from reeducate.clinic.db import Base


def test_the_database_is_at_the_newest_revision(engine: Engine) -> None:
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_the_migrations_create_exactly_the_tables_and_columns_of_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    assert differences == []
    assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)


def test_upgrading_twice_changes_nothing(engine: Engine) -> None:
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
