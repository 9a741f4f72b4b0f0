"""Who a citizen may object to: this quarter's recipients in their own desa
(listed and searched by tanggapan.py), chosen through an encrypted token
(opaque: no registry or account id can be read from a URL)."""

import base64
import binascii
import hashlib
import os
import struct
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from .. import clock
from ..registry.models import Enrollment, Person, Program
from ..registry.programs import quarter_of, stage_label

TOKEN_MAX_AGE = 24 * 3600


def _current(today=None):
    year, quarter = quarter_of(today or clock.today())
    return (Enrollment.year == year) & (Enrollment.quarter == quarter) & (Enrollment.status == "YA")


def recipient_filter(today=None):
    """A person receives when enrolled personally, or as head of a household
    that is enrolled as a whole."""
    personal = Enrollment.select(Enrollment.person).where(_current(today) & Enrollment.person.is_null(False))
    household = Enrollment.select(Enrollment.household).where(_current(today) & Enrollment.person.is_null())
    return (Person.id.in_(personal)
            | ((Person.relationship == "Kepala Keluarga") & Person.household.in_(household)))


def programs_of(persons, today=None):
    """{person id: [program names]} received this quarter."""
    return {pid: [name for name, _stage in rows] for pid, rows in program_stages_of(persons, today).items()}


def program_stages_of(persons, today=None):
    """{person id: [(program name, disbursement stage label)]} this quarter."""
    names = {p.code: p.name for p in Program.select()}
    by_person = {p.id: {} for p in persons}
    heads = {p.household_id: p.id for p in persons if p.relationship == "Kepala Keluarga"}
    rows = Enrollment.select().where(_current(today) & (
        Enrollment.person.in_(list(by_person)) | (Enrollment.person.is_null()
                                                  & Enrollment.household.in_(list(heads)))))
    for e in rows:
        pid = e.person_id if e.person_id else heads.get(e.household_id)
        if pid in by_person:
            by_person[pid][e.program_code] = e.stage
    order = [p.code for p in Program.select().order_by(Program.sort)]
    return {pid: [(names[c], stage_label(codes[c])) for c in order if c in codes]
            for pid, codes in by_person.items()}


_TOKEN_AAD = b"sanggahan-penerima:v2"


def _cipher():
    """AES-GCM under a key derived from the app's secret for this use only:
    the token in /sanggahan/baru/<token> is opaque (no row id can be read
    from it) and cannot be made or changed without the secret."""
    key = hashlib.sha256(b"sanggahan-penerima-token:" + current_app.config["SECRET_KEY"].encode()).digest()
    return AESGCM(key)


def token_for(account, person_id, now=None):
    issued = int(now if now is not None else time.time())
    nonce = os.urandom(12)
    plain = struct.pack(">QQQ", person_id, account.id, issued)
    return base64.urlsafe_b64encode(nonce + _cipher().encrypt(nonce, plain, _TOKEN_AAD)).decode().rstrip("=")


def _open_token(token, now=None):
    """(person id, account id) of a token made here within TOKEN_MAX_AGE, or None
    (changed, forged, too old, or of the earlier signed format)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        person_id, account_id, issued = struct.unpack(
            ">QQQ", _cipher().decrypt(raw[:12], raw[12:], _TOKEN_AAD))
    except (InvalidTag, ValueError, TypeError, struct.error, binascii.Error):
        return None
    now = now if now is not None else time.time()
    if not 0 <= now - issued <= TOKEN_MAX_AGE:
        return None
    return person_id, account_id


def person_from_token(account, token, today=None):
    """The recipient a token names, if it was made for this account and the
    person still receives in the account's desa; else None."""
    opened = _open_token(token)
    if opened is None:
        return None
    person_id, account_id = opened
    if account_id != account.id:
        return None
    return (Person.select().where((Person.id == person_id) & (Person.desa == account_desa(account))
                                  & recipient_filter(today)).first())


def account_desa(account):
    return getattr(account, "desa_code", None) or getattr(account, "desa_id", None)
