"""Backup and restore of every record, in a portable file (gzip'd JSON, one list of rows per table).

The file does not depend on the database kind, so a SQLite backup restores into PostgreSQL and back.
It is strict JSON: a non-finite number inside a stored JSON document (a NaN in an analysis result)
is written as null, as JSON has no NaN and PostgreSQL refuses one in a json value; a float column's
own NaN or infinity is written as its name ("nan", "inf", "-inf") and read back exactly. The file
holds every record and password hash, so it is created readable by its owner only (mode 0600).
A restore replaces all records in one transaction: a bad file (truncated, another format, another
schema revision) is refused before anything is changed.
"""

from __future__ import annotations

import enum
import gzip
import json
import math
import os
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    Engine,
    Enum,
    Float,
    Numeric,
    Table,
    Time,
    delete,
    func,
    insert,
    select,
    text,
)

import reeducate.clinic.models  # noqa: F401  (registers every table)
from reeducate.clinic import migrate
from reeducate.clinic.access import Actor
from reeducate.clinic.audit_log import record
from reeducate.clinic.db import Base, make_session_factory, unit_of_work, utcnow
from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.vocabulary import AuditAction

FORMAT = "reeducate-backup"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class BackupSummary:
    """What a backup file holds: schema revision, time written, and rows per table."""

    path: Path
    revision: str
    created_at: str
    rows: dict[str, int]


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


FILE_MODE = 0o600
"""Owner read and write only: a backup holds every record and password hash."""


def _finite(document: Any) -> Any:
    """A JSON column's document with every non-finite number made null (JSON has none)."""
    if isinstance(document, float) and not math.isfinite(document):
        return None
    if isinstance(document, dict):
        return {key: _finite(value) for key, value in document.items()}
    if isinstance(document, list):
        return [_finite(value) for value in document]
    return document


def _to_json(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # "nan", "inf", "-inf": float() reads them back
    if isinstance(value, (dict, list)):
        return _finite(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)  # money: exact, never a float
    return value


def _from_json(column_type: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column_type, Enum) and column_type.enum_class is not None:
        return column_type.enum_class(value)
    if isinstance(column_type, DateTime) or isinstance(getattr(column_type, "impl", None), DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    if isinstance(column_type, Time):
        return time.fromisoformat(value)
    if isinstance(column_type, Numeric) and not isinstance(column_type, Float):
        return Decimal(value)
    if isinstance(column_type, Float) and isinstance(value, str):
        return float(value)
    return value


def backup(engine: Engine, path: Path) -> BackupSummary:
    """Write every record to ``path`` (created with mode 0600, then renamed over any older file); the
    backup is itself recorded in the audit log first."""
    with unit_of_work(make_session_factory(engine)) as session:
        record(session, Actor.system("backup"), AuditAction.EXPORT, "database", detail=f"backup to {path.name}")
    revision = migrate.current_revision(engine)
    tables: dict[str, list[dict[str, Any]]] = {}
    # One snapshot for every table (PostgreSQL's REPEATABLE READ; SQLite's one read transaction already is):
    # a backup taken while the clinic works never holds a row whose parent was written after its table was read.
    snapshot = engine.execution_options(isolation_level="REPEATABLE READ") \
        if engine.dialect.name == "postgresql" else engine
    with snapshot.connect() as connection, connection.begin():
        for table in _tables():
            rows = connection.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            tables[table.name] = [{k: _to_json(v) for k, v in row.items()} for row in rows]
    created_at = utcnow().isoformat()
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "revision": revision,
        "created_at": created_at,
        "tables": tables,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)  # a stale one keeps its mode; O_EXCL also refuses a planted link
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(descriptor, "wb") as raw, gzip.open(raw, "wt", encoding="utf-8") as handle:
        json.dump(document, handle, separators=(",", ":"), allow_nan=False)
    partial.replace(path)
    return BackupSummary(path, str(revision), created_at, {k: len(v) for k, v in tables.items()})


def read_backup(path: Path) -> dict[str, Any]:
    """Load and check a backup file; raises :class:`InvalidInput` naming what is wrong."""
    if not path.is_file():
        raise InvalidInput(f"{path} does not exist; give the path of a file made by `reeducate backup`.")
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(
            f"{path} is not a complete Reeducate backup ({error.__class__.__name__}: {error}); "
            "it may be truncated: use another copy."
        ) from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InvalidInput(f"{path} is not a Reeducate backup (no '{FORMAT}' header).")
    if document.get("format_version") != FORMAT_VERSION:
        raise InvalidInput(
            f"{path} is backup format {document.get('format_version')}; this version reads format "
            f"{FORMAT_VERSION}."
        )
    known = {t.name for t in _tables()}
    if set(document.get("tables", {})) != known:
        raise InvalidInput(f"{path} does not hold the tables of this schema; it cannot be restored.")
    return document


def restore(engine: Engine, path: Path) -> BackupSummary:
    """Replace all records with those of the backup at ``path`` (same schema revision only)."""
    document = read_backup(path)
    migrate.upgrade(engine)
    head = migrate.head_revision()
    if document["revision"] != head:
        raise InvalidInput(
            f"{path} was written at schema revision {document['revision']}; this version of "
            f"Reeducate is at {head}. Restore it with the version that wrote it, then upgrade."
        )
    tables = _tables()
    with engine.begin() as connection:
        for table in reversed(tables):
            connection.execute(delete(table))
        for table in tables:
            rows = [
                {name: _from_json(table.c[name].type, value) for name, value in row.items()}
                for row in document["tables"][table.name]
            ]
            if rows:
                connection.execute(insert(table), rows)
        if connection.dialect.name == "postgresql":
            for table in (t for t in tables if "id" in t.c):  # counters are keyed by their series
                connection.execute(
                    text("SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                         "COALESCE((SELECT max(id) FROM " + table.name + "), 0) + 1, false)"),
                    {"t": table.name},
                )
    with unit_of_work(make_session_factory(engine)) as session:
        record(session, Actor.system("restore"), AuditAction.RESTORE, "database",
               detail=f"restored {path.name} written {document['created_at']}")
    return BackupSummary(path, document["revision"], document["created_at"],
                         {k: len(v) for k, v in document["tables"].items()})


def count_records(engine: Engine) -> int:
    """How many rows the database holds in all (to warn before a restore replaces them)."""
    with engine.connect() as connection:
        return sum(connection.scalar(select(func.count()).select_from(t)) or 0 for t in _tables())
