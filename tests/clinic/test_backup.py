"""A backup restores to exactly the same records, on either database; a bad file changes nothing; the
file is its owner's only and strict JSON, so a NaN kept on SQLite restores into PostgreSQL."""

from __future__ import annotations

import gzip
import json
import math
import os
import shutil
import stat
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from reeducate.clinic import backup
from reeducate.clinic.access import Actor
from reeducate.clinic.db import Base, make_engine, unit_of_work
from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.models import AuditEvent, BalanceTrial, User
from reeducate.clinic.schemas import PatientCreate
from reeducate.clinic.services import patients
from reeducate.clinic.vocabulary import AuditAction, Sex
from tests.support import StoredWorld, World


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, as plain tuples."""
    with engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in connection.execute(
                select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
        }


def test_a_restore_gives_back_exactly_the_same_records(engine: Engine, records: World, tmp_path: Path) -> None:
    path = tmp_path / "backup.json.gz"
    summary = backup.backup(engine, path)
    before = snapshot(engine)
    assert summary.rows["patients"] == 3 and summary.rows["audit_events"] == len(before["audit_events"])
    with engine.begin() as connection:  # damage the live data after the backup
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    backup.restore(engine, path)
    after = snapshot(engine)
    restored_audit, restore_row = after["audit_events"][:-1], after["audit_events"][-1]
    assert {k: v for k, v in after.items() if k != "audit_events"} == {
        k: v for k, v in before.items() if k != "audit_events"}
    assert restored_audit == before["audit_events"]
    with engine.connect() as connection:
        last = connection.execute(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert last.action is AuditAction.RESTORE and last.id == restore_row[0]


def test_new_records_after_a_restore_get_fresh_ids(engine: Engine, records: World, tmp_path: Path) -> None:
    path = tmp_path / "backup.json.gz"
    backup.backup(engine, path)
    backup.restore(engine, path)
    backup.backup(engine, tmp_path / "again.json.gz")  # writes an audit row: its id must not collide


def test_the_counters_come_back_with_the_records(engine: Engine, records: World, factory, tmp_path: Path) -> None:
    def register() -> str:
        with unit_of_work(factory) as session:
            desk = Actor.of(session.get_one(User, records.user_ids["front_desk"]))
            return patients.create(session, desk, PatientCreate(
                first_name="Nina", last_name="Next", date_of_birth="1970-03-02", sex=Sex.FEMALE)).mrn

    path = tmp_path / "backup.json.gz"
    backup.backup(engine, path)
    assert register() == "MRN000003"
    backup.restore(engine, path)
    assert register() == "MRN000003"  # the patient who had it is not in the backup: the number is free


@pytest.mark.parametrize("damage", ["truncated", "not gzip", "other json"])
def test_a_bad_backup_file_is_refused_and_changes_nothing(engine: Engine, records: World, tmp_path: Path,
                                                          damage: str) -> None:
    good = tmp_path / "good.json.gz"
    backup.backup(engine, good)
    bad = tmp_path / "bad.json.gz"
    if damage == "truncated":
        bad.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    elif damage == "not gzip":
        bad.write_text("patient,notes\n1,hello\n")
    else:
        bad.write_bytes(gzip.compress(b'{"format": "something-else"}'))
    before = snapshot(engine)
    with pytest.raises(InvalidInput):
        backup.restore(engine, bad)
    assert snapshot(engine) == before


def test_a_backup_is_readable_by_its_owner_only_even_where_an_older_one_was_not(engine: Engine,
                                                                             tmp_path: Path) -> None:
    path = tmp_path / "backup.json.gz"
    for older in (path, tmp_path / "backup.json.gz.partial"):  # a readable backup, a crashed run's leftover
        older.write_bytes(b"older")
        older.chmod(0o644)
    umask = os.umask(0)  # the mode is given when the file is created, not left to the umask
    try:
        backup.backup(engine, path)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert backup.read_backup(path)["format"] == backup.FORMAT


def _refuse(constant: str) -> None:
    raise AssertionError(f"the backup holds {constant}, which is not JSON")


def test_a_sqlite_backup_holding_a_nan_restores_into_either_database(
    engine: Engine, sqlite_empty: Path, sqlite_world: StoredWorld, tmp_path: Path
) -> None:
    shutil.copy(sqlite_empty, tmp_path / "source.sqlite3")
    source = make_engine(f"sqlite:///{tmp_path / 'source.sqlite3'}")
    sqlite_world.copy_into(source)
    with source.begin() as connection:  # as an analysis result kept a NaN on SQLite, which allows it
        connection.execute(text("UPDATE balance_trials SET result = :result, mean_velocity_cm_s = :speed "
                                "WHERE id = :id"),
                           {"result": '{"sway": NaN, "peaks": [1.5, Infinity, -Infinity]}',
                            "speed": math.inf, "id": sqlite_world.world.balance_trial})
    path = tmp_path / "backup.json.gz"
    backup.backup(source, path)
    source.dispose()
    json.loads(gzip.decompress(path.read_bytes()), parse_constant=_refuse)
    backup.restore(engine, path)
    with engine.connect() as connection:
        trial = connection.execute(select(BalanceTrial.__table__)
                                   .where(BalanceTrial.id == sqlite_world.world.balance_trial)).one()
    assert trial.result == {"sway": None, "peaks": [1.5, None, None]} and trial.mean_velocity_cm_s == math.inf
