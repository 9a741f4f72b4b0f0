"""Backup and restore (SECURITY.md 29)."""

import sqlite3
import tarfile

import pytest

from webapp import create_app
from webapp.identity import mask_name

from .conftest import _config
from .dbbackend import NAME


def test_backup_then_restore_on_a_fresh_instance(app, runner, tmp_path):
    if NAME != "sqlite":
        result = runner.invoke(args=["backup", "--out", str(tmp_path / "x.tar.gz")])
        assert result.exit_code != 0 and "pg_dump" in result.output
        return
    from webapp.registry.demo import examples

    with app.app_context():
        name, nik, _desa, _desa_name = examples(limit=1)[0]
    uploads = tmp_path / "instance" / "uploads" / "ktp"
    uploads.mkdir(parents=True)
    (uploads / "abc.jpg").write_bytes(b"\xff\xd8synthetic")
    archive = tmp_path / "cadangan.tar.gz"

    result = runner.invoke(args=["backup", "--out", str(archive)])
    assert result.exit_code == 0, result.output
    assert "flask restore" in result.output and "keyring" in result.output
    plain = tmp_path / "plain.tar.gz"
    with app.app_context(), open(archive, "rb") as src, open(plain, "wb") as out:
        from webapp import crypto
        crypto.unseal_stream(src, out)
    with tarfile.open(plain) as tar:
        assert {"database.sqlite3", "manifest.json", "uploads/ktp/abc.jpg"} <= set(tar.getnames())

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    # As the restore instructions say: the original installation's keyring.
    other = create_app(_config(fresh, ENCRYPTION_KEY_FILE=str(tmp_path / "instance-keys" / "keyring")))
    restored = other.test_cli_runner().invoke(args=["restore", str(archive), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "integrity_check ok" in restored.output
    with sqlite3.connect(fresh / "cekbansos.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert (fresh / "uploads" / "ktp" / "abc.jpg").read_bytes() == b"\xff\xd8synthetic"

    from .conftest import Lookup

    found = Lookup(other.test_client()).by_nik(nik)
    assert mask_name(name) in found.get_data(as_text=True)


@pytest.mark.skipif(NAME != "sqlite", reason="restore is SQLite-only; PostgreSQL uses pg_restore")
def test_restore_refuses_an_archive_that_escapes(app, runner, tmp_path):
    evil = tmp_path / "evil.tar.gz"
    payload = tmp_path / "x.txt"
    payload.write_text("x")
    with tarfile.open(evil, "w:gz") as tar:
        tar.add(payload, arcname="../../escaped.txt")
    result = runner.invoke(args=["restore", str(evil), "--yes"])
    assert result.exit_code != 0
    assert "tidak aman" in result.output
    assert not (tmp_path.parent / "escaped.txt").exists()
