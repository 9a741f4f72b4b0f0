"""Retention: `flask purge` and `flask sweep-uploads` (SECURITY.md 26, 28)."""

import os
import secrets
import time
from datetime import timedelta

import pytest

from webapp import clock, uploads
from webapp.akun.models import EMAIL, Account, Photo, utcnow
from webapp.usulan.models import Proposal, ProposalDocument

from .conftest import new_account, synthetic_nik


def _jpeg():
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, "JPEG")
    return out.getvalue()


def _proposal(account, status, age_days, with_doc=True):
    p = Proposal.create(public_id=secrets.token_urlsafe(12), account_id=account.id, status=status,
                        no_kk="3276060101100011", nik=account.nik,
                        updated_at=clock.utcnow() - timedelta(days=age_days))
    if with_doc:
        ProposalDocument.create(proposal=p, kind="kk", stored_name=uploads.store(_jpeg(), "usulan"))
    return p


def test_purge_removes_what_is_past_its_period_files_included(app, runner, db):
    active = new_account()
    old_draft = _proposal(active, "draf", 120)
    new_draft = _proposal(active, "draf", 5)
    closed = _proposal(active, "ditolak", 400)
    open_one = _proposal(active, "verifikasi", 400)
    stale = new_account(state=EMAIL, nik=synthetic_nik(serial="0099"), email="lama@example.com")
    Account.update(created_at=utcnow() - timedelta(days=30)).where(Account.id == stale.id).execute()
    stale_photo = Photo.create(account=stale, kind="ktp", name=uploads.store(_jpeg(), "ktp"))
    doomed = [d.stored_name for d in old_draft.documents] + [d.stored_name for d in closed.documents]
    doomed.append(stale_photo.name)

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "draf 1" in result.output and "akun_belum_verifikasi 1" in result.output

    assert not Proposal.select().where(Proposal.id == old_draft.id).exists()
    assert Proposal.select().where(Proposal.id == new_draft.id).exists()
    assert Proposal.select().where(Proposal.id == closed.id).exists()  # the record stays
    assert not closed.documents.exists()  # its documents go
    assert open_one.documents.exists()  # a proposal still in review keeps everything
    assert not Account.select().where(Account.id == stale.id).exists()
    assert Account.select().where(Account.id == active.id).exists()
    for name in doomed:
        assert not os.path.exists(os.path.join(uploads.upload_root(), name)), name


def test_sweep_removes_orphans_but_keeps_referenced_and_fresh_files(app, runner, db):
    account = new_account()
    kept = _proposal(account, "draf", 1).documents.get().stored_name
    orphan = uploads.store(_jpeg(), "usulan")
    fresh_orphan = uploads.store(_jpeg(), "usulan")
    old = time.time() - 7200
    for name in (kept, orphan):
        os.utime(os.path.join(uploads.upload_root(), name), (old, old))

    result = runner.invoke(args=["sweep-uploads"])
    assert result.exit_code == 0, result.output
    root = uploads.upload_root()
    assert os.path.exists(os.path.join(root, kept))
    assert not os.path.exists(os.path.join(root, orphan))
    assert os.path.exists(os.path.join(root, fresh_orphan))  # may be mid-request


def _age(*names, seconds=7200):
    old = time.time() - seconds
    for name in names:
        os.utime(os.path.join(uploads.upload_root(), name), (old, old))


def _exists(name):
    return os.path.exists(os.path.join(uploads.upload_root(), name))


def test_sweep_keeps_every_kind_of_upload_officers_included(app, runner, db):
    """Officer uploads (home-visit photos, berita acara) are records too: the
    sweep must not take them; real orphans in those folders still go."""

    from webapp.petugas.models import Musyawarah, StageRecord, VisitPhoto
    from webapp.sanggahan.models import Objection

    account = new_account()
    proposal = _proposal(account, "verifikasi", 1)
    kept = [proposal.documents.get().stored_name]
    kept.append(Photo.create(account=account, kind="ktp", name=uploads.store(_jpeg(), "akun")).name)
    meeting = Musyawarah.create(desa_code="32.76.06.1001", held_on=clock.today(), officer_id=account.id,
                                berita_acara=uploads.store(_jpeg(), "musyawarah"))
    record = StageRecord.create(proposal=proposal, stage="verifikasi", officer_id=account.id)
    visit = VisitPhoto.create(record=record, stored_name=uploads.store(_jpeg(), "kunjungan"))
    kept += [meeting.berita_acara, visit.stored_name]
    objection_photo = uploads.store(_jpeg(), "sanggahan")
    Objection.update(photo=objection_photo).execute()  # no objection rows in the template: nothing changes
    orphans = [uploads.store(_jpeg(), folder) for folder in ("akun", "usulan", "kunjungan", "musyawarah")]
    orphans.append(objection_photo)
    _age(*kept, *orphans)

    result = runner.invoke(args=["sweep-uploads"])
    assert result.exit_code == 0, result.output
    assert "5 berkas yatim dihapus" in result.output
    for name in kept:
        assert _exists(name), name
    for name in orphans:
        assert not _exists(name), name


# Text columns long enough to hold a stored name ("folder/<32 chars>.jpg",
# 38 characters or more) that are NOT upload names. A new column must be added
# either here or to webapp.retention.UPLOAD_COLUMNS, on purpose.
NOT_UPLOADS = {
    "Notice.subject", "Notice.body", "SmsSent.number_key", "SmsLookup.number_key", "SmsLookup.nik_key",
    "Region.name", "Household.address", "Person.name", "Person.name_norm",
    "Program.name", "Program.description", "Enrollment.ended_reason", "StageRecord.desil_reason",
    "Account.name", "Account.street", "Account.email", "Account.password_hash", "Account.state",
    "EmailCode.code_hash", "LoginThrottle.key", "ClientThrottle.key",
    "Proposal.name", "Proposal.birth_place", "Proposal.occupation", "Proposal.street",
    "Proposal.conditions", "Proposal.reason", "Proposal.programs",
    "ProposalMember.name", "ProposalMember.occupation", "ProposalEvent.note",
    "Objection.note", "Objection.decision_note", "OfficerProfile.totp_secret",
    "AuditLog.object_id", "AuditLog.detail", "AuditLog.ip",
    "StageRecord.checklist", "StageRecord.notes", "ImportJob.report",
    "Objection.location_note", "OfficerEnrolment.token_hash", "OfficerEnrolment.pending_secret",
    "RecoveryCode.code_hash",
    "PeriodicRun.job", "PeriodicRun.slot",
    "StoredFile.name",  # the stored file itself (webapp.storage), not a reference to one
    "ApiKey.name", "ApiKey.key_hash", "ApiKey.rate_limit",
}


def test_every_column_that_can_hold_an_upload_name_is_classified(app):
    from peewee import CharField, TextField

    from webapp.db import all_models
    from webapp.retention import UPLOAD_COLUMNS

    shortest = len("a/" + secrets.token_urlsafe(24) + ".jpg")
    uploads_listed = {f"{f.model.__name__}.{f.name}" for f in UPLOAD_COLUMNS}
    seen = set()
    for model in all_models():
        for field in model._meta.sorted_fields:
            length = getattr(field, "max_length", None) or shortest  # TextField: unlimited
            if isinstance(field, (CharField, TextField)) and length >= shortest:
                seen.add(f"{model.__name__}.{field.name}")
    unclassified = seen - uploads_listed - NOT_UPLOADS
    assert not unclassified, (
        f"{sorted(unclassified)}: if a column stores an upload name, add it to "
        "webapp.retention.UPLOAD_COLUMNS (or `flask sweep-uploads` deletes its files); "
        "otherwise add it to NOT_UPLOADS here")
    assert uploads_listed <= seen
    assert {"VisitPhoto.stored_name", "Musyawarah.berita_acara"} <= uploads_listed


def test_every_upload_folder_in_the_code_is_covered_by_a_column():
    """The folders the code stores into (uploads.store(data, "<folder>"), or
    files.store(…) in uploads.changes()) are exactly those the sweep test
    above fills: a new folder means a new kind of upload, whose column must be
    in UPLOAD_COLUMNS and in that test."""
    import pathlib
    import re

    code = pathlib.Path(__file__).resolve().parent.parent / "webapp"
    folders = set()
    for path in code.rglob("*.py"):
        folders |= set(re.findall(r"(?:uploads|files)\.store\(.*,\s*\"([a-z0-9_-]+)\"\)", path.read_text()))
    assert folders == {"akun", "usulan", "sanggahan", "kunjungan", "musyawarah"}, folders


def _audit_rows(action):
    from webapp.petugas.models import AuditLog

    return list(AuditLog.select().where(AuditLog.action == action))


def test_purge_and_sweep_write_their_counts_to_the_audit_log(app, runner, db):
    active = new_account()
    _proposal(active, "draf", 120)
    _proposal(active, "ditolak", 400)
    stale = new_account(state=EMAIL, nik=synthetic_nik(serial="0099"), email="lama@example.com")
    Account.update(created_at=utcnow() - timedelta(days=30)).where(Account.id == stale.id).execute()
    Photo.create(account=stale, kind="ktp", name=uploads.store(_jpeg(), "akun"))

    assert runner.invoke(args=["purge"]).exit_code == 0
    [row] = _audit_rows("purge")
    assert row.detail == "draf:1,dokumen:1,akun:1,sms:0,berkas:3"
    assert row.actor_id is None and row.actor_role == "sistem" and row.object_type == "retensi"
    for secret in (active.nik, stale.nik, active.name, stale.email):
        assert secret not in f"{row.detail} {row.object_id}"

    _age(uploads.store(_jpeg(), "usulan"), uploads.store(_jpeg(), "kunjungan"))
    assert runner.invoke(args=["sweep-uploads"]).exit_code == 0
    [row] = _audit_rows("sweep_uploads")
    assert row.detail == "berkas:2"


@pytest.mark.app_config(RETENTION_DRAFT_DAYS=10, RETENTION_UNVERIFIED_DAYS=60, RETENTION_CLOSED_DOCS_DAYS=500)
def test_retention_periods_are_configurable(app, runner, db):
    account = new_account()
    draft_20_days = _proposal(account, "draf", 20)  # default 90 would keep it
    closed_400_days = _proposal(account, "ditolak", 400)  # default 180 would empty it
    stale = new_account(state=EMAIL, nik=synthetic_nik(serial="0099"), email="lama@example.com")
    Account.update(created_at=utcnow() - timedelta(days=30)).where(Account.id == stale.id).execute()

    assert runner.invoke(args=["purge"]).exit_code == 0
    assert not Proposal.select().where(Proposal.id == draft_20_days.id).exists()
    assert closed_400_days.documents.exists()
    assert Account.select().where(Account.id == stale.id).exists()  # default 7 would delete it
    assert _audit_rows("purge")[0].detail == "draf:1,dokumen:0,akun:0,sms:0,berkas:1"
