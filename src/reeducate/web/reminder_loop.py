"""The reminder sender that runs beside the web server: a round at the start of every minute.

Each round (``reminders.send_due``) runs in a thread, off the event loop, so requests are served
meanwhile; a failure (the SMTP server down, the database busy) is logged and the next minute tries
again, never taking the server down. Every server process runs its own loop: the database claim
before each e-mail (see ``clinic.services.reminders``) lets only one of them send a reminder.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.db import utcnow
from reeducate.clinic.mailer import MailError, SmtpMailer
from reeducate.clinic.services import reminders

log = logging.getLogger(__name__)

ROUND_EVERY_S = 60
"""A reminder chosen for 09:00 goes within the minute after 09:00."""


class ReminderLoop:
    """Rounds of :func:`reminders.send_due` through ``mailer``, remembering the rest days it found."""

    def __init__(self, sessions: sessionmaker[Session], mailer: SmtpMailer, public_url: str) -> None:
        self.sessions = sessions
        self.mailer = mailer
        self.public_url = public_url
        self.settled: set[tuple[int, date]] = set()

    def round(self) -> reminders.SendReport:
        """One round now (blocking: call it in a thread); days gone by everywhere are forgotten."""
        now = utcnow()
        self.settled = {(reminder, day) for reminder, day in self.settled if (now.date() - day).days < 2}
        return reminders.send_due(self.sessions, self.mailer, self.public_url, now=now, settled=self.settled)

    async def run(self) -> None:
        """Rounds at the start of each minute until cancelled; errors are logged, not raised."""
        while True:
            await asyncio.sleep(ROUND_EVERY_S - time.time() % ROUND_EVERY_S)
            try:
                report = await asyncio.to_thread(self.round)
            except MailError as error:
                log.warning("reminders not sent this minute: %s", error)
            except Exception:
                log.exception("the reminder round failed; the next minute tries again")
            else:
                if report.sent or report.failed:
                    log.info("reminders: %d sent, %d not sent", len(report.sent), len(report.failed))


@asynccontextmanager
async def sending_reminders(app: FastAPI) -> AsyncIterator[None]:
    """The app's lifespan under `reeducate run`: the loop runs while the app does (when an SMTP
    server is set; without one no reminder is sent, and the reminder page says so)."""
    mailer = SmtpMailer.from_settings(app.state.settings)
    task = None
    if mailer is not None:
        task = asyncio.create_task(ReminderLoop(app.state.session_factory, mailer, app.state.settings.public_url).run())
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
