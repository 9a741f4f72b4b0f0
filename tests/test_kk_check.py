"""One No. KK rule (issue #15), webapp.identity.kk_problem: the same 16 digits,
separators and 0000 rule on the registration form and the proposal gate."""

import pytest

from webapp.identity import clean_kk, kk_problem

from .helpers import text
from .test_usulan import KK, NIK, Citizen


@pytest.mark.parametrize(("typed", "problem"), [
    ("3276060101200042", None),
    ("3276 0601-0120.0042", None),
    ("", "Masukkan No. KK 16 digit."),
    ("3276O60101200042", "No. KK hanya berisi angka 0–9."),
    ("32760601", "No. KK harus 16 digit; yang Anda ketik 8 digit."),
    ("3276060101200000", "4 digit terakhir No. KK tidak boleh 0000."),
])
def test_the_rule(app, typed, problem):
    with app.test_request_context():
        assert kk_problem(typed) == problem
    assert clean_kk("3276 0601-0120.0042") == "3276060101200042"


def test_registration_refuses_a_kk_ending_0000_like_the_gate(akun):
    response = akun.register(no_kk="3276060101200000")
    assert response.status_code == 422
    assert "4 digit terakhir Nomor KK tidak boleh 0000." in text(response)


def test_the_gate_takes_a_kk_written_with_hyphens_and_counts_the_digits(client, db, monkeypatch):
    citizen = Citizen(client, monkeypatch).sign_in()
    response = citizen.start("32760601-0120-004", NIK)
    assert response.status_code == 422
    assert "No. KK harus 16 digit; yang Anda ketik 15 digit." in text(response)
    written = "-".join(KK[i:i + 4] for i in range(0, 16, 4))
    assert citizen.start(written, NIK).status_code == 303
