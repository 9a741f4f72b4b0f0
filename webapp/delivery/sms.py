"""SMS through Kannel's HTTP `sendsms` interface, on the job queue.

send_sms() hands (number, text) to the queue (webapp.tasks: "deliver_sms");
deliver() runs there with the same rules as mail (webapp.mail):

- Kannel answers 202 ("0: Accepted for delivery" / "3: Queued for later
  delivery"): done. Kannel then keeps the message until its SMSC (an
  operator's SMPP account or a USB GSM modem) takes it.
- Kannel unreachable or a 5xx: the queue retries SMS_RETRIES times,
  SMS_RETRY_DELAY seconds apart, doubling; after the last attempt the message
  goes to the outbox as "<time>-<random>-undelivered.sms".
- Kannel refuses for good (4xx: wrong user/password, bad number): at once
  to the outbox, with an error in the log.
- More than SMS_RATE_LIMIT messages to one number (counted in the database,
  shared by every worker and host): not sent, kept in the outbox as
  "-limited.sms" and a warning logged. Protects the office's SMS credit.
- The queue itself failing: the outbox too.

Logs name the outcome and Kannel's status, never the number or the text
(codes: SECURITY.md 25). The number is stored only as an HMAC for the limit.
"""

import hashlib
import hmac
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta

from flask import current_app
from limits import parse_many
from peewee import CharField, DateTimeField

from .. import tasks
from ..clock import utcnow
from ..db import BaseModel, atomic_write, register
from ..mail import outbox_dir
from ..uploads import write_atomic

log = logging.getLogger(__name__)


class SmsDeliveryError(Exception):
    """One attempt failed; the queue will try again."""


@register
class SmsSent(BaseModel):
    """One SMS handed to Kannel, for the per-number limit."""

    number_key = CharField(max_length=64, index=True)  # HMAC of the number
    sent_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "sms_sent"


def _number_key(number):
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"sms:" + number.encode(), hashlib.sha256).hexdigest()


def kannel_number(number):
    """E.164 (+6281…) as Kannel and most operators want it: digits only."""
    return "".join(ch for ch in str(number) if ch.isdigit())


def send_sms(number, text):
    """Queues one SMS; returns at once. Raises ValueError for an empty number."""
    number, text = str(number or ""), str(text)
    if not kannel_number(number):
        raise ValueError("no number")
    try:
        tasks.enqueue("deliver_sms", number, text)
    except Exception:  # noqa: BLE001 - whatever the queue's storage raises, the message must be kept
        path = write_outbox(number, text, "undelivered")
        log.exception("sms could not be queued; kept in %s", path)


def write_outbox(number, text, suffix=""):
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    tail = f"-{suffix}" if suffix else ""
    body = f"To: {number}\n\n{text}\n".encode()
    return write_atomic(outbox_dir(), f"{stamp}-{secrets.token_hex(4)}{tail}.sms", body)


def over_limit(number, now=None):
    """True when one more SMS to `number` would pass an SMS_RATE_LIMIT window."""
    now = now or utcnow()
    key = _number_key(number)
    for item in parse_many(current_app.config["SMS_RATE_LIMIT"]):
        since = now - timedelta(seconds=item.get_expiry())
        sent = SmsSent.select().where((SmsSent.number_key == key) & (SmsSent.sent_at > since)).count()
        if sent >= item.amount:
            return True
    return False


def _request(number, text, config):
    """POST to sendsms: user, password, number and text travel in headers and
    the body, not in the URL, so no access log of a proxy holds them."""
    headers = {"X-Kannel-Username": config["SMS_KANNEL_USERNAME"] or "",
               "X-Kannel-Password": config["SMS_KANNEL_PASSWORD"] or "",
               "X-Kannel-To": kannel_number(number),
               "Content-Type": "text/plain; charset=UTF-8"}
    if config.get("SMS_FROM"):
        headers["X-Kannel-From"] = config["SMS_FROM"]
    if not text.isascii():
        headers["X-Kannel-Coding"] = "2"  # UCS-2: é, ñ, emoji
    url = config["SMS_KANNEL_URL"]
    if not url.startswith(("http://", "https://")):
        raise ValueError("SMS_KANNEL_URL must be http(s)")
    return urllib.request.Request(url, data=text.encode("utf-8"), headers=headers,  # noqa: S310 - checked above
                                  method="POST")


@tasks.handler("deliver_sms")
def deliver(number, text, final=True):
    """Hands one SMS to Kannel (run by the queue, in an app context). Returns
    "kannel" or the outbox path. When not `final`, a failed attempt raises
    SmsDeliveryError so the queue retries it."""
    config = current_app.config
    with atomic_write(f"sms-to:{_number_key(number)}"):
        if over_limit(number):
            path = write_outbox(number, text, "limited")
            log.warning("sms over SMS_RATE_LIMIT for one number; kept in %s", path)
            return path
        SmsSent.create(number_key=_number_key(number))
    try:
        request = _request(number, text, config)
        with urllib.request.urlopen(request, timeout=config["SMS_TIMEOUT"]) as answer:  # noqa: S310 - http(s) only
            status = answer.status
    except urllib.error.HTTPError as exc:
        status = exc.code
        if status < 500 or final:
            path = write_outbox(number, text, "undelivered")
            log.error("sms refused by Kannel (HTTP %d); kept in %s", status, path)
            return path
        log.warning("sms not accepted by Kannel (HTTP %d); will retry", status)
        raise SmsDeliveryError(status) from None
    except (OSError, ValueError) as exc:
        reason = type(exc).__name__
        if final:
            path = write_outbox(number, text, "undelivered")
            log.error("sms not delivered to Kannel (%s); kept in %s", reason, path)
            return path
        log.warning("sms delivery to Kannel failed (%s); will retry", reason)
        raise SmsDeliveryError(reason) from None
    log.info("sms accepted by Kannel (HTTP %d)", status)
    return "kannel"
