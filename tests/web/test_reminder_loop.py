"""The reminder sender beside the server: its rounds send through the SMTP server, a failed round is
logged and the next one runs, and `reeducate run`'s app starts and stops it with itself (only when an
SMTP server is set)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reeducate.clinic.access import Actor
from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import User
from reeducate.clinic.services import reminders
from reeducate.clinic.services.reminders import ReminderChoice
from reeducate.web import reminder_loop
from reeducate.web.app import create_app
from reeducate.web.reminder_loop import ReminderLoop
from tests.mail import FROM, smtp_server
from tests.support import World, local
from tests.web.conftest import settings_for_tests
from tests.web.test_reminder_pages import prescribed_on_wednesdays


def test_a_round_sends_what_is_due_and_remembers_rest_days(world_engine: Engine, world: World) -> None:
    prescribed_on_wednesdays(world_engine, world)  # Wednesdays
    sessions = make_session_factory(world_engine)
    with unit_of_work(sessions) as session:
        reminder = reminders.choose(session, Actor.of(session.get_one(User, world.user_ids["patient"])),
                                    ReminderChoice(email="me@home.example", at_local="10:00"), now=local(-1, 12))
        reminder_id = reminder.id
    with smtp_server() as (mailer, inbox):
        loop = ReminderLoop(sessions, mailer, "https://alpha.example")
        with time_machine.travel(local(0, 10, 0), tick=False):
            assert loop.round().sent == [reminder_id]
        with time_machine.travel(local(1, 10, 0), tick=False):  # Thursday
            assert loop.round().sent == [] and (reminder_id, local(1, 0).date()) in loop.settled
        with time_machine.travel(local(4, 10, 0), tick=False):  # three days on: Thursday forgotten
            loop.round()
            assert (reminder_id, local(1, 0).date()) not in loop.settled
    assert len(inbox.messages) == 1


def test_a_failed_round_is_logged_and_the_next_one_runs(monkeypatch: pytest.MonkeyPatch,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    rounds = []

    class Failing(ReminderLoop):
        def round(self) -> reminders.SendReport:
            rounds.append(1)
            if len(rounds) == 1:
                raise RuntimeError("database busy")
            return reminders.SendReport()

    monkeypatch.setattr(reminder_loop, "ROUND_EVERY_S", 0.05)

    async def run_a_while() -> None:
        task = asyncio.create_task(Failing(None, None, "").run())  # type: ignore[arg-type]
        await asyncio.sleep(0.4)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    with caplog.at_level(logging.ERROR, logger="reeducate.web.reminder_loop"):
        asyncio.run(run_a_while())
    assert len(rounds) >= 2 and "the reminder round failed" in caplog.text and "database busy" in caplog.text


def test_the_served_app_runs_the_sender_only_with_an_smtp_server(tmp_path: Path, world_engine: Engine) -> None:
    with smtp_server() as (mailer, _):
        settings = settings_for_tests(tmp_path, smtp_host=mailer.host, smtp_port=mailer.port, smtp_security="none",
                                      smtp_from=FROM, public_url="https://alpha.example")
        for sends, expected in ((True, 1), (False, 0)):
            app = create_app(settings, world_engine, send_reminders=sends)
            with TestClient(app) as client:
                assert client.get("/healthz").status_code == 200
                running = client.portal.call(_sender_tasks)  # type: ignore[union-attr]
                assert running == expected
    app = create_app(settings_for_tests(tmp_path), world_engine, send_reminders=True)  # no SMTP server: none
    with TestClient(app) as client:
        assert client.portal.call(_sender_tasks) == 0  # type: ignore[union-attr]


async def _sender_tasks() -> int:
    return sum(1 for task in asyncio.all_tasks() if "ReminderLoop.run" in repr(task.get_coro()))
