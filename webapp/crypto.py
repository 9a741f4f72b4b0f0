"""Encryption at rest: uploaded photos, TOTP secrets and backups.

AES-256-GCM (the `cryptography` package), authenticated: a changed byte or a
wrong key is an error, never garbage. One keyring per installation, kept
OUTSIDE the instance folder and outside backups:

- ENCRYPTION_KEY_FILE: a file, one base64 key per line, the first line the
  key new data is sealed with, the others older keys still read. Default:
  "<instance>-keys/keyring" beside the instance folder, made (0600, folder
  0700) at the first start while nothing is encrypted yet.
- ENCRYPTION_KEYS (env FLASK_ENCRYPTION_KEYS): the same keys, comma-separated,
  instead of a file (rotation then prints the new value to set).

Start-up refuses when the keyring is missing or wrong while encrypted data
exist: <instance>/encryption-check holds a sealed known value.

Formats. A sealed blob: b"CBS1" + key id (4 bytes) + nonce (12) + ciphertext
and tag. A sealed stream (backups): b"CBA1" + key id + nonce prefix (8), then
chunks of <length:4><ciphertext+tag>, each with the chunk number and a
"last" flag in its associated data, so a cut or reordered archive is refused.
"""

import base64
import hashlib
import os
import secrets
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from peewee import BlobField, TextField

from .storage import write_atomic

BLOB = b"CBS1"
STREAM = b"CBA1"
CHECK_FILE = "encryption-check"
CHECK_VALUE = b"cekbansos-key-check"
CHUNK = 1024 * 1024


class KeyringError(RuntimeError):
    """The keyring is missing, unreadable or does not open this data."""


class Keyring:
    def __init__(self, keys, path=None):
        if not keys:
            raise KeyringError("keyring kosong")
        self.keys = {}
        for key in keys:
            if len(key) != 32:
                raise KeyringError("setiap kunci harus 32 byte (base64)")
            self.keys[key_id(key)] = AESGCM(key)
        self.current = key_id(keys[0])
        self.raw = list(keys)
        self.path = path
        self.mtime = _mtime(path)

    def cipher(self, kid):
        try:
            return self.keys[kid]
        except KeyError:
            raise KeyringError(f"data tersegel dengan kunci {kid.hex()} yang tidak ada di keyring") from None


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()[:4]


def _mtime(path):
    try:
        return os.stat(path).st_mtime_ns if path else None
    except FileNotFoundError:
        return None


def _parse(text):
    keys = []
    for line in text.replace(",", "\n").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            try:
                keys.append(base64.urlsafe_b64decode(line + "=" * (-len(line) % 4)))
            except ValueError:
                raise KeyringError("baris keyring bukan base64") from None
    return keys


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode().rstrip("=")


def key_file(app) -> str | None:
    """Where the keyring lives, or None when it comes from ENCRYPTION_KEYS."""
    if app.config.get("ENCRYPTION_KEYS"):
        return None
    path = app.config.get("ENCRYPTION_KEY_FILE")
    if not path:
        instance = os.path.realpath(app.instance_path)
        path = os.path.join(os.path.dirname(instance), os.path.basename(instance) + "-keys", "keyring")
    return os.path.abspath(path)


def write_keyring(path, keys):
    """Writes the keyring atomically, mode 0600 (folder 0700)."""
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    text = "# Kunci enkripsi Cek Bansos Lite. Baris pertama: kunci aktif. Jangan simpan bersama cadangan.\n"
    text += "".join(encode_key(k) + "\n" for k in keys)
    tmp = f"{path}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _read_keyring(app):
    inline = app.config.get("ENCRYPTION_KEYS")
    if inline:
        return Keyring(_parse(str(inline)))
    path = key_file(app)
    with open(path) as f:
        return Keyring(_parse(f.read()), path)


def _inside(path, folder):
    folder = os.path.realpath(folder)
    return os.path.commonpath([os.path.realpath(path), folder]) == folder


def init_app(app, shared=None):
    """Loads the keyring, or makes one when nothing is encrypted yet; refuses
    to start (RuntimeError) when encrypted data exist and the keyring is
    missing or does not open them, and when the installation is `shared`
    (PostgreSQL or Redis: several workers or hosts) but no keyring was set."""
    check = os.path.join(app.instance_path, CHECK_FILE)
    if shared and not (app.config.get("ENCRYPTION_KEYS") or app.config.get("ENCRYPTION_KEY_FILE")):
        raise RuntimeError(_shared_refusal(app, shared))
    path = key_file(app)
    if path and _inside(path, app.instance_path):
        raise RuntimeError(
            f"ENCRYPTION_KEY_FILE ({path}) ada di dalam folder instance: kunci harus disimpan di luar "
            "folder data dan di luar cadangan. Pindahkan berkas kunci dan ubah pengaturannya.")
    try:
        ring = _read_keyring(app)
    except FileNotFoundError:
        if os.path.exists(check):
            raise RuntimeError(
                f"Kunci enkripsi tidak ditemukan ({path}), padahal data terenkripsi ada di "
                f"{app.instance_path}. Aplikasi menolak berjalan: pasang kembali berkas kunci "
                "(ENCRYPTION_KEY_FILE) atau FLASK_ENCRYPTION_KEYS.") from None
        write_keyring(path, [AESGCM.generate_key(bit_length=256)])
        ring = _read_keyring(app)
    except (KeyringError, OSError) as exc:
        where = path or "FLASK_ENCRYPTION_KEYS"
        raise RuntimeError(f"Kunci enkripsi tidak dapat dibaca ({where}): {exc}") from None
    app.extensions["crypto"] = ring
    if os.path.exists(check):
        with open(check, "rb") as f:
            try:
                ok = unseal(f.read(), ring) == CHECK_VALUE
            except (KeyringError, InvalidTag, ValueError):
                ok = False
        if not ok:
            raise RuntimeError(
                "Kunci enkripsi salah: keyring tidak membuka data terenkripsi di "
                f"{app.instance_path}. Aplikasi menolak berjalan; pasang keyring yang benar.")
    else:
        write_check(app.instance_path, ring)


def _shared_refusal(app, shared):
    default = key_file(app)
    found = ""
    if os.path.exists(default):
        found = (f" Keyring yang dibuat dulu di host ini ada di {default}: pakai berkas itu "
                 "(salin ke semua host).")
    return (f"Kunci enkripsi belum diatur, padahal aplikasi memakai {shared}: setiap host akan membuat "
            "keyring sendiri sehingga foto, rahasia TOTP dan pesan yang disegel satu host tidak terbaca "
            "di host lain. Atur keyring yang sama di semua host: ENCRYPTION_KEY_FILE (path berkas di luar "
            "folder instance dan di luar cadangan) atau FLASK_ENCRYPTION_KEYS, mis. buat dengan "
            "`python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())'`."
            + found)


def write_check(instance_path, ring):
    write_atomic(instance_path, CHECK_FILE, seal(CHECK_VALUE, ring))


def keyring(ring=None) -> Keyring:
    """The current app's keyring, re-read when its file changed (a rotation
    by `flask kunci putar` reaches every worker without a restart)."""
    if ring is not None:
        return ring
    app = current_app
    ring = app.extensions["crypto"]
    if ring.path and _mtime(ring.path) != ring.mtime:
        try:
            ring = _read_keyring(app)
        except (FileNotFoundError, KeyringError):
            return app.extensions["crypto"]  # mid-replace or broken: keep the keys we have
        app.extensions["crypto"] = ring
    return ring


def seal(data: bytes, ring=None) -> bytes:
    ring = keyring(ring)
    nonce = os.urandom(12)
    header = BLOB + ring.current
    return header + nonce + ring.cipher(ring.current).encrypt(nonce, bytes(data), header)


def is_sealed(data: bytes) -> bool:
    return data[:4] == BLOB and len(data) >= 4 + 4 + 12 + 16


def sealed_with(data: bytes) -> bytes | None:
    return data[4:8] if is_sealed(data) else None


def unseal(data: bytes, ring=None) -> bytes:
    """The plaintext; raises ValueError for data not sealed here and
    InvalidTag when changed or sealed with another key of the same id."""
    if not is_sealed(data):
        raise ValueError("not sealed")
    header, nonce, body = data[:8], data[8:20], data[20:]
    kid = header[4:]
    return keyring(ring).cipher(kid).decrypt(nonce, body, header)


# -- streams (backup archives) ----------------------------------------------
def _chunk_aad(header, index, last):
    return header + struct.pack(">QB", index, 1 if last else 0)


def seal_stream(src, dst, ring=None):
    """Encrypts the binary file `src` into `dst`, CHUNK bytes at a time."""
    ring = keyring(ring)
    prefix = os.urandom(8)
    header = STREAM + ring.current + prefix
    aes = ring.cipher(ring.current)
    dst.write(header)
    index = 0
    chunk = src.read(CHUNK)
    while True:
        following = src.read(CHUNK)
        last = not following
        nonce = prefix + struct.pack(">I", index)
        body = aes.encrypt(nonce, chunk, _chunk_aad(header, index, last))
        dst.write(struct.pack(">I", len(body)) + body)
        if last:
            return ring.current
        chunk, index = following, index + 1


def stream_key_id(src) -> bytes | None:
    head = src.read(16)
    src.seek(0)
    return head[4:8] if head[:4] == STREAM and len(head) == 16 else None


def unseal_stream(src, dst, ring=None):
    """Decrypts what seal_stream wrote; raises ValueError or InvalidTag when
    the stream is not ours, cut short, reordered or changed."""
    header = src.read(16)
    if header[:4] != STREAM or len(header) != 16:
        raise ValueError("not a sealed stream")
    ring = keyring(ring)
    aes = ring.cipher(header[4:8])
    prefix = header[8:]
    index = 0
    length = src.read(4)
    while len(length) == 4:
        body = src.read(struct.unpack(">I", length)[0])
        length = src.read(4)
        last = len(length) < 4
        nonce = prefix + struct.pack(">I", index)
        dst.write(aes.decrypt(nonce, body, _chunk_aad(header, index, last)))
        if last:
            return
        index += 1
    raise ValueError("sealed stream cut short")


# -- database fields ----------------------------------------------------------
def seal_text(value: str, ring=None) -> str:
    return "enc:" + base64.b64encode(seal(value.encode(), ring)).decode()


def unseal_text(value: str, ring=None) -> str:
    """A sealed text back; a value from before encryption comes back as is
    (migrations m002 and m014 seal those)."""
    if isinstance(value, str) and value.startswith("enc:"):
        return unseal(base64.b64decode(value[4:]), ring).decode()
    return value


def text_key_id(value) -> bytes | None:
    if isinstance(value, str) and value.startswith("enc:"):
        return sealed_with(base64.b64decode(value[4:]))
    return None


class SealedTextField(TextField):
    """A text column stored sealed (TOTP secrets, enrolment secrets not yet
    confirmed): a copied database or backup shows only ciphertext; Python
    code sees the plain value."""

    def db_value(self, value):
        return None if value is None else seal_text(str(value))

    def python_value(self, value):
        return None if value is None else unseal_text(value)


def unseal_bytes(data) -> bytes:
    """A sealed blob back; bytes from before encryption come back as is
    (migration m014_sealed_mail_imports_enrolments seals those)."""
    data = bytes(data)
    return unseal(data) if is_sealed(data) else data


class SealedBlobField(BlobField):
    """A binary column stored sealed (the mail outbox, import uploads)."""

    def db_value(self, value):
        return None if value is None else super().db_value(seal(bytes(value)))

    def python_value(self, value):
        return None if value is None else unseal_bytes(value)


# -- what is sealed where (one list: migration, rotation and status use it) --
# (table, column, "text" for seal_text values or "blob" for sealed bytes)
SEALED_COLUMNS = [
    ("officer_profile", "totp_secret", "text"),
    ("officer_enrolment", "pending_secret", "text"),
    ("mail_outbox", "raw", "blob"),
    ("import_upload", "data", "blob"),
]


def column_key_id(kind, value) -> bytes | None:
    """The key a stored value is sealed with (None: plain)."""
    if value is None:
        return None
    if kind == "text":
        return text_key_id(value)
    return sealed_with(bytes(value))


def reseal_column(db, table, column, kind, ring, only_plain=False) -> int:
    """Seals again, under the current key of `ring`, every value of
    table.column not already under it (only_plain: only values never sealed,
    for the migration). Each row by compare-and-set, so a value changed
    meanwhile is left to the next run. Returns how many were changed."""
    rows = db.execute_sql(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL").fetchall()  # noqa: S608 - names from SEALED_COLUMNS
    done = 0
    for row_id, value in rows:
        kid = column_key_id(kind, value)
        if kid == ring.current or (only_plain and kid is not None):
            continue
        if kind == "text":
            new = seal_text(unseal_text(value, ring), ring)
        else:
            old = bytes(value)
            new = seal(unseal(old, ring) if kid else old, ring)
            value = old
        sql = f"UPDATE {table} SET {column} = %s WHERE id = %s AND {column} = %s"  # noqa: S608
        db.execute_sql(sql.replace("%s", db.param), (new, row_id, value))
        done += 1
    return done


def count_old_column(db, table, column, kind, ring) -> int:
    """Values of table.column not under the current key (plain ones too)."""
    rows = db.execute_sql(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL").fetchall()  # noqa: S608
    return sum(1 for (value,) in rows if column_key_id(kind, value) != ring.current)

