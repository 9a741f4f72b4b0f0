"""SMS delivery through Kannel (webapp.delivery.sms) with the outbox rules of
mail: accepted by a real Kannel and read at its SMSC, refused for good (wrong
password) or unreachable → kept in the outbox, per-number limit, no number or
text in our log, and the delivery interface picking the channel."""

import glob
import logging
import os
import socket

import pytest

from webapp import delivery
from webapp.delivery import sms

from .kannel import USERNAME


def outbox(app, pattern="*.sms"):
    return sorted(glob.glob(os.path.join(app.instance_path, "outbox", pattern)))


@pytest.fixture
def gateway(app, kannel):
    app.config.update(kannel.app_config())
    kannel.clear()
    return kannel


def test_an_sms_reaches_the_smsc_with_non_ascii_text(app, gateway, caplog):
    caplog.set_level(logging.INFO)
    with app.app_context():
        sms.send_sms("+6281298765432", "Halo Bu Siti — usulan Anda maju ke tahap verifikasi.")
    [got] = gateway.wait_for("6281298765432")
    assert got.text == "Halo Bu Siti — usulan Anda maju ke tahap verifikasi."
    assert "accepted by Kannel" in caplog.text
    assert "6281298765432" not in caplog.text and "Siti" not in caplog.text
    assert outbox(app) == []


def test_a_refusal_goes_to_the_outbox_at_once(app, gateway):
    app.config["SMS_KANNEL_PASSWORD"] = "salah"
    with app.app_context():
        sms.send_sms("+6281298765433", "teks uji")
    [kept] = outbox(app, "*-undelivered.sms")
    with open(kept) as handle:
        assert "teks uji" in handle.read()
    assert oct(os.stat(kept).st_mode & 0o777) == "0o600"


def test_kannel_down_is_retried_then_kept(app):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app.config.update(SMS_KANNEL_URL=f"http://127.0.0.1:{port}/cgi-bin/sendsms", SMS_KANNEL_USERNAME=USERNAME)
    with app.app_context(), pytest.raises(sms.SmsDeliveryError):
        sms.deliver("+6281298765434", "teks uji", final=False)  # the queue would retry this one
    with app.app_context():
        assert sms.deliver("+6281298765434", "teks uji", final=True).endswith("-undelivered.sms")


@pytest.mark.app_config(SMS_RATE_LIMIT="2 per hour")
def test_the_per_number_limit_keeps_the_rest_in_the_outbox(app, gateway):
    with app.app_context():
        for n in range(3):
            sms.send_sms("+6281298765435", f"pesan {n}")
        sms.send_sms("+6281298765436", "nomor lain")
    assert len(gateway.wait_for("6281298765435", count=2)) == 2
    gateway.wait_for("6281298765436")
    [limited] = outbox(app, "*-limited.sms")
    with open(limited) as handle:
        assert "pesan 2" in handle.read()


def test_the_delivery_interface_picks_the_channel(app, gateway):
    class Person:
        email = None
        phone = "+6281298765437"

    with app.app_context():
        assert [c.name for c in delivery.channels_for(Person())] == ["sms"]
        assert delivery.code_destination(Person()) == "sms"
        Person.email = "warga@contoh.test"
        assert [c.name for c in delivery.channels_for(Person())] == ["email", "sms"]
        assert delivery.code_destination(Person()) == "email"
        app.config["SMS_KANNEL_URL"] = None
        Person.email = None
        assert delivery.channels_for(Person()) == [] and delivery.code_destination(Person()) is None
