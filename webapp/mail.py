"""E-mail that never makes a page wait and is never silently lost.

send_mail() builds the message and hands it to the job queue (webapp.tasks);
deliver() runs there, in the consumer (or inline when HUEY_IMMEDIATE):

- SMTP_HOST set: sent over SMTP (STARTTLS or SSL and login when configured,
  10 s timeout). A failed attempt is retried by the queue MAIL_RETRIES times,
  MAIL_RETRY_DELAY seconds apart, doubling. After the last attempt, or at once
  when the server refuses for good (5xx), the message is written to the
  outbox as "<time>-<random>-undelivered.eml" and an error is logged, so an
  operator can still send it on.
- SMTP_HOST not set (the embedded default): the message is written to
  <instance>/outbox/ as an .eml file and a warning says where.
- The queue unreachable (Redis down): the message waits in outbox/pending/,
  one log line says so (not one per message), the person is told the code
  is delayed (tasks.queue_reachable()), and it is queued when the queue
  works again.

Logs name the file or the SMTP server, never the recipient or the body:
bodies carry one-time codes (SECURITY.md 25).
"""

import logging
import os
import secrets
import smtplib
import ssl
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app

from . import tasks
from .uploads import write_atomic

log = logging.getLogger(__name__)

OUTBOX = "outbox"
PENDING = "pending"


class MailDeliveryError(Exception):
    """One SMTP attempt failed; the queue will try again."""


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    to, subject = str(to), str(subject)
    if any(c in value for value in (to, subject) for c in "\r\n"):
        raise ValueError("line breaks in a mail header")
    sender = current_app.config["MAIL_FROM"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    # An explicit domain: make_msgid() would otherwise ask DNS for our FQDN.
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(str(body))
    return message


# Whether this process has already said the queue is unreachable: said once,
# not per message, and again only after it worked in between.
_queue_down = {"reported": False}


def send_mail(to: str, subject: str, body: str) -> bool:
    """Queues one plain-text message; returns at once: True when queued,
    False when the queue is unreachable (Redis down) and the message was kept
    in outbox/pending/ to be queued when it works again (flush_pending, every
    minute in the consumer, and at the next message queued). Raises
    ValueError for a header with a line break (header injection)."""
    raw = build_message(to, subject, body).as_bytes()
    try:
        tasks.enqueue("deliver_mail", raw)
    except Exception as exc:  # noqa: BLE001 - whatever the queue's storage raises, the message must be kept
        write_atomic(pending_dir(), _eml_name(), raw)
        if not _queue_down["reported"]:
            _queue_down["reported"] = True
            log.error("job queue unreachable (%s): mail kept in %s and queued when it works again; "
                      "further messages are kept without another log line", type(exc).__name__,
                      pending_dir())
        return False
    if _queue_down["reported"]:
        _queue_down["reported"] = False
        log.warning("job queue reachable again")
    flush_pending()
    return True


def pending_dir() -> str:
    return os.path.join(outbox_dir(), PENDING)


def flush_pending() -> int:
    """Queues the messages kept while the queue was unreachable, oldest
    first; stops at the first failure. Returns how many were queued."""
    folder = pending_dir()
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".eml"))
    except FileNotFoundError:
        return 0
    queued = 0
    for name in names:
        path = os.path.join(folder, name)
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except FileNotFoundError:
            continue  # another worker took it
        try:
            tasks.enqueue("deliver_mail", raw)
        except Exception:  # noqa: BLE001 - still unreachable: keep it for the next try
            return queued
        os.remove(path)
        queued += 1
    if queued:
        _queue_down["reported"] = False
        log.warning("job queue reachable again: %d kept message(s) queued", queued)
    return queued


def outbox_dir() -> str:
    return os.path.join(current_app.instance_path, OUTBOX)


def _eml_name(suffix=""):
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    return f"{stamp}-{secrets.token_hex(4)}{suffix}.eml"


def write_outbox(raw: bytes, undelivered: bool = False) -> str:
    """Writes the message as an .eml file (atomically, mode 0600); names
    sort oldest first. Returns the path."""
    return write_atomic(outbox_dir(), _eml_name("-undelivered" if undelivered else ""), raw)


def _send_smtp(raw, config):
    message = message_from_bytes(raw, policy=policy.default)
    host, port, timeout = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"]
    context = ssl.create_default_context()
    if config["SMTP_SSL"]:
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if config["SMTP_STARTTLS"] and not config["SMTP_SSL"]:
            client.starttls(context=context)
        if config.get("SMTP_USERNAME"):
            client.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
        client.send_message(message)
    return message["Message-ID"]


def _permanent(exc):
    """The server refused for good: retrying cannot help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return isinstance(exc, smtplib.SMTPNotSupportedError)


def _describe(exc):
    """The failure without the server's text, which may quote the address."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__} {exc.smtp_code}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"{type(exc).__name__} {sorted({code for code, _text in exc.recipients.values()})}"
    if isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException):
        return f"{type(exc).__name__}: {exc.strerror or exc}"
    return type(exc).__name__


def deliver(raw: bytes, final: bool = True) -> str:
    """Delivers one serialized message (run by the queue, in an app context).
    Returns "smtp" or the outbox path. When not `final`, a failed attempt
    raises MailDeliveryError so the queue retries it."""
    config = current_app.config
    if not config.get("SMTP_HOST"):
        path = write_outbox(raw)
        log.warning("SMTP_HOST not set: mail written to %s", path)
        return path
    server = f"{config['SMTP_HOST']}:{config['SMTP_PORT']}"
    try:
        message_id = _send_smtp(raw, config)
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        reason = _describe(exc)
        if final or _permanent(exc):
            path = write_outbox(raw, undelivered=True)
            log.error("mail not delivered via %s (%s); kept in %s", server, reason, path)
            return path
        log.warning("mail delivery via %s failed (%s); will retry", server, reason)
        raise MailDeliveryError(reason) from None
    log.info("mail %s delivered via %s", message_id, server)
    return "smtp"
