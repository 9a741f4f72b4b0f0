"""E-mail: delivered over real SMTP (aiosmtpd on 127.0.0.1), written to the
outbox without SMTP_HOST, kept in the outbox when delivery finally fails,
queued (not sent) when not immediate. Logs never hold the body."""

import logging
import os
import sqlite3

import pytest
from faker import Faker

from webapp import mail

from .dbbackend import backend
from .smtp import free_port, smtp_app_config

fake = Faker("id_ID")
CODE = "739215"
SUBJECT = "Kode verifikasi — Cek Bansos “Lite”"
BODY = (f"Yth. Bapak/Ibu,\n\nKode verifikasi akun Anda: {CODE}\n"
        "Kode berlaku 10 menit. Jangan berikan kode ini kepada siapa pun – termasuk petugas.\n\n"
        "Salam hangat,\nDinas Sosial · Café Sejahtera №1\n")


def recipient():
    return f"{fake.user_name()}@example.org"


def send(app, to=None, subject=SUBJECT, body=BODY):
    to = to or recipient()
    with app.app_context():
        mail.send_mail(to, subject, body)
    return to


def log_text(caplog):
    """What the app (and its queue) logged."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name.split(".")[0] in ("webapp", "huey"))


def test_delivered_over_smtp_with_utf8_text(app, smtp_server, mail_outbox, caplog):
    app.config.update(smtp_app_config(smtp_server))
    with caplog.at_level(logging.INFO):
        to = send(app)
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == to
    assert message["Subject"] == SUBJECT
    assert message["From"] == "Cek Bansos Lite <no-reply@localhost>"
    assert message["Message-ID"].endswith("@localhost>")
    assert message.get_content() == BODY
    assert message.get_content_charset() == "utf-8"
    assert smtp_server.envelopes[0] == ("no-reply@localhost", [to])
    assert mail_outbox.messages == []
    assert f"delivered via 127.0.0.1:{smtp_server.port}" in log_text(caplog)
    assert CODE not in log_text(caplog) and to not in log_text(caplog)


def test_without_smtp_host_mail_lands_in_the_outbox(app, mail_outbox, caplog):
    assert not app.config["SMTP_HOST"]
    with caplog.at_level(logging.INFO):
        to = send(app)
    [row] = mail_outbox.rows()
    assert not row.undelivered  # kept by design, not a failure
    assert not os.path.exists(os.path.join(app.instance_path, "outbox")), "in the database, not on this host"
    message = mail_outbox.last()
    assert (message["To"], message["Subject"], message.get_content()) == (to, SUBJECT, BODY)
    text = log_text(caplog)
    assert f"outbox #{row.id}" in text
    assert CODE not in text and "verifikasi akun" not in text and to not in text


def test_outbox_keeps_the_order_of_sending(app, mail_outbox):
    for subject in ("satu", "dua", "tiga"):
        send(app, subject=subject)
    assert [m["Subject"] for m in mail_outbox.messages] == ["satu", "dua", "tiga"]


def test_closed_port_in_immediate_mode_keeps_the_mail_in_the_outbox(app, mail_outbox, caplog):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TIMEOUT=2)
    with caplog.at_level(logging.INFO):
        to = send(app)  # must not raise: the page that sent it goes on
    [row] = mail_outbox.rows()
    assert row.undelivered
    assert mail_outbox.last().get_content() == BODY
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name == "webapp.mail"]
    assert len(errors) == 1
    said = errors[0].getMessage()
    assert "ConnectionRefusedError" in said and f"outbox #{row.id}" in said
    assert CODE not in log_text(caplog) and to not in log_text(caplog)


def test_permanent_refusal_is_not_retried(app, smtp_server, mail_outbox, monkeypatch):
    app.config.update(smtp_app_config(smtp_server))

    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 5.1.1 Mailbox unavailable"

    monkeypatch.setattr(type(smtp_server._collector), "handle_RCPT", refuse, raising=False)
    with app.app_context():
        assert mail.deliver(mail.build_message(recipient(), SUBJECT, BODY).as_bytes(), final=False) \
            .startswith("outbox #")
    assert smtp_server.messages == []
    assert [r.undelivered for r in mail_outbox.rows()] == [True]


@pytest.mark.parametrize("to, subject", [
    ("warga@example.org\r\nBcc: semua@example.org", "Halo"),
    ("warga@example.org", "Halo\nBcc: semua@example.org"),
])
def test_header_injection_is_refused(app, to, subject):
    with app.app_context(), pytest.raises(ValueError):
        mail.send_mail(to, subject, BODY)


# -- the queued path (what `make run` does, with the consumer's work done by hand) --
def run_queue(huey):
    """What huey_consumer does: take each task in turn and run it."""
    runs = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        runs += 1
    return runs


@pytest.mark.app_config(HUEY_IMMEDIATE=False)
def test_queued_mail_waits_for_the_consumer(app, smtp_server, mail_outbox):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
    huey = app.extensions["huey"]
    if backend.name == "sqlite":  # one host: a file beside the database
        assert type(huey).__name__ == "SqliteHuey"
        assert os.path.exists(os.path.join(app.instance_path, "huey.sqlite3"))
    else:  # PostgreSQL without Redis: the queue every host shares is in it
        assert type(huey.storage).__name__ == "SqlStorage"
    to = send(app)
    assert smtp_server.messages == [] and huey.pending_count() == 1
    assert run_queue(huey) == 1
    assert [m["To"] for m in smtp_server.messages] == [to]
    assert mail_outbox.messages == []


@pytest.mark.app_config(HUEY_IMMEDIATE=False, MAIL_RETRIES=2, MAIL_RETRY_DELAY=0)
def test_queued_mail_is_retried_then_kept_in_the_outbox(app, mail_outbox, caplog):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TIMEOUT=2)
    huey = app.extensions["huey"]
    send(app)
    with caplog.at_level(logging.INFO):
        assert run_queue(huey) == 3  # the first attempt and two retries
    [row] = mail_outbox.rows()
    assert row.undelivered
    mine = [r for r in caplog.records if r.name == "webapp.mail"]
    assert [r.levelname for r in mine] == ["WARNING", "WARNING", "ERROR"]
    assert CODE not in log_text(caplog)


@pytest.mark.app_config(HUEY_IMMEDIATE=False)
def test_queue_failure_keeps_the_mail_in_the_outbox(app, mail_outbox, monkeypatch, caplog):
    def broken(data, priority=None):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(app.extensions["huey"].storage, "enqueue", broken)
    send(app)
    # Kept to be queued when the queue works again (tests/test_mail_queue_down.py).
    [name] = os.listdir(os.path.join(app.instance_path, "outbox", "pending"))
    assert name.endswith(".eml")
    assert "queue unreachable" in log_text(caplog) and CODE not in log_text(caplog)


def test_consumer_entry_point_builds_the_app_queue(monkeypatch, tmp_path):
    """`huey_consumer webapp.tasks.huey` gets the queue of create_app()."""
    import webapp
    from webapp import tasks

    real_create_app = webapp.create_app

    def create_app():
        return real_create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "HUEY_IMMEDIATE": False})

    monkeypatch.setattr(webapp, "create_app", create_app)
    monkeypatch.delitem(vars(tasks), "huey", raising=False)
    from huey.utils import load_class

    queue = load_class("webapp.tasks.huey")
    assert type(queue).__name__ == "SqliteHuey" and not queue.immediate
    assert "webapp.tasks.deliver_mail" in queue._registry._registry
    assert load_class("webapp.tasks.huey") is queue
    monkeypatch.delitem(vars(tasks), "huey")
