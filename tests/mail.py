"""A real SMTP server for the tests (aiosmtpd, in a thread of this process, on a free loopback port),
and the mailer that sends to it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from reeducate.clinic.mailer import SmtpMailer

FROM = "Alpha Rehab <reminders@alpha.example>"


@dataclass
class Inbox:
    """What the server received, as sent (``raw``) and parsed; it refuses the recipients in ``refused`` (550)."""

    messages: list[EmailMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802 (aiosmtpd's hook)
                          rcpt_options: list[str]) -> str:
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.raw.append(envelope.original_content)
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def mailer_for(port: int) -> SmtpMailer:
    """A mailer to the test server: plain SMTP on this machine, as development allows."""
    return SmtpMailer(host="127.0.0.1", port=port, security="none", user="", password="", from_address=FROM,
                      timeout_s=10)


@contextmanager
def smtp_server() -> Iterator[tuple[SmtpMailer, Inbox]]:
    """A running SMTP server with an empty inbox, and the mailer that reaches it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailer_for(port), inbox
    finally:
        controller.stop()


def body(message: EmailMessage, subtype: str) -> str:
    """The text of the message's ``plain`` or ``html`` part."""
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no {subtype} part"
    return str(part.get_content())
