"""The `reeducate` command: demo seeding is idempotent, backup and restore round-trip, users."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from reeducate.cli import app
from reeducate.clinic.db import make_engine
from reeducate.clinic.models import Patient, User
from reeducate.settings import get_settings
from tests.clinic.test_backup import snapshot

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the command at an empty data folder (an embedded SQLite database of its own)."""
    monkeypatch.setenv("REEDUCATE_HOME", str(tmp_path))
    monkeypatch.delenv("REEDUCATE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def demo_dir(data_dir: Path, demo_home: Path) -> Path:
    """The command's data folder holding the seeded demo clinic (its database and recordings)."""
    shutil.copytree(demo_home, data_dir, dirs_exist_ok=True)
    return data_dir


def invoke(*args: str, input: str | None = None) -> str:
    """Run the command; exit code and output with whitespace collapsed (Rich wraps long lines)."""
    result = runner.invoke(app, list(args), input=input)
    return f"exit={result.exit_code} " + " ".join(result.output.split())


@pytest.mark.slow  # the demo's showcase clip goes through MediaPipe
def test_demo_twice_seeds_once_and_prints_the_log_ins(demo_dir: Path, demo_seeding_output: str) -> None:
    """The first `reeducate demo` is the run's own seeding of the demo (``demo_home``); here the second."""
    first = " ".join(demo_seeding_output.split())
    assert "Demo clinic created." in first and "pt@riverside.example" in first
    engine = make_engine(f"sqlite:///{demo_dir / 'reeducate.sqlite3'}")
    before = snapshot(engine)
    second = invoke("demo")
    assert "exit=0" in second and "already present; nothing changed" in second
    assert snapshot(engine) == before


@pytest.mark.slow  # the demo's showcase clip goes through MediaPipe
def test_backup_then_restore_gives_back_the_same_records(demo_dir: Path) -> None:
    data_dir = demo_dir
    engine = make_engine(f"sqlite:///{data_dir / 'reeducate.sqlite3'}")
    assert "exit=0" in invoke("backup", str(data_dir / "b.json.gz"))
    before = snapshot(engine)
    assert "exit=0" in invoke("restore", str(data_dir / "b.json.gz"), "--yes")
    after = snapshot(engine)
    assert after["patients"] == before["patients"] and after["appointments"] == before["appointments"]
    assert after["audit_events"][:-1] == before["audit_events"]


@pytest.mark.slow  # the demo's showcase clip goes through MediaPipe
def test_restore_of_a_missing_or_bad_file_fails_clearly_and_changes_nothing(demo_dir: Path) -> None:
    data_dir = demo_dir
    engine = make_engine(f"sqlite:///{data_dir / 'reeducate.sqlite3'}")
    before = snapshot(engine)
    missing = invoke("restore", str(data_dir / "nope.json.gz"), "--yes")
    assert "exit=1" in missing and "does not exist" in missing
    (data_dir / "bad.json.gz").write_bytes(b"\x1f\x8b\x08garbage")
    bad = invoke("restore", str(data_dir / "bad.json.gz"), "--yes")
    assert "exit=1" in bad and "not a complete Reeducate backup" in bad
    assert snapshot(engine) == before


@pytest.mark.slow  # the demo's showcase clip goes through MediaPipe
def test_restore_asks_before_replacing_records(demo_dir: Path) -> None:
    data_dir = demo_dir
    invoke("backup", str(data_dir / "b.json.gz"))
    declined = invoke("restore", str(data_dir / "b.json.gz"), input="n\n")
    assert "exit=1" in declined and "nothing changed" in declined


@pytest.mark.slow  # the demo's showcase clip goes through MediaPipe
def test_user_create_adds_a_clinician_and_refuses_a_short_password(demo_dir: Path) -> None:
    data_dir = demo_dir
    made = invoke("user", "create", "--email", "new.pt@riverside.example", "--name", "Kim Lee",
                  "--role", "physical_therapist", "--clinic", "riverside-demo", "--credentials", "PT",
                  input="long enough password\nlong enough password\n")
    assert "exit=0" in made and "Created physical therapist new.pt@riverside.example" in made
    short = invoke("user", "create", "--email", "x@riverside.example", "--name", "X", "--role", "front_desk",
                   "--clinic", "riverside-demo", input="short\nshort\n")
    assert "exit=1" in short and "use at least 15 characters; a few unrelated words work well" in short
    unknown = invoke("user", "create", "--email", "y@riverside.example", "--name", "Y", "--role", "admin",
                     "--clinic", "nowhere", input="long enough password\nlong enough password\n")
    assert "exit=1" in unknown and "No clinic 'nowhere'; clinics: riverside-demo" in unknown
    engine = make_engine(f"sqlite:///{data_dir / 'reeducate.sqlite3'}")
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(User).where(User.email.like("%x@%"))) == 0
        assert connection.scalar(select(func.count()).select_from(Patient)) == 13  # the demo patients, the discharged one included


def test_db_upgrade_reports_the_revision(data_dir: Path) -> None:
    assert "upgraded from empty to" in invoke("db", "upgrade")
    assert "is up to date" in invoke("db", "upgrade")
