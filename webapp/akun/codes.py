"""Six-digit e-mail codes: random, stored as an HMAC, single use, short-lived,
locked after a few wrong tries, and not sent too often."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from ..clock import utcnow
from ..db import atomic_write
from .models import EmailCode

VERIFY = "verify"
RESET = "reset"
# Issued in person by an officer who checked the KTP (issue #16): longer, and
# living OFFICER_RESET_CODE_MINUTES.
OFFICER = "petugas"
OFFICER_DIGITS = 8
TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
RESEND_GAP = timedelta(seconds=60)
PER_HOUR = 5


class TooSoon(Exception):
    def __init__(self, wait_seconds):
        super().__init__(wait_seconds)
        self.wait_seconds = wait_seconds


@dataclass
class CodeCheck:
    outcome: str  # ok / wrong / expired / locked / none
    tries_left: int = 0

    @property
    def ok(self):
        return self.outcome == "ok"


def _digest(account_id, purpose, code):
    # Keyed with the app secret: a copied database alone does not reveal
    # codes by trying all million of them.
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{account_id}:{purpose}:{code}".encode(), hashlib.sha256).hexdigest()


def issue_code(account, purpose, now=None, ttl=None, digits=6):
    """A new code for `account` (the previous ones stop working). Raises
    TooSoon when asked again within a minute or too often in an hour."""
    now = now or utcnow()
    with atomic_write(f"account:{account.id}"):
        recent = list(EmailCode.select(EmailCode.created_at)
                      .where((EmailCode.account == account) & (EmailCode.purpose == purpose)
                             & (EmailCode.created_at > now - timedelta(hours=1)))
                      .order_by(EmailCode.created_at.desc()))
        if recent and now - recent[0].created_at < RESEND_GAP:
            raise TooSoon(int((RESEND_GAP - (now - recent[0].created_at)).total_seconds()) + 1)
        if len(recent) >= PER_HOUR:
            raise TooSoon(int((recent[-1].created_at + timedelta(hours=1) - now).total_seconds()) + 1)
        (EmailCode.update(used_at=now)
         .where((EmailCode.account == account) & (EmailCode.purpose == purpose)
                & EmailCode.used_at.is_null()).execute())
        code = f"{secrets.randbelow(10**digits):0{digits}d}"
        EmailCode.create(account=account, purpose=purpose, code_hash=_digest(account.id, purpose, code),
                         created_at=now, expires_at=now + (ttl or TTL))
    return code


def check_code(account, purpose, typed, now=None):
    """Checks `typed` against the account's live code and uses it up when right."""
    now = now or utcnow()
    typed = (typed or "").strip().replace(" ", "").replace("-", "")
    with atomic_write(f"account:{account.id}"):
        row = (EmailCode.select()
               .where((EmailCode.account == account) & (EmailCode.purpose == purpose)
                      & EmailCode.used_at.is_null())
               .order_by(EmailCode.created_at.desc()).first())
        if row is None:
            return CodeCheck("none")
        if row.attempts >= MAX_ATTEMPTS:
            return CodeCheck("locked")
        if row.expires_at <= now:
            return CodeCheck("expired")
        right = hmac.compare_digest(row.code_hash, _digest(account.id, purpose, typed))
        if right and typed.isascii() and typed.isdigit():
            EmailCode.update(used_at=now).where(EmailCode.id == row.id).execute()
            return CodeCheck("ok")
        attempts = row.attempts + 1
        EmailCode.update(attempts=attempts).where(EmailCode.id == row.id).execute()
        if attempts >= MAX_ATTEMPTS:
            return CodeCheck("locked")
        return CodeCheck("wrong", MAX_ATTEMPTS - attempts)
