"""Name normalisation, masking and NIK checks."""

from datetime import date

import pytest

from webapp.identity import check_nik, mask_name, mask_nik, normalize_name


@pytest.mark.parametrize("raw, expected", [
    ("Siti Aminah", "siti aminah"),
    ("  SITI   aminah ", "siti aminah"),
    ("Hj. Siti Aminah", "siti aminah"),
    ("H. Ahmad Dahlan, S.Pd", "ahmad dahlan"),
    ("Drs. Budi Santoso, S.E., M.M.", "budi santoso"),
    ("Ma'ruf Amin", "maruf amin"),
    ("Ma’ruf Amin", "maruf amin"),
    ("Sutrisno", "sutrisno"),
    ("Hj.", "hj"),  # a lone word is a name, never dropped as a title
    ("Putu Ayu-Lestari", "putu ayu lestari"),
    ("Cut Nyak Dhien", "cut nyak dhien"),
    ("Zoë Amínah", "zoe aminah"),
    ("1234", ""),
    ("", ""),
])
def test_normalize_name(raw, expected):
    assert normalize_name(raw) == expected


def test_masking_shows_first_and_last_letter_of_each_word():
    assert mask_name("Siti Aminah") == "S**I A****H"
    assert mask_name("Al") == "A*"
    assert mask_name("H") == "H"


def test_nik_mask_hides_birth_date_digits():
    masked = mask_nik("3276064506900001")
    assert masked.startswith("327606")
    assert "450690" not in masked
    assert masked[6:12] == "******"


@pytest.mark.parametrize("raw, fragment", [
    ("", "Masukkan NIK"),
    ("12345", "16 digit"),
    ("32760645069000011", "16 digit"),
    ("３２７６０６４５０６９０００１", "hanya berisi angka"),  # full-width digits
    ("٣٢٧٦٠٦٤٥٠٦٩٠٠٠٠١", "hanya berisi angka"),  # Arabic-Indic digits
    ("abcd064506900001", "hanya berisi angka"),
    ("9976064506900001", "kode wilayah"),
    ("3276063206900001", "tanggal lahir"),  # day 32
    ("3276067206900001", "tanggal lahir"),  # woman, day 72-40 = 32
    ("3276064506900000", "0000"),
])
def test_bad_nik_gets_a_reason(app, raw, fragment):
    with app.test_request_context():
        result = check_nik(raw)
    assert not result.ok
    assert fragment.lower() in result.error.lower()


def test_good_nik_gives_birth_date_and_sex(app):
    with app.test_request_context():
        result = check_nik("3276 0645 0690 0001", today=date(2026, 11, 23))
    assert result.ok
    assert result.nik == "3276064506900001"
    assert result.birth_date == date(1990, 6, 5)
    assert result.sex == "P"
    assert result.district_code == "32.76.06"
