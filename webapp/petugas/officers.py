"""Officer accounts: who may manage whom, and every step of an officer's
life — created, re-scoped, disabled, enrolled in TOTP by QR code (the
secret shown once), recovery codes, TOTP reset — each with its audit row.

The rule: an officer manages only officers BELOW their own level (a region
deeper than theirs: pusat → kabupaten/kota roles → desa operators) whose
region lies INSIDE their own. Never one above, never one beside (the same
level), never outside the region. `flask petugas buat` (actor None) makes
the first officer, with no one above it."""

import hashlib
import hmac
import secrets
from datetime import timedelta

import segno
from flask import current_app
from flask_babel import lazy_gettext as _l
from peewee import IntegrityError

from ..akun import audit, roles
from ..akun.models import ACTIVE, Account, utcnow
from ..akun.services import hash_password
from ..db import atomic_write
from ..errors import Refused
from ..identity import check_nik
from ..registry.models import Region
from . import scope, totp
from .models import OfficerEnrolment, OfficerProfile, RecoveryCode

NEW = "baru"
RESET = "reset"
RECOVERY_COUNT = 10
# No 0/O, 1/I/L: read aloud or copied from paper without mistakes.
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MIN_PASSWORD = 12


class OfficerError(Refused):
    """A refused step of officer management; .field is the form field it
    belongs to (the role select unless said otherwise)."""

    field = "peran"


def level(role):
    """How deep a role's region is: pusat 0, kabupaten/kota roles 2, desa 4."""
    return roles.ROLES[role]


def may_manage(actor):
    """Whether `actor` has anyone below them to manage (not desa operators)."""
    return roles.is_officer(actor) and level(actor.role) < max(roles.ROLES.values())


def roles_below(actor):
    """The roles `actor` may give: strictly deeper than their own."""
    if actor is None:
        return sorted(roles.ROLES)
    return [role for role in roles.ROLES if level(role) > level(actor.role)]


def check_target(actor, role, region_code):
    """The region code for `role`, checked: the right level, and inside the
    actor's region; raises OfficerError otherwise."""
    if role not in roles.ROLES:
        raise OfficerError(_l("Pilih peran petugas."))
    if actor is not None and role not in roles_below(actor):
        raise OfficerError(_l("Anda hanya dapat mengelola petugas di bawah tingkat Anda."))
    want = level(role)
    if want == 0:
        return None
    code = (region_code or "").strip()
    region = Region.get_or_none(Region.code == code) if len(code) <= 13 else None
    if region is None or region.level != want:
        raise OfficerError(_l("Kode wilayah desa/kelurahan, mis. 32.76.06.1001.") if want == 4
                           else _l("Kode wilayah kabupaten/kota, mis. 32.76."), "wilayah")
    if actor is not None and not scope.code_in_region(code, actor):
        raise OfficerError(_l("Wilayah itu di luar wilayah kerja Anda."), "wilayah")
    return code


def managed_by(actor):
    """The officers `actor` manages (below and inside), by e-mail."""
    query = (Account.select(Account, OfficerProfile).join(OfficerProfile)
             .where(Account.role.in_(roles_below(actor))))
    if actor.role != roles.PUSAT:
        query = query.where(scope.in_region(Account.region_scope, actor))
    return query.order_by(Account.email)


def get_managed(actor, public_id):
    """One officer `actor` manages, or a logged 404 (scope.deny)."""
    found = None
    if isinstance(public_id, str) and 0 < len(public_id) <= 64:
        found = managed_by(actor).where(Account.public_id == public_id).first()
    if found is None:
        scope.deny(actor, "petugas", public_id)
    return found


def _home_desa(scope_code):
    """Accounts need a desa; an officer's is the first one in their region."""
    query = Region.select(Region.code).where(Region.level == 4)
    if scope_code:
        query = query.where(scope.under(Region.code, scope_code))
    code = query.order_by(Region.code).scalar()
    if code is None:
        raise OfficerError(_l("Tidak ada desa di wilayah itu. Muat data wilayah dulu."), "wilayah")
    return code


def create(actor, email, nik, name, role, region_code, password=None):
    """A new officer below `actor`. With `password` (the CLI, the first
    officer) the TOTP secret is set at once and returned; without it (the
    UI) the officer sets both through a one-time enrolment link, and the
    link's token is returned. Returns (account, secret or None, token or None)."""
    region = check_target(actor, role, region_code)
    checked = check_nik(nik)
    if not checked.ok:
        raise OfficerError(checked.error, "nik")
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise OfficerError(_l("Masukkan alamat e-mail petugas."), "email")
    if password is not None and not MIN_PASSWORD <= len(password) <= 128:
        raise OfficerError(_l("Kata sandi petugas minimal 12 karakter."), "sandi")
    now = utcnow()
    secret = totp.new_secret()
    # Without a password the account cannot be signed in until enrolment sets one.
    password_hash = hash_password(password if password is not None else secrets.token_urlsafe(32))
    try:
        with atomic_write(f"nik:{checked.nik}"):
            account = Account.create(
                nik=checked.nik, no_kk="", name=(name or "").strip()[:120], street="", rt="", rw="",
                desa=_home_desa(region), phone="", email=email, password_hash=password_hash, state=ACTIVE,
                role=role, region_scope=region, consent_at=now, email_verified_at=now, created_at=now,
                updated_at=now)
            OfficerProfile.create(account=account, totp_secret=secret)
            audit.record(actor, "petugas_dibuat", "akun", account.public_id, region=region or "", detail=role)
            token = None if password is not None else _new_enrolment(actor, account, NEW)
    except IntegrityError:
        raise OfficerError(_l("NIK atau e-mail itu sudah dipakai akun lain."), "email") from None
    return account, (secret if password is not None else None), token


def rescope(actor, account, role, region_code):
    """Moves an officer (below `actor`) to another role/region (also below
    and inside); their sessions end."""
    region = check_target(actor, role, region_code)
    with atomic_write(f"account:{account.id}"):
        Account.update(role=role, region_scope=region, session_version=Account.session_version + 1).where(
            Account.id == account.id).execute()
        audit.record(actor, "petugas_wilayah", "akun", account.public_id, region=region or "", detail=role)


def set_active(actor, account, active):
    """Disables (or enables again) an officer; disabling ends their sessions."""
    with atomic_write(f"account:{account.id}"):
        OfficerProfile.update(active=bool(active)).where(OfficerProfile.account == account.id).execute()
        if not active:
            _end_sessions(account)
        audit.record(actor, "petugas_aktif" if active else "petugas_nonaktif", "akun", account.public_id,
                     region=account.region_scope or "")


def _end_sessions(account):
    Account.update(session_version=Account.session_version + 1).where(Account.id == account.id).execute()


def reset_totp(actor, account):
    """A higher officer resets a lost authenticator: the old secret and the
    recovery codes stop working at once, sessions end, and a one-time
    enrolment link (returned, shown once) lets the officer enrol again."""
    with atomic_write(f"account:{account.id}"):
        OfficerProfile.update(totp_secret=totp.new_secret(), totp_last_step=0).where(
            OfficerProfile.account == account.id).execute()
        RecoveryCode.delete().where(RecoveryCode.account == account.id).execute()
        OfficerEnrolment.update(used_at=utcnow()).where(
            (OfficerEnrolment.account == account.id) & OfficerEnrolment.used_at.is_null()).execute()
        Account.update(session_version=Account.session_version + 1).where(Account.id == account.id).execute()
        token = _new_enrolment(actor, account, RESET)
        audit.record(actor, "totp_reset", "akun", account.public_id, region=account.region_scope or "")
    return token


# -- enrolment links -----------------------------------------------------------
def _hash(kind, value):
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _new_enrolment(actor, account, purpose):
    token = secrets.token_urlsafe(24)
    hours = int(current_app.config.get("OFFICER_ENROLMENT_HOURS") or 72)
    OfficerEnrolment.create(account=account, token_hash=_hash("enrol", token), purpose=purpose,
                            created_by=getattr(actor, "id", None),
                            expires_at=utcnow() + timedelta(hours=hours))
    return token


def enrolment(token):
    """The open (unused, unexpired) enrolment a token names, or None."""
    if not isinstance(token, str) or not 10 <= len(token) <= 64:
        return None
    row = OfficerEnrolment.get_or_none(OfficerEnrolment.token_hash == _hash("enrol", token))
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        return None
    return row


def pending(account):
    """Whether the officer still has to enrol (an open link exists)."""
    return (OfficerEnrolment.select().where((OfficerEnrolment.account == account.id)
                                            & OfficerEnrolment.used_at.is_null()
                                            & (OfficerEnrolment.expires_at > utcnow())).exists())


def offer_secret(row, password=None):
    """Step 1 of enrolment: a new officer sets their password; then a fresh
    secret is offered (kept on the link until confirmed) and returned with
    its QR code (SVG data URI). Each call offers a new one: a secret is
    shown once."""
    if row.purpose == NEW and (password is None or not MIN_PASSWORD <= len(password) <= 128):
        raise OfficerError(_l("Kata sandi petugas minimal 12 karakter."), "sandi")
    secret = totp.new_secret()
    # Hashing is slow: never inside the write lock.
    password_hash = hash_password(password) if row.purpose == NEW else None
    with atomic_write(f"enrolment:{row.id}"):
        if password_hash is not None:
            Account.update(password_hash=password_hash, session_version=Account.session_version + 1,
                           updated_at=utcnow()).where(Account.id == row.account_id).execute()
        OfficerEnrolment.update(pending_secret=secret).where(OfficerEnrolment.id == row.id).execute()
        account = Account.get_by_id(row.account_id)
        audit.record(account, "totp_ditawarkan", "akun", account.public_id,
                     detail=f"{row.purpose}:sandi" if password_hash else row.purpose)
    return secret, qr_data_uri(totp.provisioning_uri(secret, account.email))


def qr_data_uri(uri):
    """The otpauth:// URI as a QR code: an SVG data URI drawn server-side."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def confirm(row, code, now=None):
    """Step 2: the first code from the app proves the secret was scanned.
    Then the secret becomes the officer's, the link is used up and new
    recovery codes are returned (shown once). Raises OfficerError."""
    secret = row.pending_secret
    step = totp.matching_step(secret, code, now) if secret else None
    if step is None:
        raise OfficerError(_l("Kode salah. Pindai kode QR lagi dan ketik kode yang sedang tampil."), "kode")
    with atomic_write(f"enrolment:{row.id}"):
        used = (OfficerEnrolment.update(used_at=utcnow())
                .where((OfficerEnrolment.id == row.id) & OfficerEnrolment.used_at.is_null()).execute())
        if not used:
            raise OfficerError(_l("Tautan ini sudah dipakai."), "kode")
        OfficerProfile.update(totp_secret=secret, totp_last_step=step).where(
            OfficerProfile.account == row.account_id).execute()
        account = Account.get_by_id(row.account_id)
        audit.record(account, "totp_terdaftar", "akun", account.public_id, detail=row.purpose)
        codes = _new_recovery_codes(account)
    return codes


# -- recovery codes ------------------------------------------------------------
def _normal_code(code):
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _new_recovery_codes(account):
    RecoveryCode.delete().where(RecoveryCode.account == account.id).execute()
    codes = []
    for _n in range(RECOVERY_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        RecoveryCode.create(account=account, code_hash=_hash("recovery", raw))
    audit.record(account, "kode_pemulihan", "akun", account.public_id, detail=f"dibuat:{RECOVERY_COUNT}")
    return codes


def new_recovery_codes(account):
    """A fresh set for a signed-in officer (the old ones stop working)."""
    with atomic_write(f"account:{account.id}"):
        return _new_recovery_codes(account)


def may_try(account):
    """An active officer whose account is not locked (wrong codes lock it)."""
    profile = OfficerProfile.get_or_none(OfficerProfile.account == account.id)
    return bool(profile and profile.active and not (account.locked_until and account.locked_until > utcnow()))


def looks_like_recovery_code(code):
    return len(_normal_code(code)) == 10 and not _normal_code(code).isdigit()


def use_recovery_code(account, code):
    """True once per code: the code is marked used in the same statement
    that checks it, so two requests cannot both use it."""
    digest = _hash("recovery", _normal_code(code))
    with atomic_write(f"account:{account.id}"):
        used = (RecoveryCode.update(used_at=utcnow())
                .where((RecoveryCode.account == account.id) & (RecoveryCode.code_hash == digest)
                       & RecoveryCode.used_at.is_null()).execute())
        if used:
            audit.record(account, "masuk_pemulihan", "akun", account.public_id,
                         detail=f"sisa:{remaining_recovery_codes(account)}")
    return bool(used)


def remaining_recovery_codes(account):
    return RecoveryCode.select().where((RecoveryCode.account == account.id)
                                       & RecoveryCode.used_at.is_null()).count()
