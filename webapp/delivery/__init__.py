"""Telling a person something, whatever carries it (issue #16).

Features call three functions and never name a channel:

- send_code(account, purpose, code): a one-time code. A registration code
  goes to the contact being confirmed (the e-mail when given, else the phone);
  a new-password code to every contact the account has.
- notify(account, subject, body): approved, rejected, a proposal moved. Kept
  as a Notice for the citizen's own pages after sign-in, and sent on every
  channel the account can be reached on.
- code_destination(account): where a registration code went, for the page
  that asks for it ("e-mail" / "nomor HP"), or None when no channel can carry
  it (no e-mail, no SMS gateway): the account then waits for the officer.

A channel is a small object with `name`, `reaches(account)` and
`send(account, subject, text, short)`. E-mail (webapp.mail) and SMS (Kannel,
webapp.delivery.sms) exist; a WhatsApp channel would be one more class in
CHANNELS. Every channel queues its work on the job queue and keeps what it
could not deliver in the outbox; none logs a body, so codes never reach a log.
"""

import logging

from flask import current_app

from ..akun.models import Notice
from ..mail import send_mail

log = logging.getLogger(__name__)

VERIFY = "verify"
RESET = "reset"


class EmailChannel:
    name = "email"

    def reaches(self, account):
        return bool(getattr(account, "email", None))

    def send(self, account, subject, text, short):
        return send_mail(account.email, subject, text)  # False: the queue is down, the mail waits


class SmsChannel:
    name = "sms"

    def reaches(self, account):
        return bool(current_app.config.get("SMS_KANNEL_URL") and getattr(account, "phone", None))

    def send(self, account, subject, text, short):
        sms.send_sms(account.phone, short or f"{subject}: {text}")
        return True


CHANNELS = (EmailChannel(), SmsChannel())


def channels_for(account):
    return [channel for channel in CHANNELS if channel.reaches(account)]


def _verify_channel(account):
    reach = channels_for(account)
    return reach[0] if reach else None  # e-mail first: it is the contact the code confirms


def code_destination(account):
    channel = _verify_channel(account)
    return channel.name if channel else None


def send_code(account, purpose, subject, text, short):
    """Sends a code on the channel(s) for `purpose`. Returns the names of
    the channels that took it now (empty: nothing can carry it, or the queue
    is down and it is delayed)."""
    first = _verify_channel(account)
    chosen = ([first] if first else []) if purpose == VERIFY else channels_for(account)
    return [c.name for c in chosen if c.send(account, subject, text, short) is not False]


def notify(account, subject, body, short=None):
    """Keeps the notice for the citizen's own pages, then sends it on each
    channel. A channel failing to queue never hides the notice."""
    Notice.create(account=account.id, subject=str(subject)[:200], body=str(body)[:2000])
    for channel in channels_for(account):
        try:
            channel.send(account, subject, body, short)
        except Exception:  # noqa: BLE001 - the notice is kept; the failure is logged without content
            log.exception("notice could not be queued on %s", channel.name)


def notices_for(account, limit=10):
    return list(Notice.select().where(Notice.account == account.id)
                .order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit))


from . import sms  # noqa: E402,F401 - registers its model for the schema
