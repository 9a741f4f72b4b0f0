"""E-mail that never makes a page wait and is never silently lost.

send_mail() builds the message and hands it to the job queue (webapp.tasks);
deliver() runs there, in the consumer (or inline when HUEY_IMMEDIATE):

- SMTP_HOST set: sent over SMTP (STARTTLS or SSL and login when configured,
  10 s timeout). A failed attempt is retried by the queue MAIL_RETRIES times,
  MAIL_RETRY_DELAY seconds apart, doubling. After the last attempt, or at once
  when the server refuses for good (5xx), the message is kept in the outbox
  marked undelivered and an error is logged, so an operator can still send
  it on (`flask outbox --kirim`).
- SMTP_HOST not set (the embedded default): the message is kept in the
  outbox and a warning says which entry.
- The queue itself failing (Redis down, disk full) also ends in the outbox.
- The queue unreachable (Redis down): the message waits in outbox/pending/ on
  this host, one log line says so (not one per message), the person is told
  the code is delayed (tasks.queue_reachable()), and it is queued when the
  queue works again.

The outbox is the database table mail_outbox, not a folder: whichever host's
consumer handled a message, every host (and pg_dump) sees it. `flask outbox`
lists it, `--simpan DIR` writes .eml files, `--kirim` retries undelivered ones.

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

import click
from flask import current_app
from flask.cli import with_appcontext
from peewee import BooleanField, DateTimeField

from . import clock, crypto, tasks
from .db import BaseModel, register
from .storage import write_atomic

log = logging.getLogger(__name__)


@register
class OutboxMail(BaseModel):
    """A message not (yet) handed to an SMTP server: the whole serialized
    message, as the queue carried it, sealed at rest (it holds the
    recipient and one-time codes; webapp.crypto)."""

    created_at = DateTimeField(default=clock.utcnow, index=True)
    # True: delivery was tried and failed (or the queue failed); False: no
    # SMTP_HOST, kept by design.
    undelivered = BooleanField(default=False)
    raw = crypto.SealedBlobField()

    class Meta:
        table_name = "mail_outbox"


OUTBOX = "outbox"
PENDING = "pending"
UNREADABLE = ".tidak-terbaca"


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
        write_atomic(pending_dir(), _pending_name(), crypto.seal(raw))
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


@tasks.handler("flush_pending_mail")
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
            raw = crypto.unseal_bytes(raw)  # kept sealed; one from before sealing is plain
        except (crypto.KeyringError, crypto.InvalidTag) as exc:
            os.replace(path, path + UNREADABLE)
            # The folder, not the file name: its time stamp would look like a code in the log scan.
            log.error("a kept mail in %s does not open with the keyring (%s): moved aside as *%s",
                      folder, type(exc).__name__, UNREADABLE)
            continue
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


def seal_pending_files(app) -> int:
    """At start: seals the messages kept in outbox/pending/ before they were
    sealed at rest (each file atomically). Returns how many."""
    return reseal_pending(app.extensions["crypto"], app.instance_path, only_plain=True)


def pending_files(instance_path):
    folder = os.path.join(instance_path, OUTBOX, PENDING)
    try:
        return [os.path.join(folder, n) for n in sorted(os.listdir(folder)) if n.endswith(".eml")]
    except FileNotFoundError:
        return []


def reseal_pending(ring, instance_path, only_plain=False) -> int:
    """Seals every kept message not under the current key again under it
    (only_plain: only those never sealed). Returns how many."""
    done = 0
    for path in pending_files(instance_path):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            continue  # queued meanwhile
        kid = crypto.sealed_with(data)
        if kid == ring.current or (only_plain and kid is not None):
            continue
        try:
            plain = crypto.unseal(data, ring) if kid else data
        except (crypto.KeyringError, crypto.InvalidTag):
            continue  # left for flush_pending to move aside
        if os.path.exists(path):
            write_atomic(os.path.dirname(path), os.path.basename(path), crypto.seal(plain, ring))
            done += 1
    return done


def write_outbox(raw: bytes, undelivered: bool = False) -> str:
    """Keeps the message in the outbox table; ids sort oldest first. Returns
    a label for the log ("outbox #12"), never the recipient."""
    row = OutboxMail.create(raw=raw, undelivered=undelivered)
    return f"outbox #{row.id}"


def outbox_dir() -> str:
    return os.path.join(current_app.instance_path, OUTBOX)


def _pending_name():
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    return f"{stamp}-{secrets.token_hex(4)}.eml"


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


@tasks.handler("deliver_mail")
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


def _eml_name(row):
    suffix = "-undelivered" if row.undelivered else ""
    return f"{row.created_at:%Y%m%d-%H%M%S}-{row.id}{suffix}.eml"


@click.command("outbox")
@with_appcontext
@click.option("--simpan", "save_dir", default=None, type=click.Path(file_okay=False),
              help="Tulis setiap pesan sebagai berkas .eml (mode 0600) ke folder ini.")
@click.option("--kirim", "resend", is_flag=True,
              help="Kirim ulang pesan yang gagal terkirim lewat SMTP_HOST; yang terkirim keluar dari outbox.")
def outbox_command(save_dir, resend):
    """Pesan e-mail yang belum terkirim (tabel mail_outbox): jumlah, simpan sebagai .eml, kirim ulang."""
    rows = list(OutboxMail.select().order_by(OutboxMail.id))
    failed = sum(1 for r in rows if r.undelivered)
    click.echo(f"Outbox: {len(rows)} pesan, {failed} di antaranya gagal terkirim.")
    if save_dir:
        for row in rows:
            write_atomic(save_dir, _eml_name(row), bytes(row.raw))
        click.echo(f"{len(rows)} berkas .eml ditulis ke {save_dir}.")
    if resend:
        if not current_app.config.get("SMTP_HOST"):
            raise click.ClickException("SMTP_HOST belum diatur: tidak ada server untuk mengirim ulang.")
        sent = 0
        for row in rows:
            if not row.undelivered:
                continue
            try:
                _send_smtp(bytes(row.raw), current_app.config)
            except (smtplib.SMTPException, OSError, ValueError) as exc:
                click.echo(f"Pesan #{row.id} masih gagal ({_describe(exc)}).", err=True)
                continue
            OutboxMail.delete_by_id(row.id)
            sent += 1
        click.echo(f"{sent} pesan terkirim ulang.")
