"""The reminder e-mail a patient asked for: plain text and simple HTML, nothing clinical.

It says that today's home exercises are waiting, from which clinic, with a link to the portal's
Today page and one to stop the reminders. The exercises are named only when the patient chose so
(``exercises`` is then not empty); no diagnosis, pain, score or dose is ever written, since an
e-mail passes through servers neither the clinic nor the patient controls.

The unsubscribe link is also given as ``List-Unsubscribe`` with ``List-Unsubscribe-Post`` (RFC 2369,
RFC 8058), so a mail program's own "unsubscribe" button stops them in one click.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from html import escape

SUBJECT = "Time for today's exercises"
POLICY = policy.default.clone(max_line_length=998)
"""Header lines up to RFC 5322's 998 characters: folded at 78, a long unsubscribe link would be written
as an encoded word (``=?utf-8?q?...``), which mail programs do not read as a link."""


@dataclass(frozen=True)
class ReminderEmail:
    """What one reminder says; ``exercises`` are the day's exercise names, empty unless allowed."""

    to: str
    from_address: str
    first_name: str
    clinic_name: str
    today_url: str
    settings_url: str
    unsubscribe_url: str
    exercises: tuple[str, ...] = ()

    def message(self, now: datetime) -> EmailMessage:
        """The e-mail, dated ``now`` (aware), as the SMTP server is handed it."""
        message = EmailMessage(policy=POLICY)
        message["From"] = self.from_address
        message["To"] = self.to
        message["Subject"] = SUBJECT
        message["Date"] = format_datetime(now)
        message["Message-ID"] = make_msgid(domain=_domain(self.from_address))
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to it
        message["List-Unsubscribe"] = f"<{self.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(self.text())
        message.add_alternative(self.html(), subtype="html")
        return message

    def text(self) -> str:
        """The plain-text body."""
        named = "".join(f"  - {name}\n" for name in self.exercises)
        return (
            f"Hello {self.first_name},\n\n"
            f"This is your reminder from {self.clinic_name}: today's home exercises are waiting for you.\n"
            + (f"\nToday:\n{named}" if named else "")
            + f"\nOpen them here:\n{self.today_url}\n\n"
            "You asked for this e-mail. To change its time, or what it says, visit\n"
            f"{self.settings_url}\n"
            f"To stop these reminders:\n{self.unsubscribe_url}\n"
        )

    def html(self) -> str:
        """The HTML body: the same words, large and plain, no images and no tracking."""
        named = "".join(f"<li>{escape(name)}</li>" for name in self.exercises)
        return (
            '<!doctype html><html><body style="font-family: sans-serif; font-size: 18px; line-height: 1.5; '
            'color: #1b1b1b; max-width: 36em">'
            f"<p>Hello {escape(self.first_name)},</p>"
            f"<p>This is your reminder from {escape(self.clinic_name)}: today's home exercises are waiting "
            "for you.</p>"
            + (f"<p>Today:</p><ul>{named}</ul>" if named else "")
            + f'<p><a href="{escape(self.today_url)}" style="display: inline-block; padding: 14px 24px; '
            'background: #1f5f99; color: #ffffff; text-decoration: none; border-radius: 6px; font-weight: bold">'
            "Open today's exercises</a></p>"
            '<p style="font-size: 15px; color: #555555">You asked for this e-mail. '
            f'<a href="{escape(self.settings_url)}">Change its time or what it says</a>, or '
            f'<a href="{escape(self.unsubscribe_url)}">stop these reminders</a>.</p>'
            "</body></html>"
        )


def _domain(address: str) -> str:
    """The domain of an address such as ``Alpha Rehab <reminders@alpha.example>`` (for the Message-ID)."""
    _, plain = parseaddr(address)
    return plain.rpartition("@")[2] or "localhost"
