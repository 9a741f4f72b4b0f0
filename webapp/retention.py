"""Retention (UU PDP: keep personal data no longer than needed).

`flask purge` deletes, files included: drafts nobody touched for
RETENTION_DRAFT_DAYS, accounts that never confirmed their e-mail within
RETENTION_UNVERIFIED_DAYS, and the documents of proposals closed for
RETENTION_CLOSED_DOCS_DAYS. `flask sweep-uploads` removes files no row points
at (e.g. left by a worker killed between writing a file and its row).
"""

import logging
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from . import uploads
from .akun.models import EMAIL, Account, Photo, utcnow
from .db import atomic_write
from .sanggahan.models import Objection
from .usulan.models import Proposal, ProposalDocument
from .usulan.services import CLOSED, DRAFT

log = logging.getLogger(__name__)


def _delete_files(names):
    for name in names:
        uploads.delete(name)


def purge(now_local=None, now_utc=None) -> dict:
    """Deletes what is past its retention period; returns the counts."""
    cfg = current_app.config
    now_local = now_local or datetime.now()  # proposals store local time
    now_utc = now_utc or utcnow()  # accounts store UTC
    counts = {}
    with atomic_write():
        drafts = list(Proposal.select().where(
            (Proposal.status == DRAFT)
            & (Proposal.updated_at < now_local - timedelta(days=cfg["RETENTION_DRAFT_DAYS"]))))
        files = [d.stored_name for p in drafts for d in p.documents]
        for p in drafts:
            p.delete_instance(recursive=True)
        counts["draf"] = len(drafts)

        closed_docs = list(ProposalDocument.select().join(Proposal).where(
            Proposal.status.in_(sorted(CLOSED))
            & (Proposal.updated_at < now_local - timedelta(days=cfg["RETENTION_CLOSED_DOCS_DAYS"]))))
        files += [d.stored_name for d in closed_docs]
        ProposalDocument.delete().where(ProposalDocument.id.in_([d.id for d in closed_docs])).execute()
        counts["dokumen_usulan_selesai"] = len(closed_docs)

        stale = list(Account.select().where(
            (Account.state == EMAIL)
            & (Account.created_at < now_utc - timedelta(days=cfg["RETENTION_UNVERIFIED_DAYS"]))))
        files += [ph.name for a in stale for ph in a.photos]
        for account in stale:
            account.delete_instance(recursive=True)
        counts["akun_belum_verifikasi"] = len(stale)
    # Files go only after the rows are gone for good: a crash in between
    # leaves orphan files (swept later), never rows pointing at nothing.
    _delete_files(files)
    counts["berkas"] = len(files)
    _audit("purge", counts)
    return counts


def referenced_uploads() -> set:
    """Every stored upload name some row points at."""
    names = {n for (n,) in Photo.select(Photo.name).tuples()}
    names |= {n for (n,) in ProposalDocument.select(ProposalDocument.stored_name).tuples()}
    names |= {n for (n,) in Objection.select(Objection.photo).where(Objection.photo.is_null(False)).tuples()}
    for extra in current_app.extensions.get("upload_references", []):
        names |= set(extra())
    return names


def _audit(action, counts):
    """Counts only: never names or numbers of people."""
    log.info("%s %s", action, " ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    record = current_app.extensions.get("audit")
    if record:
        record(action=action, detail=counts)


@click.command("purge")
@with_appcontext
def purge_command():
    """Deletes expired drafts, unverified accounts and closed proposals' documents."""
    counts = purge()
    click.echo("Dihapus: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@click.command("sweep-uploads")
@with_appcontext
def sweep_command():
    """Removes uploaded files that no record points at (after an hour's grace)."""
    removed = uploads.sweep_orphans(referenced_uploads())
    _audit("sweep-uploads", {"berkas": removed})
    click.echo(f"{removed} berkas yatim dihapus.")
