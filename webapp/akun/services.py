"""Account rules as plain functions, shared by the views, the CLI and tests."""

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from peewee import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from .. import delivery, throttle
from ..clock import utcnow
from ..db import atomic_write
from ..db import lock as db_lock
from ..i18n import gettext as _
from . import audit, codes
from .models import (
    ACTIVE,
    CODE_STATES,
    EMAIL,
    OFFICER,
    PHONE,
    PHOTOS,
    REJECTED,
    Account,
    LoginThrottle,
)
from .photos import has_both
from .session import current_account  # noqa: F401 - the entry point other features use

log = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
# Checked when no account matches, so a wrong identifier costs as long as a
# wrong password and timing does not tell them apart.
_DUMMY_HASH = generate_password_hash("tidak-ada-akun-ini", method="scrypt")

# The reasons a verifier may give, with what the person can do about them.
REJECT_REASONS = {
    "foto_buram": (_l("Foto KTP buram atau terbalik."),
                   _l("Foto ulang KTP di tempat terang, tegak dan tidak goyang, lalu kirim lagi.")),
    "tanpa_swafoto": (_l("Tidak ada swafoto sambil memegang KTP."),
                      _l("Unggah swafoto yang menampakkan wajah Anda dan KTP yang Anda pegang.")),
    "ktp_fotokopi": (_l("Foto KTP berupa fotokopi."),
                     _l("Foto KTP asli Anda, bukan fotokopi atau hasil pindaian.")),
    "di_bawah_umur": (_l("Pemilik KTP belum berumur 17 tahun."),
                      _l("Akun hanya untuk umur 17 tahun ke atas. Mintalah orang tua mendaftar.")),
    "data_tidak_sesuai": (_l("Data yang diisi tidak sesuai dengan KTP."),
                          _l("Datang ke kantor desa/kelurahan dengan KTP dan KK untuk memperbaiki data.")),
}
# Rejections a new photo can fix; for the others the profile sends the person
# elsewhere (REJECT_REASONS' advice), not to the photo upload.
PHOTO_REASONS = frozenset({"foto_buram", "tanpa_swafoto", "ktp_fotokopi"})


class Duplicate(Exception):
    def __init__(self, field):
        super().__init__(field)
        self.field = field  # "nik" or "email"


@dataclass
class SignIn:
    account: Account | None
    locked_until: datetime | None = None

    @property
    def ok(self):
        return self.account is not None


def hash_password(password):
    return generate_password_hash(password, method="scrypt")


def first_state(email):
    """With an e-mail: its code. Without: the phone's code when an SMS
    gateway is configured, else straight to the photos (the officer's check
    at the kantor desa or Dinas Sosial then stands for the contact check)."""
    if email:
        return EMAIL
    return PHONE if current_app.config.get("SMS_KANNEL_URL") else PHOTOS


def register_account(nik, no_kk, name, street, rt, rw, desa_code, phone, email, password):
    """Creates the account in its first state; `email` may be empty (issue
    #16). The unique indexes, not an earlier look-up, decide whether NIK or
    e-mail is taken."""
    now = utcnow()
    email = (email or "").strip().lower() or None
    # Hashing (scrypt, ~80 ms) before the transaction: no writer waits on it.
    password_hash = hash_password(password)
    try:
        with atomic_write(f"nik:{nik}"):
            account = Account.create(nik=nik, no_kk=no_kk, name=name, street=street, rt=rt, rw=rw,
                                     desa=desa_code, phone=phone, email=email,
                                     password_hash=password_hash, state=first_state(email),
                                     consent_at=now, created_at=now, updated_at=now)
    except IntegrityError:
        taken = "nik" if Account.select().where(Account.nik == nik).exists() else "email"
        raise Duplicate(taken) from None
    log.info("account registered id=%d", account.id)
    return account


def find_account(identifier):
    """By NIK (16 digits, spaces allowed) or e-mail."""
    text = (identifier or "").strip()
    digits = text.replace(" ", "")
    if len(digits) == 16 and digits.isascii() and digits.isdigit():
        return Account.get_or_none(Account.nik == digits)
    if "@" not in text:
        return None
    return Account.get_or_none(Account.email == text.lower())


def _throttle_key(identifier):
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, identifier.strip().lower().encode(), hashlib.sha256).hexdigest()


def authenticate(identifier, password, now=None):
    """The account when identifier and password match. After MAX_FAILURES
    wrong tries the identifier is locked for LOCK_FOR, whether or not an
    account exists; counters live in the database, shared by all workers.
    The password is compared (scrypt, ~80 ms) outside any transaction; only
    the counter update takes the write lock, and re-reads the counters there."""
    now = now or utcnow()
    account = find_account(identifier)
    if account is None:
        row = LoginThrottle.get_or_none(LoginThrottle.key == _throttle_key(identifier))
        locked = row.locked_until if row else None
    else:
        locked = account.locked_until
    if locked and locked > now:
        return SignIn(None, locked)
    seen_hash = account.password_hash if account else _DUMMY_HASH
    right = check_password_hash(seen_hash, password)
    with atomic_write(f"sign-in:{_throttle_key(identifier)}"):
        if account is None:
            row, _created = LoginThrottle.get_or_create(key=_throttle_key(identifier))
            failures, locked = row.failures, row.locked_until
        else:
            # By NIK or by e-mail: the same account's counters, one at a time.
            db_lock(f"account:{account.id}")
            account = Account.get_or_none(Account.id == account.id)
            if account is None:
                return SignIn(None)
            failures, locked = account.failed_logins, account.locked_until
        if locked and locked > now:
            return SignIn(None, locked)
        if account is not None and right and account.password_hash == seen_hash:
            Account.update(failed_logins=0, locked_until=None).where(Account.id == account.id).execute()
            return SignIn(account)
        failures += 1
        lock = now + LOCK_FOR if failures >= MAX_FAILURES else None
        if lock:
            failures = 0
        if account is None:
            LoginThrottle.update(failures=failures, locked_until=lock).where(
                LoginThrottle.key == row.key).execute()
        else:
            Account.update(failed_logins=failures, locked_until=lock).where(
                Account.id == account.id).execute()
        return SignIn(None, lock)


def client_blocked(address, now=None):
    """True while the client at `address` has used up a LOGIN_RATE_LIMIT
    window with failed sign-ins. Counted in the database (webapp.throttle),
    so the limit holds across every gunicorn worker and host without Redis."""
    return throttle.used_up("sign-in", address, current_app.config["LOGIN_RATE_LIMIT"], now)


def record_client_failure(address, now=None):
    """Counts one failed sign-in from `address` in each window; a window that
    has ended starts again. Ended windows of any client are deleted after a day."""
    throttle.count("sign-in", address, current_app.config["LOGIN_RATE_LIMIT"], now)


def set_password(account, password):
    """A new password signs the account out everywhere and lifts a lock."""
    Account.update(password_hash=hash_password(password), session_version=Account.session_version + 1,
                   failed_logins=0, locked_until=None, updated_at=utcnow()).where(
        Account.id == account.id).execute()


def send_code(account, purpose):
    """Issues a code and sends it (webapp.delivery picks e-mail or SMS).
    Returns the channels that took it now (empty: delayed or none). Raises codes.TooSoon."""
    code = codes.issue_code(account, purpose)
    if purpose == codes.VERIFY:
        # A registration code goes by e-mail only to confirm that e-mail (SMS uses `short`).
        subject = _("Kode konfirmasi e-mail Cek Bansos")
        intro = _("Masukkan kode ini untuk mengonfirmasi alamat e-mail Anda:")
    else:
        subject = _("Kode untuk mengganti kata sandi Cek Bansos")
        intro = _("Masukkan kode ini untuk membuat kata sandi baru:")
    warning = _("Kode berlaku 10 menit dan hanya dapat dipakai sekali. "
                "Jangan berikan kode ini kepada siapa pun, termasuk petugas.")
    body = "\n\n".join([intro, code, warning, _("Jika Anda tidak memintanya, abaikan e-mail ini.")])
    short = _("Kode Cek Bansos: %(code)s. Berlaku 10 menit. Jangan berikan kepada siapa pun, "
              "termasuk petugas.", code=code)
    return delivery.send_code(account, purpose, subject, body, short)


def confirm_email(account, typed):
    """The registration code (by e-mail, or by SMS for an account without
    e-mail): right → on to the photos."""
    result = codes.check_code(account, codes.VERIFY, typed)
    if result.ok:
        changes = {"email_verified_at": utcnow()} if account.state == EMAIL else {}
        with atomic_write(f"account:{account.id}"):
            Account.update(state=PHOTOS, updated_at=utcnow(), **changes).where(
                (Account.id == account.id) & (Account.state.in_(CODE_STATES))).execute()
    return result


def issue_officer_reset_code(officer, account):
    """A one-time password code an officer hands over after checking the KTP
    in person (issue #16). The officer sees the code once and never the
    password; the citizen types a new password with it. Audited. Raises
    codes.TooSoon. The caller (webapp.petugas) checks who may do this."""
    ttl = timedelta(minutes=current_app.config["OFFICER_RESET_CODE_MINUTES"])
    with atomic_write(f"account:{account.id}"):
        code = codes.issue_code(account, codes.OFFICER, ttl=ttl, digits=codes.OFFICER_DIGITS)
        audit.record(officer, "kode_sandi_petugas", "akun", account.public_id, region=account.desa_code,
                     detail="diterbitkan")
    log.info("officer reset code issued for account id=%d", account.id)
    return code


def reset_with_officer_code(account, typed, password):
    """Uses an officer-issued code: right → the new password, audited."""
    result = codes.check_code(account, codes.OFFICER, typed)
    if result.ok:
        with atomic_write(f"account:{account.id}"):
            set_password(account, password)
            audit.record(None, "kode_sandi_petugas", "akun", account.public_id, region=account.desa_code,
                         detail="dipakai")
    elif result.outcome in ("wrong", "locked", "expired"):
        audit.record(None, "kode_sandi_petugas", "akun", account.public_id, region=account.desa_code,
                     detail=f"gagal:{result.outcome}")
    return result


def _move(account, allowed_from, **changes):
    with atomic_write(f"account:{account.id}"):
        count = Account.update(updated_at=utcnow(), **changes).where(
            (Account.id == account.id) & (Account.state.in_(allowed_from))).execute()
    return bool(count)


def submit_for_review(account):
    if not has_both(account):
        return False
    return _move(account, (PHOTOS, REJECTED), state=OFFICER, reject_reason=None)


def approve(account):
    done = _move(account, (OFFICER,), state=ACTIVE, reject_reason=None)
    if done:
        log.info("account approved id=%d", account.id)
    return done


def reject(account, reason):
    if reason not in REJECT_REASONS:
        raise ValueError(reason)
    done = _move(account, (OFFICER,), state=REJECTED, reject_reason=reason)
    if done:
        log.info("account rejected id=%d reason=%s", account.id, reason)
    return done
