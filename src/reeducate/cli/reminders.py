"""`reeducate reminders send`: e-mail the exercise reminders due now, for cron or by hand.

The job workers (`reeducate worker`, started beside the server by `reeducate run`) send them once a
minute; this command is for sending at once, or from cron where no worker runs. A reminder is claimed in the database before it is sent, so running this beside the
server never sends one twice. The database and the mail code are imported when the command runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from reeducate.cli.output import console, refuse

app = typer.Typer(no_args_is_help=True)


@app.command("send")
def send(
    now: Annotated[str, typer.Option(help="The moment to send for, ISO 8601 with its offset (e.g. "
                                          "2026-11-25T09:00-06:00); default: now.")] = "",
) -> None:
    """Send every reminder due (each once), through the SMTP server of REEDUCATE_SMTP_*."""
    from reeducate.clinic.db import make_engine, make_session_factory
    from reeducate.clinic.mailer import MailError, SmtpMailer
    from reeducate.clinic.services import reminders
    from reeducate.settings import InsecureSettingsError, get_settings

    moment = None
    if now:
        try:
            moment = datetime.fromisoformat(now)
        except ValueError:
            refuse(f"--now {now!r} is not an ISO 8601 moment; write e.g. 2026-11-25T09:00-06:00.")
        if moment.tzinfo is None:
            refuse(f"--now {now!r} has no offset; add one, e.g. {now}-06:00 or {now}Z.")
    settings = get_settings()
    try:
        settings.check_safe_to_start()  # e-mail to patients: the same rules as the server's (no plain SMTP abroad)
    except InsecureSettingsError as error:
        refuse(str(error))
    mailer = SmtpMailer.from_settings(settings)
    if mailer is None:
        refuse("no SMTP server is set, so no reminder is sent: set REEDUCATE_SMTP_HOST, REEDUCATE_SMTP_FROM "
               "and REEDUCATE_PUBLIC_URL (README, Settings).")
    engine = make_engine(settings.resolved_database_url)
    try:
        report = reminders.send_due(make_session_factory(engine), mailer, settings.public_url, now=moment)
    except MailError as error:
        refuse(f"{error}; nothing was sent, and the reminders stay due.")
    finally:
        engine.dispose()
    console.print(f"Sent {len(report.sent)} reminder{'s' if len(report.sent) != 1 else ''}"
                  + (f"; {len(report.taken_by_another)} already sent by another sender" if report.taken_by_another else "")
                  + ".")
    for reminder_id, why in report.failed.items():
        console.print(f"[yellow]Not sent:[/yellow] reminder {reminder_id}: {why}", highlight=False)
    if report.failed:
        raise typer.Exit(code=1)
