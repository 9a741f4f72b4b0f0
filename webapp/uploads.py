"""Photo uploads (KTP, KK, selfie, evidence), handled as hostile input.

A file is accepted by what its bytes are, never by its name or the browser's
mimetype; it is decoded only after its header shows a sane size, then
re-encoded to a fresh JPEG, so nothing the sender put in it survives: no EXIF
(GPS), no ICC profile, no comment, no bytes after the image (HTML/JPEG
polyglots). Files get server-chosen names and reach their final name only
complete (webapp.storage: a temp file renamed, or a row in the same
transaction), so a killed worker never leaves half a photo behind a real name.

Stored names are relative ("usulan/<random>.jpg"); where the bytes live is
webapp.storage's business (UPLOAD_STORAGE: the folder UPLOAD_FOLDER, by
default <instance>/uploads, or the database).
"""

import contextlib
import fcntl
import io
import logging
import os
import re
import secrets
import threading

from cryptography.exceptions import InvalidTag
from flask import abort, current_app, send_file
from PIL import Image, ImageOps, UnidentifiedImageError

from . import crypto, storage
from .errors import Refused
from .i18n import gettext as _
from .storage import TEMP_SUFFIX, upload_root  # noqa: F401 - TEMP_SUFFIX: part of this module's interface

log = logging.getLogger(__name__)

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 82
TEMP_MAX_AGE = 3600

_FOLDER = re.compile(r"[a-z0-9_-]{1,64}")
_FILE = re.compile(r"[A-Za-z0-9_-]{1,128}\.jpg")


class UploadError(Refused):
    """A file we will not keep; `message` tells the person what to do."""


# -- checking and re-encoding ------------------------------------------------
def _read_limited(source, limit):
    stream = getattr(source, "stream", source)  # a werkzeug FileStorage or any binary stream
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadError(_("Foto lebih besar dari %(mb)d MB. Perkecil ukuran foto lalu kirim lagi.",
                            mb=limit // (1024 * 1024)))
    if not data:
        raise UploadError(_("Berkas kosong. Pilih foto lain."))
    return data


def _too_many_pixels(max_pixels):
    return UploadError(_("Resolusi foto terlalu besar (lebih dari %(mp)d megapiksel). "
                         "Perkecil foto lalu kirim lagi.", mp=max_pixels // 1_000_000))


def _open(data, max_pixels, max_full_pixels=None):
    """Reads only the header: format and size, no pixels yet. JPEG is
    decoded reduced (draft), so it may have up to `max_pixels`; PNG and WebP
    are decoded in full, so they may have only `max_full_pixels`."""
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own process-wide limit (larger than ours) caught it first.
        raise _too_many_pixels(max_pixels) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise UploadError(_("Berkas bukan foto JPG, PNG atau WebP. Pilih foto lain.")) from None
    if image.format not in ACCEPTED_FORMATS:
        raise UploadError(_("Berkas bukan foto JPG, PNG atau WebP. Pilih foto lain."))
    if image.width * image.height > max_pixels:
        raise _too_many_pixels(max_pixels)
    if image.format != "JPEG" and max_full_pixels and image.width * image.height > max_full_pixels:
        raise _too_many_pixels(max_full_pixels)
    return image


# Decodes at once per worker process: each may hold a full PNG/WebP
# (UPLOAD_MAX_PIXELS_FULL_DECODE x 4 bytes) plus its reduced copy, so the
# worker's peak memory is bounded by this count, not by how many uploads
# arrive together. Built on first use from UPLOAD_DECODES_AT_ONCE.
_DECODE_SLOTS = {}
_DECODE_SLOTS_LOCK = threading.Lock()


def _decode_slots():
    count = max(1, int(current_app.config.get("UPLOAD_DECODES_AT_ONCE") or 1))
    with _DECODE_SLOTS_LOCK:
        return _DECODE_SLOTS.setdefault(count, threading.BoundedSemaphore(count))


def _release_memory():
    """Gives freed decode buffers back to the system (glibc keeps them in its
    arenas otherwise: the worker would stay at its peak)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _load_libc():
    # glibc's malloc_trim, looked up once, where there is a glibc
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return libc if libc is not None and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


_LIBC = _load_libc()


def _to_rgb(image):
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent parts become white, as on paper, not black.
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def process_image(source) -> bytes:
    """Checks an uploaded photo and returns it as a clean JPEG (long side at
    most UPLOAD_MAX_SIDE, no metadata). `source` is a FileStorage or a binary
    stream. Raises UploadError with a message for the person."""
    config = current_app.config
    max_pixels = config["UPLOAD_MAX_PIXELS"]
    max_side = config["UPLOAD_MAX_SIDE"]
    data = _read_limited(source, config["UPLOAD_MAX_BYTES"])
    image = _open(data, max_pixels, config.get("UPLOAD_MAX_PIXELS_FULL_DECODE"))
    slots = _decode_slots()
    if not slots.acquire(timeout=config.get("UPLOAD_DECODE_WAIT_SECONDS", 20)):
        raise UploadError(_("Server sedang memproses banyak foto. Tunggu sebentar lalu kirim lagi."))
    try:
        return _reencode(image, max_side)
    finally:
        del image
        slots.release()
        _release_memory()


def _reencode(image, max_side):
    try:
        if image.format == "JPEG":
            # Decode big JPEGs at 1/2, 1/4 or 1/8 scale: far less memory.
            image.draft("RGB", (max_side, max_side))
        image.load()
        ImageOps.exif_transpose(image, in_place=True)  # no full-size copy
        # Shrink before flattening (only the small copy is converted) where
        # resizing keeps quality; palette and 16-bit images are converted first.
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = _to_rgb(image)
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        image = _to_rgb(image)
        # convert() copies .info; JPEG save would write its comment back out.
        image.info = {}
        out = io.BytesIO()
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, exif=b"")
    except Exception:  # noqa: BLE001 - decoders raise many kinds of error on hostile input; each means "unusable"
        raise UploadError(_("Foto rusak atau tidak lengkap. Ambil atau pilih foto lain.")) from None
    return out.getvalue()


# -- storing -----------------------------------------------------------------
# Bytes live behind webapp.storage (a folder, or the database): this module
# names files, checks names, and ties writes and deletes to transactions.
write_atomic = storage.write_atomic  # kept for callers writing other files


def _check_folder(folder):
    if not isinstance(folder, str) or not _FOLDER.fullmatch(folder):
        raise ValueError("upload folder must match [a-z0-9_-]{1,64}")


def store(data: bytes, folder: str) -> str:
    """Saves a processed image under a random name, sealed with the
    installation key (webapp.crypto: the one point upload bytes are written);
    returns "folder/name.jpg". With the database backend, inside a
    transaction the file is part of it."""
    _check_folder(folder)
    name = f"{folder}/{secrets.token_urlsafe(24)}.jpg"
    storage.backend().put(name, crypto.seal(data))
    return name


def _checked(name: str) -> str:
    """`name` when it is exactly "folder/file.jpg", else FileNotFoundError."""
    parts = name.split("/") if isinstance(name, str) else []
    if len(parts) != 2 or not _FOLDER.fullmatch(parts[0]) or not _FILE.fullmatch(parts[1]):
        raise FileNotFoundError(name)
    return name


def path_of(name: str) -> str:
    """The absolute path of a stored name in the local folder. Anything that
    is not exactly "folder/file.jpg" inside the upload folder raises
    FileNotFoundError."""
    return storage.LocalStorage(upload_root()).path(_checked(name))


LOCK_FILE = "uploads.lock"  # in the instance folder
DEFERRED = ".deleted"
# A deletion that races the end of a backup's snapshot tries again (delete()).
ASIDE_ATTEMPTS = 100


@contextlib.contextmanager
def frozen(exclusive: bool):
    """The lock between deletions and `flask backup`'s snapshot. The backup
    holds it exclusively while it copies the database and links every file;
    a deletion meanwhile does not wait: it moves the file aside (DEFERRED)
    and the backup both keeps it and then removes it. Yields True when held."""
    fd = os.open(os.path.join(current_app.instance_path, LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH | fcntl.LOCK_NB)
            held = True
        except BlockingIOError:
            held = False
        yield held
    finally:
        os.close(fd)  # releases the lock


def delete(name: str) -> None:
    """Removes a stored file; a missing file or an invalid name is not an
    error. While a backup takes its snapshot the file is moved aside for it
    instead (see frozen())."""
    with contextlib.suppress(FileNotFoundError):
        backend = storage.backend()
        if backend.transactional:  # the database: a backup copies it in one snapshot
            backend.delete(_checked(name))
            return
        path = path_of(name)
        for _attempt in range(ASIDE_ATTEMPTS):
            with frozen(exclusive=False) as free:
                if free:
                    os.remove(path)
                    return
                aside = os.path.join(upload_root(), DEFERRED)
                try:
                    os.makedirs(aside, mode=0o700, exist_ok=True)
                    os.replace(path, os.path.join(aside, name.replace("/", "__")))
                    return
                except (FileExistsError, FileNotFoundError):
                    # The backup renames the folder away as its snapshot
                    # ends, possibly between our two steps: the folder was
                    # there, then was not. The file is still in place (else
                    # there is nothing left to delete): look again, the
                    # backup is most likely done by now.
                    if not os.path.exists(path):
                        return
        raise OSError(f"upload {name} not deleted: a backup kept taking snapshots")


def read(name: str) -> bytes:
    """The stored image's bytes, decrypted (the one point upload bytes are
    read back). Raises FileNotFoundError for a missing file or invalid name;
    a file that does not open with the keyring is logged and reads as missing."""
    data = storage.backend().get(_checked(name))
    if not crypto.is_sealed(data):
        return data  # stored before encryption at rest; `flask kunci putar` seals it
    try:
        return crypto.unseal(data)
    except (crypto.KeyringError, InvalidTag, ValueError):
        log.error("upload %s does not open with the keyring (changed or another key)", name)
        raise FileNotFoundError(name) from None


class _Changes:
    def __init__(self):
        self.backend = storage.backend()
        self.stored = []
        self.doomed = []

    def store(self, data, folder):
        name = store(data, folder)
        self.stored.append(name)
        return name

    def delete(self, name):
        """Deletes `name` with the transaction: at once inside it when the
        backend is the database, else once it has committed."""
        if not name:
            return
        if self.backend.transactional:
            delete(name)
        else:
            self.doomed.append(name)


@contextlib.contextmanager
def changes():
    """Upload writes and deletes that go with one transaction. Open it
    OUTSIDE the transaction, so it closes after the commit:

        with uploads.changes() as files, atomic_write(f"account:{account.id}"):
            row.name = files.store(data, "akun")
            files.delete(old_name)

    No orphan either way: on failure the files stored here are removed (the
    database backend's rollback already did), on success the deleted ones go
    after the commit (database backend: in it)."""
    batch = _Changes()
    try:
        yield batch
    except BaseException:
        for name in batch.stored:
            delete(name)
        raise
    for name in batch.doomed:
        delete(name)


def send_image(name: str, download_name: str | None = None):
    """The stored image as a response, for a view that has already checked
    the person may see it: decrypted only here, as it is sent. Never cached,
    never sniffed, shown inline."""
    try:
        data = read(name)
    except (FileNotFoundError, IsADirectoryError):
        abort(404)
    filename = download_name if download_name and _FILE.fullmatch(download_name) else name.split("/")[1]
    response = send_file(io.BytesIO(data), mimetype="image/jpeg", conditional=False, etag=False, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers.pop("Expires", None)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def sweep_orphans(known_names: set[str], grace_seconds: int = TEMP_MAX_AGE) -> int:
    """Removes stored files that no row names, and temp files left by killed
    workers. Files younger than `grace_seconds` are spared (a file may be
    written just before its row); temp files always get an hour, as one may
    be mid-write. Returns how many files were removed."""
    backend = storage.backend()
    removed = 0
    for name, age, temp in list(backend.listing()):
        if age < (TEMP_MAX_AGE if temp else grace_seconds) or name in known_names:
            continue
        backend.delete(name)
        removed += 1
    return removed
