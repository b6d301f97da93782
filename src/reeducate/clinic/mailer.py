"""E-mail out through the SMTP server the settings name (the standard library's smtplib).

One conversation per sending round: :meth:`SmtpMailer.conversation` connects (TLS from the start,
or upgraded by STARTTLS, or plain on this machine), logs in when a user is set, and hands back a
function that sends one message. Failures are :class:`MailError`, which tells a refusal of this one
message (a bad recipient: permanent) from the server being unreachable or busy (retryable), as
Healthchecks' transports do.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage

from reeducate.settings import Settings, SmtpSecurity

Send = Callable[[EmailMessage], None]


class MailError(Exception):
    """A message that was not sent; ``retryable`` when trying again later may succeed."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class SmtpMailer:
    """The SMTP server to send through, as set in ``REEDUCATE_SMTP_*``; ``timeout_s`` in seconds."""

    host: str
    port: int
    security: SmtpSecurity
    user: str
    password: str
    from_address: str
    timeout_s: float

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpMailer | None:
        """The mailer the settings describe, or None when no SMTP server is set (no e-mail is sent)."""
        if not settings.sends_email:
            return None
        return cls(host=settings.smtp_host, port=settings.smtp_port, security=settings.smtp_security,
                   user=settings.smtp_user, password=settings.smtp_password.get_secret_value(),
                   from_address=settings.smtp_from, timeout_s=settings.smtp_timeout_s)

    @contextmanager
    def conversation(self) -> Iterator[Send]:
        """One connection to the server, logged in; yields ``send(message)`` (the message names its
        own From, normally :attr:`from_address`).

        Raises :class:`MailError` (retryable) when the server cannot be reached, refuses TLS or the
        log-in; ``send`` raises it for a message the server refuses."""
        try:
            client = self._connect()
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(f"cannot reach the SMTP server {self.host}:{self.port}: {error}", retryable=True) from error
        try:
            def send(message: EmailMessage) -> None:
                try:
                    client.send_message(message)
                except smtplib.SMTPRecipientsRefused as error:
                    raise MailError(f"the SMTP server refused {message['To']}: {error}", retryable=False) from error
                except (OSError, smtplib.SMTPException) as error:
                    permanent = isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600
                    raise MailError(f"the SMTP server did not take the message: {error}",
                                    retryable=not permanent) from error
            yield send
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if self.security == "ssl":
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout_s, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
        try:
            if self.security == "starttls":
                client.starttls(context=context)
            if self.user:
                client.login(self.user, self.password)
        except (OSError, smtplib.SMTPException):
            client.close()
            raise
        return client
