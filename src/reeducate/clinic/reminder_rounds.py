"""The exercise reminders' rounds, run by the job workers once a minute (a Huey periodic task).

Each round (``reminders.send_due``) sends what is due through the SMTP server; a failure (the server down,
the database busy) is logged and the next minute tries again. However many workers run rounds, the
database claim before each e-mail (see ``clinic.services.reminders``) lets only one of them send a
reminder. A round remembers the rest days it found for two days, so it does not look at them again.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.db import utcnow
from reeducate.clinic.mailer import MailError, SmtpMailer
from reeducate.clinic.services import reminders

log = logging.getLogger(__name__)


class ReminderRounds:
    """Rounds of :func:`reminders.send_due` through ``mailer``, remembering the rest days it found."""

    def __init__(self, sessions: sessionmaker[Session], mailer: SmtpMailer, public_url: str) -> None:
        self.sessions = sessions
        self.mailer = mailer
        self.public_url = public_url
        self.settled: set[tuple[int, date]] = set()

    def round(self) -> reminders.SendReport:
        """One round now; days gone by everywhere are forgotten."""
        now = utcnow()
        self.settled = {(reminder, day) for reminder, day in self.settled if (now.date() - day).days < 2}
        return reminders.send_due(self.sessions, self.mailer, self.public_url, now=now, settled=self.settled)

    def run_logged(self) -> None:
        """One round, its errors logged rather than raised (the next minute's round tries again)."""
        try:
            report = self.round()
        except MailError as error:
            log.warning("reminders not sent this minute: %s", error)
        except Exception:
            log.exception("the reminder round failed; the next minute tries again")
        else:
            if report.sent or report.failed:
                log.info("reminders: %d sent, %d not sent", len(report.sent), len(report.failed))
