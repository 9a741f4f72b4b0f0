"""Officer decisions on objections (sanggahan) and withdrawals, and the
day-14 rule that decides the ones left too long, as plain functions; each
is one locked transaction with its audit row, the reporter told after."""

import logging

from flask_babel import lazy_gettext as _l

from .. import clock, tasks
from ..akun import audit, roles
from ..akun.models import Account
from ..db import atomic_write
from ..delivery import notify
from ..i18n import gettext as _
from ..registry.models import Enrollment
from ..registry.programs import quarter_of
from ..sanggahan import services as sanggahan
from .decisions import DecisionRefused

log = logging.getLogger(__name__)


def _end_upcoming(objection):
    """Enrollments after this quarter that the objection covers end too: an
    upheld objection must not leave the person in next period's list."""
    person = objection.person
    year, quarter = quarter_of(clock.today())
    later = (Enrollment.year > year) | ((Enrollment.year == year) & (Enrollment.quarter > quarter))
    mine = Enrollment.person == person.id
    if person.relationship == "Kepala Keluarga":
        mine = mine | ((Enrollment.household == person.household_id) & Enrollment.person.is_null())
    cond = later & mine & (Enrollment.status == "YA")
    if objection.program_code:
        cond &= Enrollment.program == objection.program_code
    ended = (sanggahan.WITHDRAW_REASON[1] if objection.kind == sanggahan.MUNDUR
             else sanggahan.REASONS.get(objection.reason, ("", "EXCLUDE – LAINNYA"))[1])
    Enrollment.update(status="TIDAK", stage="DIHENTIKAN", ended_reason=ended).where(cond).execute()


def decide_objection(officer, objection, decision, note):
    """Uphold (the enrollments end with the reason) or dismiss (a note for
    the reporter). Withdrawals are decided the same way."""
    if officer.role not in roles.OBJECTION_ROLES:
        raise DecisionRefused(_l("Sanggahan diputuskan oleh Dinas Sosial."))
    try:
        with atomic_write(f"objection:{objection.id}"):
            if decision == "terima":
                sanggahan.uphold(objection, officer, note)
                _end_upcoming(objection)
            elif decision == "tolak":
                sanggahan.dismiss(objection, officer, note)
            else:
                raise DecisionRefused(_l("Pilih terima atau tolak."))
            audit.record(officer, "putusan_sanggahan", "sanggahan", objection.public_id,
                         region=objection.person.desa_code, detail=f"{objection.kind}:{decision}")
    except sanggahan.DecisionError as exc:
        raise DecisionRefused(exc.message) from None
    account = Account.get_or_none(Account.id == objection.account_id)
    if account is not None:
        if decision == "terima":
            body = _("Laporan Anda sudah diperiksa Dinas Sosial dan diterima: bantuan yang dilaporkan "
                     "dihentikan. Terima kasih.")
        else:
            body = _("Laporan Anda sudah diperiksa Dinas Sosial dan tidak diterima. Catatan petugas: "
                     "%(note)s", note=(note or "").strip())
        notify(account, _("Hasil pemeriksaan laporan Anda"), body)
    return objection


@tasks.handler("objection_deadlines")
def apply_objection_deadlines(today=None):
    """The day-14 rule (webapp.sanggahan.services.uphold_lapsed) over every
    objection past its due date, each in one transaction with its audit row
    (`sanggahan_otomatis`) and the reporter told. Idempotent: decided ones
    are skipped. Off when SANGGAHAN_LAPSE_OUTCOME is None. Returns the count."""
    if sanggahan.lapse_outcome() != sanggahan.LAPSE_UPHOLD:
        return 0
    applied = []
    for objection in list(sanggahan.lapsed(today)):
        try:
            with atomic_write(f"objection:{objection.id}"):
                sanggahan.uphold_lapsed(objection)
                _end_upcoming(objection)
                audit.record(None, "sanggahan_otomatis", "sanggahan", objection.public_id,
                             region=objection.person.desa_code,
                             detail=f"hari_{sanggahan.handling_days()}:{sanggahan.UPHELD}")
        except sanggahan.DecisionError:
            continue
        applied.append(objection)
    for objection in applied:
        account = Account.get_or_none(Account.id == objection.account_id)
        if account is not None:
            notify(account, _("Sanggahan Anda diterima otomatis"),
                   _("Sanggahan Anda tidak ditindaklanjuti pemerintah daerah dalam %(n)d hari, sehingga "
                     "menurut aturan Usul–Sanggah dianggap diterima: bantuan penerima yang Anda "
                     "laporkan dihentikan.", n=sanggahan.handling_days()))
    if applied:
        log.info("day-14 rule applied to %d objection(s)", len(applied))
    return len(applied)
