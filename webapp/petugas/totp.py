"""Time-based one-time codes (RFC 6238) for officers: each code works once,
wrong codes count towards the same lock as wrong passwords (webapp.akun)."""

import time

import pyotp

from ..akun import services as akun_services
from ..akun.models import Account, utcnow
from ..db import atomic_write
from .models import OfficerProfile

ISSUER = "Cek Bansos Lite"
STEP = 30
# One step either side: a phone clock a little off still works.
WINDOW = 1


def new_secret():
    return pyotp.random_base32()


def provisioning_uri(secret, email):
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def matching_step(secret, code, now=None):
    """The time step a 6-digit code belongs to (within the window), or None."""
    now = time.time() if now is None else now
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    return _matching_step(secret, code, now)


def _matching_step(secret, code, now):
    totp = pyotp.TOTP(secret)
    current = int(now // STEP)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if pyotp.utils.strings_equal(totp.at(step * STEP), code):
            return step
    return None


def verify(account, code, now=None):
    """"ok", "wrong", "used" (a replayed code), "locked" or "inactive".
    The step of an accepted code is stored so the same code (or an older
    one) is refused afterwards, on any worker."""
    now = time.time() if now is None else now
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    with atomic_write(f"account:{account.id}"):
        account = Account.get_by_id(account.id)
        profile = OfficerProfile.get_or_none(OfficerProfile.account == account.id)
        if profile is None or not profile.active:
            return "inactive"
        if account.locked_until and account.locked_until > utcnow():
            return "locked"
        step = _matching_step(profile.totp_secret, code, now) if len(code) == 6 else None
        if step is not None and step > profile.totp_last_step:
            OfficerProfile.update(totp_last_step=step).where(OfficerProfile.id == profile.id).execute()
            Account.update(failed_logins=0, locked_until=None).where(Account.id == account.id).execute()
            return "ok"
        failures = account.failed_logins + 1
        lock = None
        if failures >= akun_services.MAX_FAILURES:
            failures, lock = 0, utcnow() + akun_services.LOCK_FOR
        Account.update(failed_logins=failures, locked_until=lock).where(Account.id == account.id).execute()
        return "used" if step is not None else ("locked" if lock else "wrong")
