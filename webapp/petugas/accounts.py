"""An officer's check of a citizen's account (approve, or reject with one of
the fixed reasons), as a plain function; the citizen is told by e-mail.
Officers' own accounts are webapp.petugas.officers."""

from flask_babel import lazy_gettext as _l

from ..akun import audit, roles
from ..akun import services as akun_services
from ..delivery import notify
from ..i18n import gettext as _
from .decisions import DecisionRefused


def decide_account(officer, account, decision, reason=None):
    """Approve, or reject with one of the fixed reasons; the citizen is told."""
    if not roles.may_verify_accounts(officer):
        raise DecisionRefused(_l("Verifikasi akun bukan wewenang Anda."))
    if decision == "setujui":
        done = akun_services.approve(account)
        body = _("Akun Cek Bansos Anda sudah diverifikasi petugas dan sekarang aktif. "
                 "Anda dapat mengajukan usulan dan sanggahan.")
    elif decision == "tolak" and reason in akun_services.REJECT_REASONS:
        done = akun_services.reject(account, reason)
        what, todo = akun_services.REJECT_REASONS[reason]
        body = _("Akun Cek Bansos Anda belum dapat diverifikasi. Alasan: %(what)s\n\nYang perlu "
                 "dilakukan: %(todo)s", what=what, todo=todo)
    else:
        raise DecisionRefused(_l("Pilih setujui, atau tolak dengan alasan."))
    if not done:
        raise DecisionRefused(_l("Akun ini sudah diputuskan."))
    audit.record(officer, "putusan_akun", "akun", account.public_id, region=account.desa_code,
                 detail=decision if decision == "setujui" else f"tolak:{reason}")
    notify(account, _("Verifikasi akun Cek Bansos"), body)
