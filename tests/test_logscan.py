"""The log scan itself (SECURITY.md 25): it must know what to look for."""

from webapp.db import flask_db

from . import logscan
from .conftest import PASSWORD, new_account
from .dbbackend import backend


def test_the_scan_looks_for_the_passwords_the_tests_type():
    passwords = logscan._test_passwords()
    assert {PASSWORD, "petugas-sandi-panjang-sekali", "salah sekali"} <= passwords
    assert not any("." in p and " " not in p for p in passwords)  # no column names


def test_the_scan_learns_the_names_of_accounts_and_proposals_a_test_made(app, db):
    account = new_account()
    from webapp.usulan.models import Proposal

    Proposal.create(public_id="p-logscan", account_id=account.id, status="draf", no_kk="3276060101100011",
                    nik=account.nik, name="Sutini Rahayuningsih")
    flask_db.database.close()
    assert backend.drop.__name__ == "dropping" and backend.clone.__name__ == "cloning"
    url = app.config.get("DATABASE_URL")
    if url:
        logscan._harvest_postgresql(url)
    else:
        logscan._harvest_sqlite(__import__("pathlib").Path(app.instance_path) / "cekbansos.sqlite3")
    assert {"Warga Contoh", "Sutini Rahayuningsih"} <= logscan._names


def test_a_name_a_password_or_a_nik_in_a_line_is_reported():
    line = "webapp INFO signed in Warga Contoh with kuda lari di sawah hijau nik 3276061508900007"
    logscan._names.add("Warga Contoh")
    kinds = {kind for kind, _line in logscan.problems_in([line], {PASSWORD})}
    assert kinds == {"16-digit number (NIK/KK)", "full name", "password"}
    assert not logscan.problems_in(["webapp INFO lookup mode=nik found=1"], {PASSWORD})
