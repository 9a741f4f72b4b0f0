"""Proposal documents: one photo per submit, shown back only to the owner."""

import io

import pytest
from PIL import Image

from webapp.usulan.models import ProposalDocument

from .test_usulan import Citizen, text


def photo(fmt="PNG", size=(64, 48)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, fmt)
    out.seek(0)
    return out


@pytest.fixture
def citizen(client, monkeypatch):
    return Citizen(client, monkeypatch).sign_in()


@pytest.fixture
def pid(citizen, db):
    return citizen.started()


def upload(citizen, pid, kind, content, filename="foto.png"):
    return citizen.post(f"/usulan/{pid}/dokumen", {"jenis": kind, "berkas": (content, filename)},
                        csrf_from=f"/usulan/{pid}/dokumen", content_type="multipart/form-data")


def test_upload_shows_back_to_the_owner_only(citizen, pid):
    response = upload(citizen, pid, "ektp", photo())
    assert response.status_code == 303
    doc = ProposalDocument.get(ProposalDocument.kind == "ektp")
    assert doc.stored_name.startswith("usulan/")
    image = citizen.client.get(f"/usulan/{pid}/dokumen/ektp")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.get_data()[:2] == b"\xff\xd8"
    image.close()
    assert "Sudah diunggah" in text(citizen.client.get(f"/usulan/{pid}/dokumen"))
    citizen.sign_in(id_=2)
    assert citizen.client.get(f"/usulan/{pid}/dokumen/ektp").status_code == 404
    assert upload(citizen, pid, "kk", photo()).status_code == 404


def test_a_new_photo_replaces_the_old_file(citizen, pid, app):
    from webapp import uploads

    upload(citizen, pid, "kk", photo())
    first = ProposalDocument.get(ProposalDocument.kind == "kk").stored_name
    upload(citizen, pid, "kk", photo("JPEG"))
    second = ProposalDocument.get(ProposalDocument.kind == "kk").stored_name
    assert first != second and ProposalDocument.select().count() == 1
    with pytest.raises(FileNotFoundError):
        open(uploads.path_of(first), "rb")  # noqa: SIM115


def test_a_non_image_is_refused_and_the_rest_is_kept(citizen, pid):
    upload(citizen, pid, "ektp", photo())
    response = upload(citizen, pid, "kk", io.BytesIO(b"<html>not a photo</html>"), "kk.jpg")
    html = text(response)
    assert response.status_code == 422
    assert "bukan foto" in html and 'href="#berkas-kk"' in html
    assert "Sudah diunggah" in html  # the e-KTP is still there
    assert [d.kind for d in ProposalDocument.select()] == ["ektp"]


def test_no_file_chosen_says_so(citizen, pid):
    response = citizen.post(f"/usulan/{pid}/dokumen", {"jenis": "ektp"}, csrf_from=f"/usulan/{pid}/dokumen")
    assert response.status_code == 422 and "Pilih berkas foto" in text(response)


def test_removing_a_document(citizen, pid):
    upload(citizen, pid, "rumah", photo())
    response = citizen.post(f"/usulan/{pid}/dokumen/rumah/hapus", csrf_from=f"/usulan/{pid}/dokumen")
    assert response.status_code == 303 and not ProposalDocument.select().exists()
