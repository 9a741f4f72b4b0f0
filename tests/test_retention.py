"""Retention: `flask purge` and `flask sweep-uploads` (SECURITY.md 26, 28)."""

import os
import secrets
import time
from datetime import datetime, timedelta

from webapp import uploads
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
                        updated_at=datetime.now() - timedelta(days=age_days))
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
