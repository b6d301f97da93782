"""`reeducate reminders send`: the reminders due at a moment, e-mailed to a real SMTP server, each once;
refused, saying why, without an SMTP server or with a moment it cannot read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reeducate.cli import app
from reeducate.clinic.access import Actor
from reeducate.clinic.db import make_engine, make_session_factory, unit_of_work
from reeducate.clinic.models import User
from reeducate.clinic.services import home_programmes, reminders
from reeducate.clinic.services.home_programmes import HomeItemInput, HomeProgrammeInput
from reeducate.clinic.services.reminders import ReminderChoice
from reeducate.settings import get_settings
from tests.mail import FROM, Inbox, free_port, smtp_server
from tests.support import NOW, StoredWorld, copy_sqlite, local

runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    return f"exit={result.exit_code} " + " ".join(result.output.split())


@pytest.fixture
def home(tmp_path: Path, sqlite_world: StoredWorld, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data folder holding the world, with the patient's reminder at 10:00 on a Wednesday programme."""
    copy_sqlite(Path(sqlite_world.database), tmp_path / "reeducate.sqlite3")
    engine = make_engine(f"sqlite:///{tmp_path / 'reeducate.sqlite3'}")
    world = sqlite_world.world
    with unit_of_work(make_session_factory(engine)) as session:
        therapist = Actor.of(session.get_one(User, world.user_ids["therapist"]))
        home_programmes.prescribe(session, therapist, world.episode, HomeProgrammeInput(starts_on=NOW.date(), items=[
            HomeItemInput(exercise_id="mini-squat", monitor="camera-side", side="left", sets=2, reps=10,
                          weekdays=[3])]))
        reminders.choose(session, Actor.of(session.get_one(User, world.user_ids["patient"])),
                         ReminderChoice(email="penny@home.example", at_local="10:00"), now=local(-1, 12))
    engine.dispose()
    monkeypatch.setenv("REEDUCATE_HOME", str(tmp_path))
    for name in ("DATABASE_URL", "SMTP_HOST", "SMTP_FROM", "PUBLIC_URL", "SMTP_USER"):
        monkeypatch.delenv(f"REEDUCATE_{name}", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def smtp(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with smtp_server() as (mailer, inbox):
        for name, value in (("HOST", mailer.host), ("PORT", str(mailer.port)), ("SECURITY", "none"), ("FROM", FROM)):
            monkeypatch.setenv(f"REEDUCATE_SMTP_{name}", value)
        monkeypatch.setenv("REEDUCATE_PUBLIC_URL", "https://alpha.example")
        get_settings.cache_clear()
        yield inbox


def test_it_sends_the_reminders_due_once(smtp: Inbox) -> None:
    assert invoke("reminders", "send", "--now", "2026-11-25T09:59-06:00") == "exit=0 Sent 0 reminders."
    assert invoke("reminders", "send", "--now", "2026-11-25T10:00-06:00") == "exit=0 Sent 1 reminder."
    assert invoke("reminders", "send", "--now", "2026-11-25T16:00Z") == "exit=0 Sent 0 reminders."
    assert len(smtp.messages) == 1 and smtp.messages[0]["To"] == "penny@home.example"


def test_it_says_why_it_cannot_send(home: Path) -> None:
    out = invoke("reminders", "send")
    assert out.startswith("exit=2") and "no SMTP server is set" in out and "REEDUCATE_SMTP_HOST" in out


@pytest.mark.parametrize(("moment", "why"), [("tomorrow", "not an ISO 8601 moment"), ("2026-11-25T10:00", "no offset")])
def test_it_refuses_a_moment_it_cannot_read(smtp: Inbox, moment: str, why: str) -> None:
    out = invoke("reminders", "send", "--now", moment)
    assert out.startswith("exit=2") and why in out and smtp.messages == []


def test_an_unreachable_smtp_server_sends_nothing_and_says_so(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("SMTP_HOST", "127.0.0.1"), ("SMTP_PORT", str(free_port())), ("SMTP_SECURITY", "none"),
                        ("SMTP_FROM", FROM), ("PUBLIC_URL", "https://alpha.example")):
        monkeypatch.setenv(f"REEDUCATE_{name}", value)
    get_settings.cache_clear()
    out = invoke("reminders", "send", "--now", "2026-11-25T10:00-06:00")
    assert out.startswith("exit=2") and "cannot reach the SMTP server" in out and "stay due" in out


@pytest.mark.parametrize("command", [("reminders", "send"), ("worker",)])
def test_plain_smtp_to_another_machine_is_refused_outside_development(
        home: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]) -> None:
    """The job workers and this command e-mail patients: they refuse what the server refuses to start with."""
    for name, value in (("ENVIRONMENT", "production"), ("SECRET_KEY", "k" * 40), ("SMTP_HOST", "mail.example.org"),
                        ("SMTP_SECURITY", "none"), ("SMTP_FROM", FROM), ("PUBLIC_URL", "https://alpha.example")):
        monkeypatch.setenv(f"REEDUCATE_{name}", value)
    get_settings.cache_clear()
    out = invoke(*command)
    assert out.startswith(("exit=1", "exit=2")) and "unencrypted" in out, out
