"""Sanggahan over HTTP: recipients in one's own desa, objecting, withdrawing,
and the decisions #5 will take (uphold / dismiss)."""

import io
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from PIL import Image

from webapp import clock
from webapp.identity import mask_name
from webapp.registry.models import Enrollment, Person
from webapp.registry.programs import quarter_of
from webapp.sanggahan import services
from webapp.sanggahan.models import Objection

from .conftest import form_fields
from .helpers import text


class Neighbour:
    """A stand-in active account living in a given desa."""

    def __init__(self, client, monkeypatch):
        self.client = client
        self.account = None
        monkeypatch.setattr("webapp.usulan.access.current_account", lambda: self.account)

    def sign_in(self, desa_code, id_=1, nik="3276061708750003", state="aktif"):
        self.account = SimpleNamespace(id=id_, state=state, nik=nik, desa_code=desa_code,
                                       email=f"warga{id_}@contoh.test")
        return self

    def post(self, path, data, csrf_from, **kw):
        csrf = form_fields(text(self.client.get(csrf_from)))[0]
        return self.client.post(path, data=dict(data, csrf_token=csrf), **kw)

    def recipient_link(self, person):
        html = text(self.client.get("/sanggahan/penerima"))
        masked = re.escape(mask_name(person.name))
        row = (r'<p class="recipient-name"><strong>' + masked
               + r'</strong></p>.*?href="(/sanggahan/baru/[^"]+)"')
        found = re.search(row, html, re.S)
        return found.group(1) if found else None


@pytest.fixture
def neighbour(client, monkeypatch, registry_person):
    return Neighbour(client, monkeypatch).sign_in(registry_person.desa_code)


def object_to(neighbour, person, **data):
    link = neighbour.recipient_link(person)
    fields = {"reason": "pindah", "note": "Punya mobil dan toko", "honest": "1",
              "location_note": "RT 03/RW 05, sebelah masjid"}
    fields.update(data)
    return neighbour.post(link, fields, csrf_from=link, content_type="multipart/form-data")


def test_recipients_of_the_own_desa_masked_with_programs(neighbour, registry_person):
    response = neighbour.client.get("/sanggahan/penerima")
    html = text(response)
    assert response.status_code == 200
    assert mask_name(registry_person.name) in html and registry_person.name not in html
    assert registry_person.nik not in html
    assert not re.search(r"/sanggahan/baru/\d+\"", html)  # no registry ids in URLs
    shown = re.findall(r'<p class="recipient-name"><strong>([^<]+)</strong></p>', html)
    in_desa = {mask_name(p.name) for p in Person.select().where(Person.desa == registry_person.desa_code)}
    assert shown and set(shown) <= in_desa and len(shown) <= 20


def test_objection_needs_a_reason_and_the_honesty_statement(neighbour, registry_person):
    response = object_to(neighbour, registry_person, reason="", honest="")
    html = text(response)
    assert response.status_code == 422
    assert "Pilih alasan sanggahan" in html and "Centang pernyataan" in html
    assert object_to(neighbour, registry_person, reason="lainnya", note="").status_code == 422
    assert not Objection.select().exists()


def test_objection_is_sent_with_the_14_day_window(neighbour, registry_person):
    response = object_to(neighbour, registry_person, reason="meninggal")
    assert response.status_code == 303
    objection = Objection.get()
    assert objection.due_date == clock.today() + timedelta(days=14)
    html = text(neighbour.client.get(response.headers["Location"]))
    assert (clock.today() + timedelta(days=14)).strftime("%d-%m-%Y") in html
    assert "Menunggu tindak lanjut" in html and "Sudah meninggal dunia" in html
    listing = text(neighbour.client.get("/sanggahan/"))
    assert objection.public_id in listing
    # a second objection to the same person goes to the pending one
    again = neighbour.client.get(neighbour.recipient_link(registry_person))
    assert again.status_code == 302 and objection.public_id in again.headers["Location"]


def test_photo_evidence_is_checked_where_given(neighbour, registry_person):
    bad = object_to(neighbour, registry_person, foto=(io.BytesIO(b"MZ not an image"), "bukti.jpg"))
    assert bad.status_code == 422 and "bukan foto" in text(bad)
    assert 'Punya mobil dan toko' in text(bad)
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    out.seek(0)
    good = object_to(neighbour, registry_person, foto=(out, "bukti.png"))
    assert good.status_code == 303
    objection = Objection.get()
    image = neighbour.client.get(f"/sanggahan/{objection.public_id}/foto")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    image.close()


def test_another_citizens_objection_and_photo_are_404(neighbour, registry_person):
    object_to(neighbour, registry_person)
    objection = Objection.get()
    neighbour.sign_in(registry_person.desa_code, id_=2)
    assert neighbour.client.get(f"/sanggahan/{objection.public_id}").status_code == 404
    assert neighbour.client.get(f"/sanggahan/{objection.public_id}/foto").status_code == 404


def test_a_token_works_only_for_its_account_and_desa(neighbour, registry_person):
    link = neighbour.recipient_link(registry_person)
    neighbour.sign_in(registry_person.desa_code, id_=2)
    assert neighbour.client.get(link).status_code == 404
    assert neighbour.client.get(link[:-3] + "abc").status_code == 404
    neighbour.sign_in("32.76.01.1006", id_=3)
    assert neighbour.client.get("/sanggahan/baru/" + str(registry_person.id)).status_code == 404


def test_inactive_account_cannot_object(client, monkeypatch, registry_person):
    Neighbour(client, monkeypatch).sign_in(registry_person.desa_code, state="menunggu verifikasi petugas")
    assert client.get("/sanggahan/penerima").status_code == 403


def current(person):
    year, quarter = quarter_of(clock.today())
    return Enrollment.select().where((Enrollment.year == year) & (Enrollment.quarter == quarter)
                                     & ((Enrollment.person == person.id)
                                        | ((Enrollment.household == person.household_id)
                                           & Enrollment.person.is_null())))


def test_uphold_ends_the_enrollments_with_the_reason(neighbour, registry_person):
    object_to(neighbour, registry_person, reason="meninggal")
    objection = Objection.get()
    assert any(e.status == "YA" for e in current(registry_person))
    services.uphold(objection, SimpleNamespace(id=90), "Sudah dicek ke lapangan")
    ended = [e for e in current(registry_person)]
    assert all(e.status == "TIDAK" and e.stage == "DIHENTIKAN" for e in ended)
    assert any(e.ended_reason == "EXCLUDE – MENINGGAL" for e in ended)
    with pytest.raises(services.DecisionError):
        services.dismiss(objection, SimpleNamespace(id=90), "terlambat")
    html = text(neighbour.client.get(f"/sanggahan/{objection.public_id}"))
    assert "Diterima" in html and "Sudah dicek ke lapangan" in html


def test_dismiss_needs_a_note_and_keeps_the_enrollments(neighbour, registry_person):
    object_to(neighbour, registry_person)
    objection = Objection.get()
    with pytest.raises(services.DecisionError):
        services.dismiss(objection, SimpleNamespace(id=90), " ")
    before = [e.status for e in current(registry_person)]
    services.dismiss(objection, SimpleNamespace(id=90), "Masih layak menurut verifikasi")
    assert [e.status for e in current(registry_person)] == before
    assert Objection.get_by_id(objection.id).status == services.DISMISSED


def test_withdraw_oneself_from_a_program(client, monkeypatch, registry_person):
    me = Neighbour(client, monkeypatch).sign_in(registry_person.desa_code, nik=registry_person.nik)
    page = text(client.get("/sanggahan/mundur"))
    enrolled = [e for e in current(registry_person) if e.status == "YA"]
    program = enrolled[0].program_code
    assert f'value="{program}"' in page
    page_url = "/sanggahan/mundur"
    assert me.post(page_url, {"program": program}, csrf_from=page_url).status_code == 422
    assert me.post("/sanggahan/mundur", {"program": "BOGUS", "honest": "1"},
                   csrf_from="/sanggahan/mundur").status_code == 422
    response = me.post(page_url, {"program": program, "honest": "1"}, csrf_from=page_url)
    assert response.status_code == 303
    withdrawal = Objection.get()
    assert withdrawal.kind == "mundur" and withdrawal.program_code == program
    services.uphold(withdrawal, SimpleNamespace(id=90))
    ended = [e for e in current(registry_person) if e.program_code == program]
    assert all(e.ended_reason == "EXCLUDE – MENGUNDURKAN DIRI" and e.status == "TIDAK" for e in ended)
    others = [e for e in current(registry_person) if e.program_code != program and e.id in
              {x.id for x in enrolled}]
    assert all(e.status == "YA" for e in others)


def test_someone_outside_the_registry_has_nothing_to_withdraw(neighbour):
    html = text(neighbour.client.get("/sanggahan/mundur"))
    assert "tidak menerima program" in html


@pytest.mark.parametrize("kind", [services.SANGGAH, services.MUNDUR])
def test_a_second_send_while_one_is_pending_gives_the_same_one(neighbour, registry_person, kind):
    """Two "Kirim" at once reach create() twice: one objection, not two."""
    args = ("pindah", "Pindah ke Bogor", True) if kind == services.SANGGAH else (None, "", True)
    program = None if kind == services.SANGGAH else "PBI-JK"
    first = services.create(neighbour.account, registry_person, kind, *args, program=program)
    second = services.create(neighbour.account, registry_person, kind, *args, program=program)
    assert first.id == second.id and Objection.select().count() == 1


def test_the_form_shows_the_handling_date_before_sending(neighbour, registry_person):
    due = clock.today() + timedelta(days=14)
    link = neighbour.recipient_link(registry_person)
    html = text(neighbour.client.get(link))
    assert "14 hari" in html
    assert f'<time datetime="{due.isoformat()}">{due.strftime("%d-%m-%Y")}</time>' in html
    # The same date the objection gets once sent (and the error page keeps it).
    assert due.strftime("%d-%m-%Y") in text(object_to(neighbour, registry_person, reason=""))
    response = object_to(neighbour, registry_person, reason="meninggal")
    assert Objection.get().due_date == due
    assert due.strftime("%d-%m-%Y") in text(neighbour.client.get(response.headers["Location"]))
