"""The profile page: the registry's view of a household only for a verified
account (anyone can register with someone else's NIK), and for a rejected
account the next step that fits the reason."""

import pytest

from webapp.akun.models import ACTIVE, EMAIL, OFFICER, PHOTOS, REJECTED, Account
from webapp.akun.services import REJECT_REASONS
from webapp.db import flask_db
from webapp.identity import mask_name

from .conftest import AkunActions, new_account

PHOTO_ACTION = "Perbaiki foto dan kirim lagi"
AFTER_VERIFICATION = "setelah akun Anda diverifikasi petugas"


def profile_of(app, state, nik=None, reject_reason=None):
    with app.app_context():
        account = new_account(state, nik=nik)
        if reject_reason:
            Account.update(reject_reason=reject_reason).where(Account.id == account.id).execute()
        flask_db.database.close()
    client = app.test_client()
    assert AkunActions(client).sign_in().status_code == 302
    response = client.get("/akun")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def household_of(person):
    from webapp.registry.models import Person

    names = [p.name for p in Person.select().where(Person.household == person.household_id)]
    flask_db.database.close()
    return names


@pytest.mark.parametrize("state", [EMAIL, PHOTOS, OFFICER, REJECTED])
def test_an_unverified_account_never_sees_the_household(app, registry_person, state):
    members = household_of(registry_person)
    html = profile_of(app, state, nik=registry_person.nik,
                      reject_reason="foto_buram" if state == REJECTED else None)
    assert AFTER_VERIFICATION in html
    assert "Peringkat Kesejahteraan Keluarga" not in html and "Anggota keluarga" not in html
    assert "Desil" not in html and "Program bantuan Anda" not in html
    for member in members:
        assert mask_name(member) not in html


def test_a_verified_account_sees_the_household(app, registry_person):
    members = household_of(registry_person)
    html = profile_of(app, ACTIVE, nik=registry_person.nik)
    assert AFTER_VERIFICATION not in html
    assert "Peringkat Kesejahteraan Keluarga" in html and "Anggota keluarga" in html
    for member in members:
        assert mask_name(member) in html


NEXT_STEPS = {
    "foto_buram": True,
    "tanpa_swafoto": True,
    "ktp_fotokopi": True,
    "di_bawah_umur": False,
    "data_tidak_sesuai": False,
}


def test_every_reason_has_a_next_step():
    assert set(NEXT_STEPS) == set(REJECT_REASONS)


@pytest.mark.parametrize("reason", sorted(NEXT_STEPS))
def test_a_rejected_account_gets_the_next_step_of_its_reason(app, reason):
    html = profile_of(app, REJECTED, reject_reason=reason)
    title, advice = REJECT_REASONS[reason]
    assert str(title) in html and str(advice) in html
    assert (PHOTO_ACTION in html) is NEXT_STEPS[reason]
    if reason == "data_tidak_sesuai":
        assert "kantor desa/kelurahan" in html


def test_an_unknown_reason_points_to_the_kantor_desa(app):
    html = profile_of(app, REJECTED, reject_reason="alasan_lama")
    assert PHOTO_ACTION not in html
    assert "kantor desa/kelurahan" in html


def test_the_photo_page_lets_people_pick_from_the_gallery_and_names_the_ktp(app):
    """No `capture` attribute: on Android it forces the camera and hides the
    gallery. The button names the KTP in capitals, as everywhere else."""
    with app.app_context():
        new_account(PHOTOS)
        flask_db.database.close()
    client = app.test_client()
    assert AkunActions(client).sign_in().status_code == 302
    html = client.get("/akun/foto").get_data(as_text=True)
    assert html.count('type="file"') == 2
    assert "capture=" not in html
    assert ">Unggah foto KTP</button>" in html
    assert ">Unggah swafoto sambil memegang KTP</button>" in html
    assert "ktp</button>" not in html
