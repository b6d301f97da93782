"""The reminder rounds the job workers run each minute: a round sends through the SMTP server and remembers
rest days, a failed round is logged and the next one runs, and a worker's queue runs the round as a
Huey periodic task every minute (only when an SMTP server is set)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine

from reeducate.clinic.access import Actor
from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import User
from reeducate.clinic.queue import JobQueue
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.reminder_rounds import ReminderRounds
from reeducate.clinic.services import reminders
from reeducate.clinic.services.reminders import ReminderChoice
from tests.mail import smtp_server
from tests.support import World, local
from tests.web.test_reminder_pages import prescribed_on_wednesdays


def _chosen(world_engine: Engine, world: World) -> int:
    prescribed_on_wednesdays(world_engine, world)  # Wednesdays
    with unit_of_work(make_session_factory(world_engine)) as session:
        reminder = reminders.choose(session, Actor.of(session.get_one(User, world.user_ids["patient"])),
                                    ReminderChoice(email="me@home.example", at_local="10:00"), now=local(-1, 12))
        return reminder.id


def test_a_round_sends_what_is_due_and_remembers_rest_days(world_engine: Engine, world: World) -> None:
    reminder_id = _chosen(world_engine, world)
    with smtp_server() as (mailer, inbox):
        rounds = ReminderRounds(make_session_factory(world_engine), mailer, "https://alpha.example")
        with time_machine.travel(local(0, 10, 0), tick=False):
            assert rounds.round().sent == [reminder_id]
        with time_machine.travel(local(1, 10, 0), tick=False):  # Thursday
            assert rounds.round().sent == [] and (reminder_id, local(1, 0).date()) in rounds.settled
        with time_machine.travel(local(4, 10, 0), tick=False):  # three days on: Thursday forgotten
            rounds.round()
            assert (reminder_id, local(1, 0).date()) not in rounds.settled
    assert len(inbox.messages) == 1


def test_a_failed_round_is_logged_and_the_next_one_runs(caplog: pytest.LogCaptureFixture) -> None:
    rounds = []

    class Failing(ReminderRounds):
        def round(self) -> reminders.SendReport:
            rounds.append(1)
            if len(rounds) == 1:
                raise RuntimeError("database busy")
            return reminders.SendReport()

    failing = Failing(None, None, "")  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="reeducate.clinic.reminder_rounds"):
        failing.run_logged()
        failing.run_logged()
    assert len(rounds) == 2 and "the reminder round failed" in caplog.text and "database busy" in caplog.text


def test_the_workers_queue_runs_the_round_every_minute(tmp_path: Path, world_engine: Engine, world: World) -> None:
    reminder_id = _chosen(world_engine, world)
    sessions = make_session_factory(world_engine)
    queue = JobQueue(f"sqlite:///{tmp_path / 'jobs.sqlite3'}", sessions, RecordingStore(tmp_path / "r"), 30.0)
    with smtp_server() as (mailer, inbox):
        queue.every_minute("reeducate.send_reminders", ReminderRounds(sessions, mailer, "https://alpha.example").run_logged)
        with time_machine.travel(local(0, 10, 0), tick=False):
            due = queue.huey.read_periodic(local(0, 10, 0).replace(tzinfo=None))  # what the consumer's scheduler queues
            assert [task.name for task in due] == ["reeducate.send_reminders"]
            queue.huey.execute(due[0])
        with time_machine.travel(local(0, 10, 1), tick=False):
            assert [task.name for task in queue.huey.read_periodic(local(0, 10, 1).replace(tzinfo=None))] == \
                ["reeducate.send_reminders"]
    assert len(inbox.messages) == 1 and reminder_id
