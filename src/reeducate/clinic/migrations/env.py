"""Alembic environment: migrates the database named in the Alembic config (set by ``migrate.py``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import reeducate.clinic.models  # noqa: F401  (registers every table)
from reeducate.clinic.db import Base, make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""
if not url:
    raise RuntimeError("no database URL: run migrations through `reeducate db upgrade`")


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
