"""Mail for tests: a real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what
it receives, and a reader for the .eml files the app writes to its outbox.
Nothing here changes global state; each server gets its own free port."""

import logging
import socket
from contextlib import contextmanager
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Collector:
    """aiosmtpd handler: every accepted message, parsed, plus its envelope."""

    def __init__(self):
        self.messages = []
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        # As a mail client would show it: wire CRLFs as plain newlines.
        content = envelope.content.replace(b"\r\n", b"\n")
        self.messages.append(message_from_bytes(content, policy=policy.default))
        return "250 Message accepted for delivery"


class SmtpServer:
    host = "127.0.0.1"

    def __init__(self, port, collector):
        self.port = port
        self._collector = collector

    @property
    def messages(self):
        """Received messages (email.message.EmailMessage), oldest first."""
        return self._collector.messages

    @property
    def envelopes(self):
        """(MAIL FROM, [RCPT TO, ...]) per message."""
        return self._collector.envelopes


def free_port():
    """A port nothing listens on (at the moment of asking)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# aiosmtpd logs every SMTP line it reads at INFO; those are the test server's
# words, not the app's, and would only clutter the log-privacy scan.
_SERVER_LOGGERS = ("mail.log", "mail.debug")


@contextmanager
def running_smtp_server():
    collector = Collector()
    port = free_port()
    loggers = [logging.getLogger(name) for name in _SERVER_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(port, collector)
    finally:
        controller.stop()
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def smtp_app_config(server):
    """Settings that send the app's mail to `server`, inline. SMTP_* are read
    at send time, so `app.config.update(...)` works after create_app();
    HUEY_IMMEDIATE only counts when given to create_app() (it is on
    under TESTING anyway)."""
    return {"SMTP_HOST": server.host, "SMTP_PORT": server.port, "HUEY_IMMEDIATE": True}


class Outbox:
    """The app's outbox (the mail_outbox table: mail sent without SMTP_HOST,
    or kept after failed delivery), read afresh on each access. `app` is a
    Flask app, or the config of a served one (a live server)."""

    def __init__(self, app):
        if isinstance(app, dict):
            from webapp import create_app

            app = create_app(app)
        self.app = app

    def rows(self):
        """The outbox rows (webapp.mail.OutboxMail), oldest first."""
        from webapp.mail import OutboxMail

        database = self.app.config["DATABASE"]
        # In the app's context: the rows are sealed with its keyring.
        with self.app.app_context(), database.bind_ctx([OutboxMail]):
            return list(OutboxMail.select().order_by(OutboxMail.id))

    @property
    def messages(self):
        """Parsed messages (email.message.EmailMessage), oldest first."""
        return [message_from_bytes(bytes(row.raw), policy=policy.default) for row in self.rows()]

    def last(self):
        messages = self.messages
        assert messages, "no mail in the outbox"
        return messages[-1]

    def clear(self):
        from webapp.mail import OutboxMail

        with self.app.config["DATABASE"].bind_ctx([OutboxMail]):
            OutboxMail.delete().execute()
