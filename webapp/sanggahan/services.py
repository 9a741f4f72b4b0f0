"""Objections and withdrawals: sending them, listing them, and the two
decisions officers (issue #5) take: `uphold()` and `dismiss()`."""

import secrets
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l

from ..db import atomic_write
from ..registry.models import Enrollment, Person
from ..registry.programs import quarter_of
from .models import Objection

HANDLING_DAYS = 14
SANGGAH = "sanggah"
MUNDUR = "mundur"

PENDING = "menunggu"
UPHELD = "diterima"
DISMISSED = "ditolak"
STATUS_LABELS = {
    PENDING: _l("Menunggu tindak lanjut"),
    UPHELD: _l("Diterima: bantuan dihentikan"),
    DISMISSED: _l("Tidak diterima"),
}

# Reason code → (label, the registry's ended_reason when upheld).
REASONS = {
    "mampu": (_l("Sudah mampu"), "EXCLUDE – MAMPU"),
    "meninggal": (_l("Sudah meninggal dunia"), "EXCLUDE – MENINGGAL"),
    "pindah": (_l("Sudah pindah domisili"), "EXCLUDE – PINDAH"),
    "asn": (_l("PNS/ASN, TNI atau Polri"), "EXCLUDE – ASN/TNI/POLRI"),
    "ganda": (_l("Data ganda"), "EXCLUDE – GANDA"),
    "lainnya": (_l("Alasan lain"), "EXCLUDE – LAINNYA"),
}
WITHDRAW_REASON = ("mundur", "EXCLUDE – MENGUNDURKAN DIRI")


class DecisionError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def status_label(status):
    return STATUS_LABELS.get(status, status)


def reason_label(objection):
    if objection.kind == MUNDUR:
        return _l("Mengundurkan diri")
    return REASONS.get(objection.reason, (objection.reason,))[0]


def own(account, public_id):
    if account is None or not public_id:
        return None
    return Objection.get_or_none((Objection.public_id == public_id) & (Objection.account_id == account.id))


def own_objections(account):
    return list(Objection.select().where(Objection.account_id == account.id)
                .order_by(Objection.created_at.desc()))


def pending_for(account, person, program=None):
    """The account's pending objection (or withdrawal of `program`) for `person`."""
    query = Objection.select().where((Objection.account_id == account.id) & (Objection.person == person)
                                     & (Objection.status == PENDING))
    if program is not None:
        query = query.where(Objection.program == program)
    return query.first()


def due_date(sent=None):
    """The date by which an objection sent on `sent` (today) is handled."""
    return (sent or date.today()) + timedelta(days=HANDLING_DAYS)


def create(account, person, kind, reason, note, honest, photo=None, program=None, today=None):
    """Records an objection or withdrawal; the handling window ends 14 days on.
    While one is pending for the same person (and program), that one is
    returned instead of a second."""
    if not honest:
        raise DecisionError(_l("Centang pernyataan bahwa data yang Anda sampaikan benar."))
    if kind == SANGGAH and reason not in REASONS:
        raise DecisionError(_l("Pilih alasan sanggahan."))
    start = today or date.today()
    with atomic_write(f"objection-of:{person.id}"):
        # A double "Kirim" (two workers at once) gives the same one back.
        already = pending_for(account, person, program if kind == MUNDUR else None)
        if already is not None:
            return already
        return Objection.create(
            public_id=secrets.token_urlsafe(16), account_id=account.id, kind=kind, person=person,
            program=program, reason=reason if kind == SANGGAH else WITHDRAW_REASON[0], note=note or None,
            photo=photo, honest=True, status=PENDING, due_date=due_date(start))


def own_person(account):
    """The registry Person whose NIK is the account's, or None."""
    return Person.get_or_none(Person.nik == account.nik)


def covered(person, program_code=None, today=None):
    """This quarter's YA enrollments of `person`: personal ones, and the
    household's if they head it; only `program_code` when given."""
    year, quarter = quarter_of(today or date.today())
    cond = (Enrollment.year == year) & (Enrollment.quarter == quarter) & (Enrollment.status == "YA")
    mine = Enrollment.person == person.id
    if person.relationship == "Kepala Keluarga":
        mine = mine | ((Enrollment.household == person.household_id) & Enrollment.person.is_null())
    if program_code:
        cond = cond & (Enrollment.program == program_code)
    return Enrollment.select().where(cond & mine).order_by(Enrollment.program)


def own_enrollments(account, today=None):
    """Enrollments the account holder may withdraw from (matched by NIK)."""
    person = own_person(account)
    return [] if person is None else list(covered(person, today=today))


def _decide(objection, officer, note, status):
    with atomic_write(f"objection:{objection.id}"):
        current = Objection.get_by_id(objection.id)
        if current.status != PENDING:
            raise DecisionError(_l("Sanggahan ini sudah diputuskan."))
        objection.status = status
        objection.decided_at = datetime.now()
        objection.decided_by = getattr(officer, "id", None)
        objection.decision_note = (note or "").strip() or None
        objection.save()
        if status == UPHELD:
            ended = (WITHDRAW_REASON[1] if objection.kind == MUNDUR
                     else REASONS.get(objection.reason, ("", "EXCLUDE – LAINNYA"))[1])
            ids = [e.id for e in covered(objection.person, objection.program_code)]
            if ids:
                (Enrollment.update(status="TIDAK", stage="DIHENTIKAN", ended_reason=ended)
                 .where(Enrollment.id.in_(ids)).execute())
    return objection


def uphold(objection, officer, note=None):
    """The objection (or withdrawal) is right: this quarter's enrollments it
    covers end (status TIDAK, stage DIHENTIKAN, ended_reason EXCLUDE – …)."""
    return _decide(objection, officer, note, UPHELD)


def dismiss(objection, officer, note):
    """The objection is not right; the note (required) tells the citizen why."""
    if not (note or "").strip():
        raise DecisionError(_l("Tulis alasan sanggahan tidak diterima."))
    return _decide(objection, officer, note, DISMISSED)
