"""Engine, sessions and column types shared by every model.

Timestamps are stored in UTC (``timestamptz`` on PostgreSQL, naive UTC text on SQLite) and always
come back as timezone-aware UTC datetimes, so that code never compares naive and aware values.
"""

from __future__ import annotations

import enum
import json
import math
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, Enum, MetaData, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every Reeducate table; constraint names are stable across databases."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC; refuses naive datetimes instead of guessing their zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} has no time zone; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_type(enum_cls: type[enum.Enum]) -> Enum:
    """A portable enum column: stored as the members' string values, checked by the database."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=40,
        values_callable=lambda members: [m.value for m in members],
        name=enum_cls.__name__.lower(),
        validate_strings=True,
    )


#: Longest a SQLite transaction waits for its turn to write (s) before it is refused.
SQLITE_WAIT_S = 15.0


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float (NaN, infinity) replaced by None, for JSON.

    JSON has no NaN: SQLite would store the token ``NaN`` that PostgreSQL (and a restore into it)
    refuses, so an unmeasurable number is kept as null, as the engines mean it.
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


def json_text(value: Any) -> str:
    """Strict JSON of ``value``, NaN and infinity as null; the walk that replaces them runs only when there
    is one (a clip's result is large, and a live message is sent many times a second)."""
    try:
        return json.dumps(value, allow_nan=False)
    except ValueError:
        return json.dumps(json_safe(value), allow_nan=False)


class _SerialisedConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions take turns through a lock of this process.

    SQLite lets one transaction write at a time; a transaction that waits for the database lock is
    woken by SQLite's busy handler, which sleeps in steps of up to 100 ms, so under load most of the
    time went to sleeping. Waiting on a lock of the process instead wakes the next transaction the
    moment the last one ends; SQLite's own lock and busy timeout still guard against other processes
    (the command line beside a running server).
    """

    turn: threading.Lock  # one per engine: set on the subclass made by _serialised_by
    holding = False

    def begin_immediate(self) -> None:
        if not self.holding:
            if not self.turn.acquire(timeout=SQLITE_WAIT_S):
                raise sqlite3.OperationalError(f"database is locked: no turn to write within {SQLITE_WAIT_S:.0f} s")
            self.holding = True
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._end_turn()
            raise

    def _end_turn(self) -> None:
        if self.holding:
            self.holding = False
            self.turn.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._end_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._end_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._end_turn()


def _serialised_by(turn: threading.Lock) -> type[_SerialisedConnection]:
    return type("SerialisedConnection", (_SerialisedConnection,), {"turn": turn})


def pool_limit(connections: int) -> int:
    """The most connections an engine made with ``connections`` opens at once: its pool and the overflow
    for bursts (half again, at least 4). What a PostgreSQL server must have room for, per process."""
    return connections + max(4, connections // 2)


def connection_room(engine: Engine) -> int | None:
    """How many connections PostgreSQL lets ordinary roles open at once (``max_connections`` less the
    slots reserved for superusers and, from PostgreSQL 16, for ``pg_use_reserved_connections``); None on
    SQLite, which has no such limit."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        setting = text("SELECT coalesce(current_setting(:name, true), '0')::int")
        limits = [connection.scalar(setting, {"name": name})
                  for name in ("max_connections", "superuser_reserved_connections", "reserved_connections")]
    most, *reserved = (int(value or 0) for value in limits)
    return most - sum(reserved)


def make_engine(url: str, *, connections: int = 5) -> Engine:
    """Create an engine whose pool keeps ``connections`` connections (and a few more for bursts: at most
    :func:`pool_limit` in all).

    SQLite gets foreign keys, WAL journaling, a busy timeout, and transactions that begin with
    ``BEGIN IMMEDIATE``, one at a time in this process (:class:`_SerialisedConnection`): every request
    writes (the audit log records reads too), and a transaction that reads first and writes later fails
    at once ("database is locked") when another writer committed in between; taking the write lock at
    the start makes writers wait their turn instead, so a check followed by an insert (a free slot, the
    next number) sees every earlier commit.
    """
    parsed = make_url(url)
    pool = {"pool_size": connections, "max_overflow": pool_limit(connections) - connections}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        memory = parsed.database in (None, "", ":memory:")
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_WAIT_S, "factory": _serialised_by(threading.Lock())},
            json_serializer=json_text, **({} if memory else pool))

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # the driver's own BEGIN is replaced by the one below
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Connection) -> None:
            connection.connection.dbapi_connection.begin_immediate()  # type: ignore[union-attr]

        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=json_text, **pool)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (for rendering responses)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: committed if the block succeeds, rolled back (nothing stored) if it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
