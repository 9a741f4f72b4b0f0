"""Retention (UU PDP: keep personal data no longer than needed).

`flask purge` deletes, files included: drafts nobody touched for
RETENTION_DRAFT_DAYS, accounts that never confirmed their e-mail within
RETENTION_UNVERIFIED_DAYS, and the documents of proposals closed for
RETENTION_CLOSED_DOCS_DAYS, and the SMS lookup log (number and NIK as HMACs,
kept for the limits and the officers' page) after RETENTION_SMS_LOOKUP_DAYS.
`flask sweep-uploads` removes files no row points
at (e.g. left by a worker killed between writing a file and its row).

Both record what they deleted, as counts only, in the audit log.

Every column that stores an upload name is listed in UPLOAD_COLUMNS; the
sweep keeps whatever any of them points at. tests/test_retention.py fails
when a model gains a text column long enough to hold an upload name that is
neither listed here nor declared not to be one, so a new upload column
cannot be forgotten (a forgotten one would have its files swept away).
"""

import logging
from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from huey import crontab

from . import tasks, uploads
from .akun import audit
from .akun.models import CODE_STATES, Account, Photo
from .clock import utcnow
from .db import atomic_write, is_sqlite
from .petugas.models import Musyawarah, VisitPhoto
from .sanggahan.models import Objection
from .sms.models import SmsLookup
from .usulan.models import Proposal, ProposalDocument
from .usulan.services import CLOSED, DRAFT

log = logging.getLogger(__name__)


@tasks.periodic("purge", crontab(hour="2", minute="30"))
def purge(now_utc=None) -> dict:
    """Deletes what is past its retention period; returns the counts."""
    cfg = current_app.config
    now_utc = now_utc or utcnow()  # every stored time is naive UTC (webapp/clock.py)
    counts = {}
    with uploads.changes() as changes, atomic_write("retention"):
        drafts = list(Proposal.select().where(
            (Proposal.status == DRAFT)
            & (Proposal.updated_at < now_utc - timedelta(days=cfg["RETENTION_DRAFT_DAYS"])))
            .for_update(not is_sqlite()))  # a draft edited meanwhile is no longer past its time
        files = [d.stored_name for p in drafts for d in p.documents]
        for p in drafts:
            p.delete_instance(recursive=True)
        counts["draf"] = len(drafts)

        closed_docs = list(ProposalDocument.select().join(Proposal).where(
            Proposal.status.in_(sorted(CLOSED))
            & (Proposal.updated_at < now_utc - timedelta(days=cfg["RETENTION_CLOSED_DOCS_DAYS"]))))
        files += [d.stored_name for d in closed_docs]
        ProposalDocument.delete().where(ProposalDocument.id.in_([d.id for d in closed_docs])).execute()
        counts["dokumen_usulan_selesai"] = len(closed_docs)

        stale = list(Account.select().where(
            Account.state.in_(CODE_STATES)
            & (Account.created_at < now_utc - timedelta(days=cfg["RETENTION_UNVERIFIED_DAYS"])))
            .for_update(not is_sqlite()))
        files += [ph.name for a in stale for ph in a.photos]
        for account in stale:
            account.delete_instance(recursive=True)
        counts["akun_belum_verifikasi"] = len(stale)

        counts["sms_cek"] = SmsLookup.delete().where(
            SmsLookup.at < now_utc - timedelta(days=cfg["RETENTION_SMS_LOOKUP_DAYS"])).execute()
        # Files go with the rows: in the same transaction on the database
        # backend; from a folder only after the commit, so a crash in between
        # leaves orphan files (swept later), never rows pointing at nothing.
        for name in files:
            changes.delete(name)
    counts["berkas"] = len(files)
    _audit("purge", counts)
    return counts


# Every model field that holds a stored upload name ("folder/name.jpg").
UPLOAD_COLUMNS = (
    Photo.name,  # akun/: KTP and selfie
    ProposalDocument.stored_name,  # usulan/: e-KTP, KK, SKTM, house
    Objection.photo,  # sanggahan/: evidence
    VisitPhoto.stored_name,  # kunjungan/: Dinas Sosial home visits
    Musyawarah.berita_acara,  # musyawarah/: minutes of the village meeting
)


def referenced_uploads() -> set:
    """Every stored upload name some row points at."""
    names = set()
    for field in UPLOAD_COLUMNS:
        query = field.model.select(field).where(field.is_null(False)).tuples()
        names |= {n for (n,) in query if n}
    for extra in current_app.extensions.get("upload_references", []):
        names |= set(extra())
    return names


# Short keys: AuditLog.detail holds 60 characters.
_AUDIT_KEYS = {"draf": "draf", "dokumen_usulan_selesai": "dokumen", "akun_belum_verifikasi": "akun",
               "sms_cek": "sms", "berkas": "berkas"}


def _audit(action, counts):
    """One audit-log row with the counts; never names or numbers of people."""
    detail = ",".join(f"{_AUDIT_KEYS.get(k, k)}:{v}" for k, v in counts.items())
    log.info("%s %s", action, detail)
    audit.record(None, action, "retensi", detail=detail)


@tasks.periodic("sweep_uploads", crontab(hour="3", minute="15"))
def sweep() -> int:
    """Removes stored files no row points at (webapp.uploads.sweep_orphans);
    audits the count. Returns it."""
    removed = uploads.sweep_orphans(referenced_uploads())
    _audit("sweep_uploads", {"berkas": removed})
    return removed


@click.command("purge")
@with_appcontext
def purge_command():
    """Menghapus draf kedaluwarsa, akun yang tidak diverifikasi, dan dokumen usulan yang sudah selesai."""
    counts = purge()
    click.echo("Dihapus: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@click.command("sweep-uploads")
@with_appcontext
def sweep_command():
    """Menghapus berkas unggahan yang tidak dirujuk data apa pun (setelah jeda satu jam)."""
    removed = sweep()
    click.echo(f"{removed} berkas yatim dihapus.")
