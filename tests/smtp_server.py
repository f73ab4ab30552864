"""A real SMTP server on loopback (aiosmtpd), for tests that send email end to end."""

import socket
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LoopbackSMTPServer:
    """Collects every message it receives, parsed, in ``messages``."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages = []
        self.controller = None

    async def handle_DATA(self, _server, _session, envelope):  # aiosmtpd's handler hook
        message = message_from_bytes(envelope.original_content or envelope.content, policy=default)
        message.envelope_recipients = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> "LoopbackSMTPServer":
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server(app):
    """A running SMTP server, with the app's mail settings pointing at it."""
    server = LoopbackSMTPServer().start()
    saved = {key: app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_SECURITY")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_SECURITY="none")
    yield server
    app.config.update(saved)
    server.stop()
