"""A real SMTP server for tests (aiosmtpd on a free local port), and Django pointed at it.

    def test_something(smtp_server):
        ...  # send mail as Ladder does
        assert smtp_server.messages[0]["Subject"] == "..."

`messages` are the mails as received, parsed (`email.message.EmailMessage`). The server can be
stopped and started again on its port, to play a mail server that is down, and can refuse
chosen addresses with a 5xx answer, to play one that rejects a recipient.
"""

from __future__ import annotations

import asyncio
import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

REFUSAL = "550 5.1.1 No such mailbox here"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
        if address in self.server.refused:
            return REFUSAL
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        if self.server.delay:
            await asyncio.sleep(self.server.delay)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.server.messages.append(message)
        self.server.peers.append(session.peer)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, host: str = "127.0.0.1", port: int | None = None):
        self.host, self.port = host, port or free_port()
        self.messages: list[email.message.EmailMessage] = []
        # The client's address and port of each message: one pair per connection.
        self.peers: list[tuple[str, int]] = []
        # Addresses answered with a permanent failure (5xx) at RCPT.
        self.refused: set[str] = set()
        # Seconds each mail takes to be accepted, to hold a sender in the middle of a send.
        self.delay = 0.0
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        """The server as Ladder's EMAIL_URL setting names it."""
        return f"smtp://{self.host}:{self.port}"

    def start(self) -> None:
        # server_hostname spares the server a DNS lookup of this machine's name.
        self._controller = Controller(
            Handler(self), hostname=self.host, port=self.port, server_hostname="localhost"
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[email.message.EmailMessage]:
        """The messages received for one address."""
        return [m for m in self.messages if address in m.get_all("To", [])]


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server, and Django's settings sending mail to it."""
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()
