"""The audio captcha's recorded digits, the same on every host.

espeak-ng records them into CAPTCHA_VOICES_DIR (`flask captcha-voices`,
`flask setup`). A page offers audio when this host has them, so a host that
never recorded them would 404 the audio another host offered. Therefore the
recordings are also kept in the database (table captcha_voice): `flask setup`
and `flask captcha-voices` publish them there, and a host missing them copies
them from there into its folder before its first request (no espeak-ng
needed on that host). Every host then speaks the same recordings.
"""

import logging
import os
import threading

from flask import current_app
from peewee import BlobField, CharField

from .captcha.media import voices_complete, voices_dir
from .db import BaseModel, register
from .storage import write_atomic

log = logging.getLogger(__name__)
_lock = threading.Lock()


@register
class CaptchaVoice(BaseModel):
    path = CharField(primary_key=True, max_length=20)  # "<digit>/v<variant>.wav"
    data = BlobField()

    class Meta:
        table_name = "captcha_voice"


def ready(directory) -> bool:
    """Every digit and every spoken instruction is recorded here (the same
    test the captcha uses to offer audio)."""
    return voices_complete(directory)


def _folder_name_ok(name) -> bool:
    # Digits and the instruction phrases ("intro", "again"): plain names only.
    return name.isascii() and name.isalnum()


def _local_files(directory):
    for digit in sorted(os.listdir(directory)):
        folder = os.path.join(directory, digit)
        if _folder_name_ok(digit) and os.path.isdir(folder):
            for name in sorted(os.listdir(folder)):
                if name.endswith(".wav"):
                    yield f"{digit}/{name}", os.path.join(folder, name)


def publish(directory) -> int:
    """Stores this host's recordings in the database (replacing what is
    there). Returns how many files."""
    db = CaptchaVoice._meta.database
    files = list(_local_files(directory))
    with db.atomic():
        CaptchaVoice.delete().execute()
        for path, full in files:
            with open(full, "rb") as f:
                CaptchaVoice.create(path=path, data=f.read())
    return len(files)


def fetch(directory) -> int:
    """Writes the database's recordings into `directory`, digit 9 and the
    phrases last, so `ready()` only says yes once all are there. Returns how
    many files."""
    rows = sorted(CaptchaVoice.select(), key=lambda r: (r.path.split("/")[0] == "9" or
                                                        not r.path.split("/")[0].isdigit(), r.path))
    for row in rows:
        digit, name = row.path.split("/")
        if not (_folder_name_ok(digit) and name.endswith(".wav") and "/" not in name and ".." not in name):
            continue
        write_atomic(os.path.join(directory, digit), name, bytes(row.data))
    return len(rows)


def sync(directory, record=None) -> str:
    """Makes this host's folder and the database agree: "published" (this
    host had them, the database not), "fetched" (the reverse), "recorded"
    (neither: `record(directory)` made them, then published), "ready"
    (both), or "missing" (none anywhere, no espeak-ng)."""
    stored = CaptchaVoice.select().exists()
    if ready(directory):
        if stored:
            return "ready"
        publish(directory)
        return "published"
    if stored:
        fetch(directory)
        return "fetched"
    if record and record(directory):
        publish(directory)
        return "recorded"
    return "missing"


def _before_first_request():
    app = current_app._get_current_object()
    if app.extensions.get("voices_checked"):
        return
    with _lock:
        if app.extensions.get("voices_checked"):
            return

        directory = voices_dir()
        try:
            if not ready(directory) and CaptchaVoice.select().exists():
                count = fetch(directory)
                log.info("captcha voices: %d files copied from the database", count)
        except Exception:  # noqa: BLE001 - no table yet (before `flask setup`) or a read-only folder: audio stays off
            log.warning("captcha voices could not be copied from the database", exc_info=True)
        app.extensions["voices_checked"] = True


def init_app(app):
    app.before_request(_before_first_request)
