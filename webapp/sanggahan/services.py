"""Objections and withdrawals: sending them, listing them, and the two
decisions officers (issue #5) take: `uphold()` and `dismiss()`."""

import secrets
from datetime import timedelta

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from .. import clock
from ..db import atomic_write
from ..errors import Refused
from ..registry.models import Enrollment, Person
from ..registry.programs import quarter_of
from .models import Objection

# The pemda handles an objection within this many days (SANGGAHAN_HANDLING_DAYS).
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

# Reasons whose evidence is the recipient's house: a photo of it is required
# (and where it stands). For the others a house photo proves nothing — a
# death is shown by a death certificate or the desa's records, a move by the
# new address, an ASN/TNI/Polri post by the employer, a double entry by the
# registry itself — so the photo stays optional there.
PHOTO_REQUIRED = frozenset({"mampu"})
PHOTO_HINTS = {
    "mampu": _l("Wajib: foto rumah penerima dari luar (tampak depan), dan lokasinya."),
    "meninggal": _l("Tidak perlu foto rumah: kematian dibuktikan dengan surat kematian atau data desa."),
    "pindah": _l("Foto boleh tidak ada: tulis alamat baru bila Anda tahu."),
    "asn": _l("Foto boleh tidak ada: sebut instansi tempat bekerja bila Anda tahu."),
    "ganda": _l("Foto boleh tidak ada: data ganda diperiksa dari data penerima."),
    "lainnya": _l("Foto boleh tidak ada."),
}

# Indonesia lies within these bounds; a typed coordinate outside is a typo.
LATITUDE_RANGE = (-11.5, 6.5)
LONGITUDE_RANGE = (94.5, 141.5)

# What happens to an objection nobody handled by its due date
# (SANGGAHAN_LAPSE_OUTCOME): the real Usul–Sanggah rule is that after 14 days
# without the pemda's follow-up the reported recipient is declared not
# eligible, i.e. the objection counts as upheld. None: it only shows as late.
LAPSE_UPHOLD = "diterima"


class DecisionError(Refused):
    field = "reason"  # the form field the message belongs to, unless told


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


def handling_days():
    if has_app_context():
        return int(current_app.config.get("SANGGAHAN_HANDLING_DAYS") or HANDLING_DAYS)
    return HANDLING_DAYS


def lapse_outcome():
    if has_app_context():
        return current_app.config.get("SANGGAHAN_LAPSE_OUTCOME", LAPSE_UPHOLD)
    return LAPSE_UPHOLD


def due_date(sent=None):
    """The date by which an objection sent on `sent` (today) is handled."""
    return (sent or clock.today()) + timedelta(days=handling_days())


def lapse_date(due):
    """The day the day-14 rule decides an objection still pending after
    `due` (its due date), or None when the installation switched it off."""
    return due + timedelta(days=1) if lapse_outcome() == LAPSE_UPHOLD else None


def photo_required(reason):
    return reason in PHOTO_REQUIRED


def check_location(latitude, longitude, note, required):
    """(latitude, longitude, note) checked; raises DecisionError with the
    message to show. Coordinates come in pairs and inside Indonesia."""
    if (latitude is None) != (longitude is None):
        raise DecisionError(_l("Isi garis lintang dan garis bujur, atau kosongkan keduanya."), "lokasi")
    inside = latitude is None or (LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]
                                  and LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1])
    if not inside:
        raise DecisionError(_l("Koordinat itu di luar Indonesia. Periksa angkanya, atau tulis "
                               "keterangan lokasi saja."), "lokasi")
    if required and latitude is None and not note:
        raise DecisionError(_l("Sertakan lokasi rumah penerima: tekan Gunakan lokasi saya, ketik "
                               "koordinat, atau tulis keterangan lokasinya."), "lokasi")
    return latitude, longitude, note or None


def check_evidence(reason, has_photo, location):
    """The evidence rule of an objection, before anything is stored: the
    house photo where the reason needs it, and a location in that case
    (coordinates or a description). Returns the checked location."""
    needed = photo_required(reason)
    if needed and not has_photo:
        raise DecisionError(_l("Lampirkan foto rumah penerima: wajib untuk alasan Sudah mampu."), "foto")
    return check_location(*location, required=needed)


def create(account, person, kind, reason, note, honest, photo=None, program=None, today=None,
           location=(None, None, None)):
    """Records an objection or withdrawal; the handling window ends 14 days on.
    While one is pending for the same person (and program), that one is
    returned instead of a second. A "Sudah mampu" objection needs the house
    photo and a location (`location`: latitude, longitude, description)."""
    if not honest:
        raise DecisionError(_l("Centang pernyataan bahwa data yang Anda sampaikan benar."))
    if kind == SANGGAH and reason not in REASONS:
        raise DecisionError(_l("Pilih alasan sanggahan."))
    if kind == SANGGAH:
        latitude, longitude, place = check_evidence(reason, bool(photo), location)
    else:
        latitude = longitude = place = None
    start = today or clock.today()
    with atomic_write(f"objection-of:{person.id}"):
        # A double "Kirim" (two workers at once) gives the same one back.
        already = pending_for(account, person, program if kind == MUNDUR else None)
        if already is not None:
            return already
        return Objection.create(
            public_id=secrets.token_urlsafe(16), account_id=account.id, kind=kind, person=person,
            program=program, reason=reason if kind == SANGGAH else WITHDRAW_REASON[0], note=note or None,
            photo=photo, latitude=latitude, longitude=longitude, location_note=place, honest=True,
            status=PENDING, due_date=due_date(start))


def own_person(account):
    """The registry Person whose NIK is the account's, or None."""
    return Person.get_or_none(Person.nik == account.nik)


def covered(person, program_code=None, today=None):
    """This quarter's YA enrollments of `person`: personal ones, and the
    household's if they head it; only `program_code` when given."""
    year, quarter = quarter_of(today or clock.today())
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


def _decide(objection, officer, note, status, auto=False):
    with atomic_write(f"objection:{objection.id}"):
        current = Objection.get_by_id(objection.id)
        if current.status != PENDING:
            raise DecisionError(_l("Sanggahan ini sudah diputuskan."))
        objection.status = status
        objection.decided_at = clock.utcnow()
        objection.decided_by = getattr(officer, "id", None)
        objection.decided_auto = auto
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


def lapsed(today=None):
    """Pending objections (not withdrawals) whose due date has passed."""
    return (Objection.select().where((Objection.status == PENDING) & (Objection.kind == SANGGAH)
                                     & (Objection.due_date < (today or clock.today())))
            .order_by(Objection.due_date, Objection.id))


def uphold_lapsed(objection):
    """The day-14 rule for one objection: nobody handled it by its due date,
    so it is upheld as the real Usul–Sanggah flow does (the reported
    recipient is declared not eligible), marked as decided automatically.
    Raises DecisionError if it was decided meanwhile, so a second run (or
    an officer's decision at the same moment) never decides it twice."""
    return _decide(objection, None, None, UPHELD, auto=True)
