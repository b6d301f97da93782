"""Exercise reminders by e-mail: the patient's choice, when one is due (to the minute), the e-mail that
reaches a real SMTP server (what it says, and only what the patient allowed), sending once whoever
else sends, and unsubscribing by the link."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Forbidden, NotFound
from reeducate.clinic.mailer import MailError, SmtpMailer
from reeducate.clinic.models import AuditEvent, HomeReminder, User
from reeducate.clinic.services import home_programmes, reminders
from reeducate.clinic.services.home_programmes import HomeItemInput, HomeProgrammeInput
from reeducate.clinic.services.reminders import ReminderChoice
from reeducate.clinic.vocabulary import AuditAction
from tests.mail import Inbox, body, free_port, mailer_for, smtp_server
from tests.support import NOW, World, local

TODAY = NOW.date()  # a Wednesday
PUBLIC_URL = "https://alpha.example"
SQUAT = {"exercise_id": "mini-squat", "monitor": "camera-side", "side": "left", "sets": 2, "reps": 10,
         "weekdays": [1, 3, 5]}  # Monday, Wednesday, Friday


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def prescribe(factory: sessionmaker[Session], world: World, *, starts_on: date = TODAY, ends_on: date | None = None,
              weekdays: tuple[int, ...] = (1, 3, 5)) -> None:
    with unit_of_work(factory) as session:
        home_programmes.prescribe(session, actor(session, world, "therapist"), world.episode, HomeProgrammeInput(
            starts_on=starts_on, ends_on=ends_on,
            items=[HomeItemInput.model_validate({**SQUAT, "weekdays": list(weekdays)})]))


def choose(factory: sessionmaker[Session], world: World, *, at: str = "10:00", names: bool = False,
           enabled: bool = True, when: datetime | None = None) -> HomeReminder:
    """The patient's choice, made yesterday afternoon unless ``when`` says otherwise."""
    with unit_of_work(factory) as session:
        reminder = reminders.choose(session, actor(session, world, "patient"), ReminderChoice(
            enabled=enabled, email="penny@home.example", at_local=at, name_exercises=names), now=when or local(-1, 15))
        session.expunge(reminder)
        return reminder


def due_ids(factory: sessionmaker[Session], now: datetime) -> list[int]:
    with unit_of_work(factory) as session:
        return [r.reminder_id for r in reminders.due(session, now)]


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpMailer, Inbox]]:
    with smtp_server() as running:
        yield running


def test_the_choice_is_validated_with_clear_words() -> None:
    with pytest.raises(ValidationError, match="hours and minutes"):
        ReminderChoice(email="penny@home.example", at_local="25:00")
    with pytest.raises(ValidationError, match="hours and minutes"):
        ReminderChoice(email="penny@home.example", at_local="9am")
    with pytest.raises(ValidationError, match="email address"):
        ReminderChoice(email="penny.home.example", at_local="09:00")
    assert ReminderChoice(email="penny@home.example", at_local="07:05:00").at_local == "07:05"


def test_only_the_patient_chooses_and_the_page_suggests_their_e_mail(factory: sessionmaker[Session],
                                                                     records: World) -> None:
    with unit_of_work(factory) as session:
        patient = actor(session, records, "patient")
        suggested = reminders.state(session, patient)
        assert not suggested.saved and suggested.choice.email == "patient@example.org"  # no e-mail on the record
        assert suggested.choice.at_local == reminders.DEFAULT_TIME and suggested.first_name == "Penny"
        with pytest.raises(Forbidden):
            reminders.choose(session, actor(session, records, "therapist"),
                             ReminderChoice(email="x@home.example", at_local="09:00"))
    first = choose(factory, records, names=True)
    again = choose(factory, records, at="18:30")
    assert again.id == first.id and again.token == first.token and again.at_local == "18:30"
    with unit_of_work(factory) as session:
        changes = session.scalars(select(AuditEvent.changes).where(AuditEvent.resource_type == "home_reminder",
                                                                   AuditEvent.action == AuditAction.UPDATE)).one()
        assert changes == {"at_local": ["10:00", "18:30"], "name_exercises": [True, False]}


def test_a_reminder_is_due_from_its_minute_on_exercise_days_only(factory: sessionmaker[Session],
                                                                   records: World) -> None:
    prescribe(factory, records)
    reminder = choose(factory, records, at="10:00")
    assert due_ids(factory, local(0, 9, 59)) == []  # a minute before
    assert due_ids(factory, local(0, 10, 0)) == [reminder.id]  # at
    assert due_ids(factory, local(0, 10, 1)) == [reminder.id]  # after
    assert due_ids(factory, local(0, 23, 59)) == [reminder.id]  # the rest of the day
    assert due_ids(factory, local(1, 10, 1)) == []  # Thursday: a rest day
    assert due_ids(factory, local(2, 10, 1)) == [reminder.id]  # Friday


def test_nothing_is_due_before_the_programme_starts_or_after_it_ends(factory: sessionmaker[Session],
                                                                    records: World) -> None:
    prescribe(factory, records, starts_on=TODAY - timedelta(days=14), ends_on=TODAY - timedelta(days=1),
              weekdays=tuple(range(1, 8)))
    choose(factory, records, when=local(-3, 15))
    assert due_ids(factory, local(-1, 10, 1)) != []  # its last day
    assert due_ids(factory, local(0, 10, 1)) == []  # ended


def test_no_programme_nothing_due(factory: sessionmaker[Session], records: World) -> None:
    choose(factory, records)
    assert due_ids(factory, local(0, 10, 1)) == []


def test_a_choice_made_after_todays_time_starts_tomorrow(factory: sessionmaker[Session], records: World) -> None:
    prescribe(factory, records, weekdays=tuple(range(1, 8)))
    reminder = choose(factory, records, at="08:30", when=local(0, 9, 0))
    assert due_ids(factory, local(0, 9, 1)) == []
    assert due_ids(factory, local(1, 8, 30)) == [reminder.id]


def test_a_reminder_turned_off_or_unsubscribed_is_not_due(factory: sessionmaker[Session], records: World) -> None:
    prescribe(factory, records)
    reminder = choose(factory, records, enabled=False)
    assert due_ids(factory, local(0, 10, 1)) == []
    choose(factory, records, enabled=True)
    with unit_of_work(factory) as session:
        reminders.unsubscribe(session, reminder.token, now=local(0, 9, 30))
    assert due_ids(factory, local(0, 10, 1)) == []


def test_the_e_mail_reaches_the_smtp_server_and_says_only_what_was_allowed(
        factory: sessionmaker[Session], records: World, smtp: tuple[SmtpMailer, Inbox]) -> None:
    mailer, inbox = smtp
    prescribe(factory, records)
    reminder = choose(factory, records, names=False)
    report = reminders.send_due(factory, mailer, PUBLIC_URL, now=local(0, 10, 0))
    assert report.sent == [reminder.id] and len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "penny@home.example" and message["From"] == "Alpha Rehab <reminders@alpha.example>"
    unsubscribe = f"{PUBLIC_URL}/reminders/unsubscribe/{reminder.token}"
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert f"\r\nList-Unsubscribe: <{unsubscribe}>\r\n".encode() in inbox.raw[0]  # as sent: one line, no encoded word
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = body(message, "plain"), body(message, "html")
    for part in (text, html):
        assert "Penny" in part and "Alpha Rehab" in part and f"{PUBLIC_URL}/portal/today" in part
        assert unsubscribe in part
        for clinical in ("Mini squat", "squat", "fall", "pain", "score", "Quennell", "R26"):
            assert clinical.lower() not in part.lower(), clinical

    choose(factory, records, names=True)  # tomorrow's choice: Friday's e-mail names the exercise
    reminders.send_due(factory, mailer, PUBLIC_URL, now=local(2, 10, 0))
    named = inbox.messages[1]
    assert "Mini squat" in body(named, "plain") and "Mini squat" in body(named, "html")
    for clinical in ("fall", "pain", "score", "R26", "sets"):
        assert clinical not in body(named, "plain").lower()

    with unit_of_work(factory) as session:
        sent = session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT,
                                                        AuditEvent.resource_type == "home_reminder")).all()
        assert [e.patient_id for e in sent] == [records.p1, records.p1]
        assert sent[0].actor == "system: reminders" and sent[0].clinic_id == records.clinic_id


def test_the_unsubscribe_link_of_the_e_mail_stops_the_reminders(
        factory: sessionmaker[Session], records: World, smtp: tuple[SmtpMailer, Inbox]) -> None:
    mailer, inbox = smtp
    prescribe(factory, records)
    choose(factory, records)
    reminders.send_due(factory, mailer, PUBLIC_URL, now=local(0, 10, 0))
    link = re.search(r"https://alpha\.example/reminders/unsubscribe/(\S+)", body(inbox.messages[0], "plain"))
    assert link is not None
    with unit_of_work(factory) as session:
        stopped = reminders.unsubscribe(session, link.group(1), now=local(0, 11))
        assert stopped.unsubscribed_at is not None and not stopped.enabled
        assert reminders.unsubscribe(session, link.group(1)).unsubscribed_at == stopped.unsubscribed_at  # again
        with pytest.raises(NotFound):
            reminders.by_token(session, "not-a-real-token-but-long-enough")
        with pytest.raises(NotFound):
            reminders.by_token(session, "x\x00")
    reminders.send_due(factory, mailer, PUBLIC_URL, now=local(2, 10, 0))
    assert len(inbox.messages) == 1


def test_it_sends_once_a_day(factory: sessionmaker[Session], records: World, smtp: tuple[SmtpMailer, Inbox]) -> None:
    mailer, inbox = smtp
    prescribe(factory, records)
    choose(factory, records)
    for minute in (0, 1, 2):
        reminders.send_due(factory, mailer, PUBLIC_URL, now=local(0, 10, minute))
    assert len(inbox.messages) == 1
    assert due_ids(factory, local(0, 10, 3)) == []  # already sent today


def test_two_senders_at_once_send_it_once(factory: sessionmaker[Session], records: World,
                                         smtp: tuple[SmtpMailer, Inbox]) -> None:
    mailer, inbox = smtp
    prescribe(factory, records)
    reminder = choose(factory, records)
    now = local(0, 10, 0)
    with unit_of_work(factory) as session:  # both senders found it due before either sent it
        seen = [reminders.due(session, now), reminders.due(session, now)]
    start = threading.Barrier(2)
    reports: list[reminders.SendReport] = []

    def sender(found: list[reminders.DueReminder]) -> None:
        start.wait()
        reports.append(reminders.send(factory, mailer, PUBLIC_URL, found, now=now))

    threads = [threading.Thread(target=sender, args=(found,)) for found in seen]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(inbox.messages) == 1
    assert sorted(len(r.sent) for r in reports) == [0, 1]
    assert sorted(len(r.taken_by_another) for r in reports) == [0, 1]
    with unit_of_work(factory) as session:
        assert session.get_one(HomeReminder, reminder.id).last_sent_on == TODAY


def test_an_unreachable_server_leaves_the_reminder_due(factory: sessionmaker[Session], records: World) -> None:
    prescribe(factory, records)
    reminder = choose(factory, records)
    with pytest.raises(MailError) as raised:
        reminders.send_due(factory, mailer_for(free_port()), PUBLIC_URL, now=local(0, 10, 0))
    assert raised.value.retryable
    assert due_ids(factory, local(0, 10, 1)) == [reminder.id]


def test_an_address_the_server_refuses_is_not_retried_every_minute(
        factory: sessionmaker[Session], records: World, smtp: tuple[SmtpMailer, Inbox]) -> None:
    mailer, inbox = smtp
    inbox.refused.add("penny@home.example")
    prescribe(factory, records)
    reminder = choose(factory, records)
    report = reminders.send_due(factory, mailer, PUBLIC_URL, now=local(0, 10, 0))
    assert list(report.failed) == [reminder.id] and "refused" in report.failed[reminder.id]
    assert inbox.messages == [] and due_ids(factory, local(0, 10, 1)) == []
    assert due_ids(factory, local(2, 10, 1)) == [reminder.id]  # Friday: tried again


def test_a_rest_day_is_looked_up_once_by_a_sender_that_remembers(factory: sessionmaker[Session],
                                                                 records: World) -> None:
    prescribe(factory, records)
    reminder = choose(factory, records)
    settled: set[tuple[int, date]] = set()
    thursday = local(1, 10, 1)
    with unit_of_work(factory) as session:
        assert reminders.due(session, thursday, settled=settled) == []
    assert settled == {(reminder.id, thursday.date())}
