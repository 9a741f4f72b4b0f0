"""KTP photo and selfie: checked by content, stripped of EXIF, owner-only,
one file per submit; then the officer's decision (CLI) and the profile."""

import io
import os
import struct
import zlib

import pytest
from PIL import Image

from webapp.akun.models import ACTIVE, OFFICER, PHOTOS, REJECTED, Account, Photo
from webapp.db import flask_db
from webapp.identity import mask_name
from webapp.uploads import path_of, upload_root

from .conftest import AkunActions, form_fields, new_account, synthetic_nik
from .helpers import text


def jpeg_with_gps(size=(640, 400)):
    image = Image.new("RGB", size, (200, 180, 150))
    exif = Image.Exif()
    exif[0x010F] = "KameraContoh"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "S", 2: (6.0, 22.0, 0.0), 3: "E", 4: (106.0, 49.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png_header_only(width, height):
    """A PNG that claims width×height pixels but carries almost no data:
    what a decompression bomb looks like to a header check."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * (width + 1) * 4)) + chunk(b"IEND", b""))


def make(app, state=PHOTOS, **kwargs):
    with app.app_context():
        account = new_account(state, **kwargs)
        flask_db.database.close()
    return account


def signed_in(app, email="warga.contoh@example.com"):
    client = app.test_client()
    assert AkunActions(client).sign_in(identity=email).status_code == 302
    return client


def upload(client, kind, data, filename="foto.jpg"):
    csrf = form_fields(text(client.get("/akun/foto")))[0]
    form = {"csrf_token": csrf, "berkas": (io.BytesIO(data), filename)}
    return client.post(f"/akun/foto/{kind}", data=form, content_type="multipart/form-data")


def photo_url(client, kind):
    html = text(client.get("/akun/foto"))
    section = html[html.index(f'id="foto-{kind}"'):]
    return section[section.index('<img src="') + 10:].split('"', 1)[0]


@pytest.fixture
def citizen(app):
    make(app)
    return signed_in(app)


def test_gps_exif_is_gone_from_the_stored_photo(citizen, app):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    response = upload(citizen, "ktp", original)
    assert response.status_code == 302 and response.headers["Location"].endswith("#foto-ktp")
    with citizen.get(photo_url(citizen, "ktp")) as served:
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
        assert "no-store" in served.headers["Cache-Control"]
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        data = served.get_data()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not image.getexif() and b"KameraContoh" not in data and b"Exif" not in data


def test_a_text_file_named_jpg_is_refused_and_the_other_photo_stays(citizen, app):
    assert upload(citizen, "selfie", jpeg_with_gps()).status_code == 302
    response = upload(citizen, "ktp", b"ini bukan foto, hanya teks biasa\n" * 20, "ktp.jpg")
    html = text(response)
    assert response.status_code == 422
    assert 'id="berkas-ktp-error"' in html and 'href="#berkas-ktp"' in html
    with app.app_context():
        assert [p.kind for p in Photo.select()] == ["selfie"]


def test_a_20000_by_20000_png_is_refused(citizen, app):
    response = upload(citizen, "ktp", png_header_only(20000, 20000), "besar.png")
    assert response.status_code == 422
    assert 'id="berkas-ktp-error"' in text(response)
    with app.app_context():
        assert not Photo.select().exists()


@pytest.mark.app_config(MAX_CONTENT_LENGTH=200_000)
def test_too_large_a_request_is_a_readable_413(citizen):
    response = upload(citizen, "ktp", b"\xff" * 300_000)
    assert response.status_code == 413
    assert "Berkas terlalu besar" in text(response)


def test_someone_else_s_photo_is_a_404(citizen, app):
    upload(citizen, "ktp", jpeg_with_gps())
    url = photo_url(citizen, "ktp")
    make(app, nik=synthetic_nik(serial="0099"), email="tetangga@example.com")
    neighbour = signed_in(app, "tetangga@example.com")
    assert neighbour.get(url).status_code == 404
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/akun/masuk" in anonymous.headers["Location"]


def test_both_photos_are_needed_before_sending(citizen, app):
    upload(citizen, "ktp", jpeg_with_gps())
    csrf = form_fields(text(citizen.get("/akun/foto")))[0]
    response = citizen.post("/akun/foto/kirim", data={"csrf_token": csrf})
    assert response.status_code == 422 and "Unggah swafoto" in text(response)
    upload(citizen, "selfie", jpeg_with_gps())
    assert citizen.post("/akun/foto/kirim", data={"csrf_token": csrf}).status_code == 302
    with app.app_context():
        assert Account.get().state == OFFICER
    # Under review the photos stay as they are.
    assert upload(citizen, "ktp", jpeg_with_gps()).status_code == 302
    assert "Unggah foto KTP" not in text(citizen.get("/akun/foto"))


def test_replacing_a_photo_removes_the_old_file(citizen, app):
    upload(citizen, "ktp", jpeg_with_gps())
    first = photo_url(citizen, "ktp")
    upload(citizen, "ktp", jpeg_with_gps((500, 300)))
    assert photo_url(citizen, "ktp") != first
    assert citizen.get(first).status_code == 404
    with app.app_context():
        names = [p.name for p in Photo.select()]
        stored = [f for _d, _s, files in os.walk(upload_root()) for f in files]
        assert len(names) == len(stored) == 1 and os.path.exists(path_of(names[0]))


def test_officer_cli_approves_and_rejects_with_masked_output(app):
    account = make(app, OFFICER)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["akun", "setujui", account.email])
    assert result.exit_code == 0, result.output
    assert account.nik not in result.output and account.email not in result.output
    assert "aktif" in result.output
    again = runner.invoke(args=["akun", "setujui", account.email])
    assert again.exit_code != 0
    other = make(app, OFFICER, nik=synthetic_nik(serial="0042"), email="lain@example.com")
    result = runner.invoke(args=["akun", "tolak", other.nik, "--alasan", "foto_buram"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["akun", "tolak", other.nik, "--alasan", "asal"]).exit_code != 0
    with app.app_context():
        assert Account.get_by_id(account.id).state == ACTIVE
        rejected = Account.get_by_id(other.id)
        assert (rejected.state, rejected.reject_reason) == (REJECTED, "foto_buram")


def test_a_rejected_account_sees_why_and_can_send_again(app):
    make(app, REJECTED)
    with app.app_context():
        Account.update(reject_reason="foto_buram").execute()
        flask_db.database.close()
    client = signed_in(app)
    html = text(client.get("/akun"))
    assert "Foto KTP buram atau terbalik." in html and "Foto ulang KTP" in html
    upload(client, "ktp", jpeg_with_gps())
    upload(client, "selfie", jpeg_with_gps())
    csrf = form_fields(text(client.get("/akun/foto")))[0]
    assert client.post("/akun/foto/kirim", data={"csrf_token": csrf}).status_code == 302
    with app.app_context():
        assert Account.get().state == OFFICER and Account.get().reject_reason is None


def test_profile_shows_masked_data_state_desil_and_household(app, registry_person):
    from webapp.registry.models import Person

    nik, name = registry_person.nik, registry_person.name
    members = [p.name for p in Person.select().where(Person.household == registry_person.household_id)]
    flask_db.database.close()
    make(app, ACTIVE, nik=nik)
    client = signed_in(app)
    response = client.get("/akun")
    html = text(response)
    assert response.status_code == 200
    assert nik not in html and nik[:6] + "********" + nik[-2:] in html
    assert "Peringkat Kesejahteraan Keluarga" in html and "Akun Anda aktif" in html
    for member in members:
        assert mask_name(member) in html and member not in html
    assert name not in html
