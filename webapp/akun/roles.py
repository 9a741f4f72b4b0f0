"""The officer roles (Account.role other than "warga") and what each may do.

THE vocabulary of the back office, next to Account so the public side
(usulan, sanggahan) can name a role without importing webapp.petugas.
Which role decides each proposal step lives with the steps
(webapp.usulan.states.STAGE_ROLES); the queries that limit an officer to
their region live in webapp.petugas.scope.

Roles and the level of their region_scope:
    operator_desa                              a desa/kelurahan (32.76.06.1001)
    dinsos_verifikator, dinsos_kepala, pemda   a kabupaten/kota (32.76)
    pusat                                      the whole country (no scope)
"""

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..registry.regions import is_within

OPERATOR = "operator_desa"
VERIFIKATOR = "dinsos_verifikator"
KEPALA = "dinsos_kepala"
PEMDA = "pemda"
PUSAT = "pusat"
# Role → the region level its scope names (0: none, the whole country).
ROLES = {OPERATOR: 4, VERIFIKATOR: 2, KEPALA: 2, PEMDA: 2, PUSAT: 0}
ROLE_LABELS = {
    OPERATOR: _l("Operator desa/kelurahan"),
    VERIFIKATOR: _l("Verifikator Dinas Sosial"),
    KEPALA: _l("Kepala Dinas Sosial"),
    PEMDA: _l("Pemerintah daerah"),
    PUSAT: _l("Pusat"),
}
DINSOS = (VERIFIKATOR, KEPALA)

# Who may verify citizens' accounts (and issue them a password code): see
# account_roles(); ACCOUNT_VERIFY_BY_DESA adds the desa/kelurahan operator.
ACCOUNT_ROLES = DINSOS + (PUSAT,)
OBJECTION_ROLES = DINSOS
IMPORT_ROLES = DINSOS + (PUSAT,)
AUDIT_ROLES = (KEPALA, PUSAT)
# Who reads the Tanggapan Kelayakan counts: the desa's officers and Dinas Sosial.
TANGGAPAN_ROLES = (OPERATOR,) + DINSOS
# Who reads the SMS lookup's volume and refused numbers (no region: the
# office's whole).
SMS_ROLES = DINSOS + (PUSAT,)
# Who records home visits (Dinas Sosial, at the verification step).
VISIT_ROLES = DINSOS
# Who records a musyawarah desa/kelurahan.
MUSYAWARAH_ROLES = (OPERATOR,)
# Who sees a proposal's full NIK on its file; the others see it masked.
FULL_DATA_ROLES = DINSOS + (PUSAT, OPERATOR)
# Who gets the full NIK and name in the export (verification, national
# checks); the others get them masked.
FULL_EXPORT_ROLES = DINSOS + (PUSAT,)


def label(role):
    return ROLE_LABELS.get(role, "")


def is_officer(account):
    return account is not None and account.role in ROLES


def account_roles():
    """The roles that verify accounts in this installation (issue #16): the
    desa operator of the account's desa too, unless ACCOUNT_VERIFY_BY_DESA
    is off (only Dinas Sosial and pusat)."""
    if current_app.config.get("ACCOUNT_VERIFY_BY_DESA", True):
        return (OPERATOR,) + ACCOUNT_ROLES
    return ACCOUNT_ROLES


def may_verify_accounts(officer):
    return officer is not None and officer.role in account_roles()


def may_see_full_data(officer):
    return officer.role in FULL_DATA_ROLES


def may_export_full_data(officer):
    return officer.role in FULL_EXPORT_ROLES


def may_visit(officer):
    """May record a home visit (on a proposal at the verification step)."""
    return officer.role in VISIT_ROLES


def covers(officer, code):
    """`code` (a region code) lies inside the officer's region: pusat covers
    the whole country; an officer without a scope covers nothing."""
    if officer.role == PUSAT:
        return True
    return is_within(code, officer.region_scope)
