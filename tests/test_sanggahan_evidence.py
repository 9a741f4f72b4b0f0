"""Objections with evidence: the house photo per reason, the location (one
tap, typed or described) and geolocation allowed on that page alone."""

import io

import pytest
from PIL import Image

from webapp.sanggahan import services
from webapp.sanggahan.models import Objection

from .test_sanggahan import Neighbour, object_to, text


@pytest.fixture
def neighbour(client, monkeypatch, registry_person):
    return Neighbour(client, monkeypatch).sign_in(registry_person.desa_code)


def png():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "PNG")
    out.seek(0)
    return out, "rumah.png"


@pytest.mark.parametrize("reason", sorted(services.REASONS))
def test_house_photo_required_only_where_it_proves_something(neighbour, registry_person, reason):
    note = {"lainnya": "Alasan lain yang ditulis"}.get(reason, "Keterangan")
    response = object_to(neighbour, registry_person, reason=reason, note=note)
    if reason in services.PHOTO_REQUIRED:
        assert response.status_code == 422
        assert "Lampirkan foto rumah penerima" in text(response)
        assert "Keterangan" in text(response) and not Objection.select().exists()
        response = object_to(neighbour, registry_person, reason=reason, note=note, foto=png())
    assert response.status_code == 303, text(response)
    assert Objection.get().reason == reason


def test_the_form_says_for_each_reason_whether_a_photo_is_needed(neighbour, registry_person):
    html = text(neighbour.client.get(neighbour.recipient_link(registry_person)))
    assert "Wajib: foto rumah penerima" in html
    assert "Tidak perlu foto rumah: kematian dibuktikan dengan surat kematian" in html


def test_sudah_mampu_needs_a_location_typed_or_described(neighbour, registry_person):
    missing = object_to(neighbour, registry_person, reason="mampu", location_note="", foto=png())
    assert missing.status_code == 422 and "Sertakan lokasi rumah penerima" in text(missing)
    half = object_to(neighbour, registry_person, reason="mampu", location_note="", latitude="-6.4",
                     foto=png())
    assert half.status_code == 422 and "Isi garis lintang dan garis bujur" in text(half)
    abroad = object_to(neighbour, registry_person, reason="mampu", latitude="51.5", longitude="-0.12",
                       foto=png())
    assert abroad.status_code == 422 and "di luar Indonesia" in text(abroad)
    assert 'value="51.5"' in text(abroad)  # what was typed stays
    nonsense = object_to(neighbour, registry_person, reason="mampu", latitude="enam", longitude="106",
                         foto=png())
    assert nonsense.status_code == 422 and "Garis lintang berupa angka" in text(nonsense)
    assert not Objection.select().exists()
    sent = object_to(neighbour, registry_person, reason="mampu", location_note="", latitude="-6,402500",
                     longitude="106.819400", foto=png())
    assert sent.status_code == 303
    objection = Objection.get()
    assert (objection.latitude, objection.longitude) == (-6.4025, 106.8194)
    assert "-6.402500, 106.819400" in text(neighbour.client.get(sent.headers["Location"]))


def test_geolocation_is_allowed_on_the_objection_form_alone(neighbour, registry_person):
    link = neighbour.recipient_link(registry_person)
    form = neighbour.client.get(link)
    assert "geolocation=(self)" in form.headers["Permissions-Policy"]
    assert "lokasi.js" in text(form) and '<p id="lokasi-tombol" hidden>' in text(form)
    for other in ("/sanggahan/penerima", "/sanggahan/", "/"):
        assert "geolocation=()" in neighbour.client.get(other).headers["Permissions-Policy"]
    # The error page of the same form keeps the permission.
    again = object_to(neighbour, registry_person, reason="")
    assert "geolocation=(self)" in again.headers["Permissions-Policy"]


def test_the_migration_brings_an_old_database_up_to_date(app):
    """An install from before issue #16's second half: init-db adds the
    objection's location and day-14 columns and the three new tables."""
    from playhouse.migrate import migrate

    from webapp import migrations
    from webapp.db import flask_db
    from webapp.migrations import create_schema

    new_columns = {"latitude", "longitude", "location_note", "decided_auto"}
    with app.app_context():
        db = flask_db.database
        for table in ("eligibility_response", "officer_enrolment", "recovery_code"):
            db.execute_sql(f"DROP TABLE {table}")
        migrator = migrations._migrator(db)
        migrate(*[migrator.drop_column("objection", name) for name in sorted(new_columns)])
        migrations.SchemaMigration.bind(db)
        migrations.SchemaMigration.delete().where(
            migrations.SchemaMigration.name == "m016b_evidence_responses_officers").execute()
        assert not new_columns & {c.name for c in db.get_columns("objection")}
        create_schema()
        assert new_columns <= {c.name for c in db.get_columns("objection")}
        assert all(db.table_exists(t) for t in ("eligibility_response", "officer_enrolment", "recovery_code"))
        create_schema()  # safe to repeat
        db.close()
