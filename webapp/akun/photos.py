"""The KTP photo and the selfie: checked and re-encoded by webapp.uploads,
one row per kind, a new upload replacing the old one."""

import logging

from .. import uploads
from ..clock import utcnow
from ..db import atomic_write
from .models import PHOTOS, REJECTED, Photo, new_public_id

log = logging.getLogger(__name__)

KINDS = ("ktp", "selfie")
# States in which photos may still change (not while an officer looks at them).
EDITABLE = (PHOTOS, REJECTED)


def photos_of(account):
    return {p.kind: p for p in Photo.select().where(Photo.account == account)}


def has_both(account):
    return set(photos_of(account)) >= set(KINDS)


def save_photo(account, kind, file_storage):
    """Stores the upload and points the account's row at it. Raises
    uploads.UploadError with a message for the person. The file is in place
    before the row names it, and the old file goes only after the commit."""
    data = uploads.process_image(file_storage)
    with uploads.changes() as files, atomic_write(f"account:{account.id}"):
        name = files.store(data, "akun")
        row = Photo.get_or_none((Photo.account == account) & (Photo.kind == kind))
        if row is None:
            row = Photo.create(account=account, kind=kind, name=name)
        else:
            files.delete(row.name)
            Photo.update(name=name, created_at=utcnow(), public_id=new_public_id()).where(
                Photo.id == row.id).execute()
    log.info("photo stored account=%d kind=%s", account.id, kind)


def owned(account, public_id):
    """The account's photo with this public id, or None (never someone else's)."""
    if account is None or not isinstance(public_id, str) or len(public_id) > 32:
        return None
    return Photo.get_or_none((Photo.public_id == public_id) & (Photo.account == account))

