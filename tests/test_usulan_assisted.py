"""Operator-assisted mode (issue #8): an officer at the kiosk fills a
proposal for a citizen who is present, records "original document seen"
instead of uploads, sends it and prints the receipt; the proposal then goes
the normal officer path. Citizens cannot tick originals; officers of another
region get a logged 404."""

import re

import pytest

from webapp import clock
from webapp.akun.models import Account
from webapp.db import flask_db
from webapp.petugas.models import AuditLog
from webapp.registry.models import Household
from webapp.usulan import drafts
from webapp.usulan import services as usulan
from webapp.usulan.models import Proposal, ProposalDocument, ProposalOriginalSeen

from .conftest import PASSWORD, AkunActions, form_fields
from .test_petugas_flow import status_of, through_musyawarah
from .test_petugas_support import DESA, KK, NIK, OTHER_DESA, WIFE_NIK, Officer, citizen, jpeg, text


@pytest.fixture
def operator(app, runner):
    return Officer(app, runner, "operator@contoh.test", "operator_desa", DESA).sign_in()


@pytest.fixture
def stranger(app, runner):
    """An operator of a desa in another kabupaten."""
    return Officer(app, runner, "lain@contoh.test", "operator_desa", OTHER_DESA).sign_in()


def read(app, fn):
    with app.app_context():
        try:
            return fn()
        finally:
            flask_db.database.close()


def account_id(app, email):
    return read(app, lambda: Account.get(Account.email == email).id)


def start(officer, no_kk=KK, nik=NIK, hadir="y"):
    data = {"no_kk": no_kk, "nik": nik}
    if hadir:
        data["hadir"] = hadir
    return officer.post("/petugas/bantu", data, csrf_from="/petugas/bantu")


def started(officer, **kw):
    response = start(officer, **kw)
    assert response.status_code == 303, text(response)
    return re.search(r"/usulan/([^/]+)/data-diri", response.headers["Location"]).group(1)


def step(officer, pid, name, data):
    return officer.post(f"/usulan/{pid}/{name}", data, csrf_from=f"/usulan/{pid}/data-diri")


def fill_steps(officer, pid, desa=DESA):
    """Every step but the documents, through the ordinary usulan forms."""
    assert step(officer, pid, "data-diri", {"name": "Budi Hartono", "birth_place": "Depok",
                                            "birth_date": "17-08-1975", "sex": "L",
                                            "occupation": "Buruh harian lepas"}).status_code == 303
    assert step(officer, pid, "anggota/tambah", {
        "nik": WIFE_NIK, "name": "Sri Wahyuni", "relationship": "Istri", "birth_date": "12-03-1980",
        "sex": "P", "occupation": "Ibu rumah tangga"}).status_code == 303
    assert step(officer, pid, "anggota", {}).status_code == 303
    parts = desa.split(".")
    response = step(officer, pid, "domisili", {
        "provinsi": parts[0], "kabupaten": ".".join(parts[:2]), "kecamatan": ".".join(parts[:3]),
        "desa": desa, "street": "Jl. Kenanga 7", "rt": "3", "rw": "5"})
    if response.status_code != 303:
        return response
    assert step(officer, pid, "kondisi", {"conditions": ["lansia"],
                                          "reason": "Penghasilan tidak tetap"}).status_code == 303
    assert step(officer, pid, "program", {"programs": ["PKH", "PBI-JK"]}).status_code == 303
    return response


def tick(officer, pid, kind, seen=True):
    data = {"jenis": kind}
    if seen:
        data["asli"] = "1"
    return officer.post(f"/petugas/bantu/{pid}/dokumen-asli", data, csrf_from="/petugas/bantu")


def audit_rows(app, action=None):
    def rows():
        query = AuditLog.select().order_by(AuditLog.id)
        if action:
            query = query.where(AuditLog.action == action)
        return list(query)

    return read(app, rows)


def assisted_and_sent(app, operator):
    pid = started(operator)
    fill_steps(operator, pid)
    for kind in ("ektp", "kk", "sktm"):
        assert tick(operator, pid, kind).status_code == 303
    response = operator.post(f"/petugas/bantu/{pid}/kirim", csrf_from=f"/usulan/{pid}/periksa")
    assert response.status_code == 303, text(response)
    assert response.headers["Location"].endswith(f"/usulan/{pid}/tanda-terima")
    return pid


def test_officer_starts_fills_and_sends_with_originals_seen(app, operator, mail_outbox):
    page = text(operator.get("/petugas/bantu"))
    assert "Bantu warga mengusulkan" in page and 'name="hadir"' in page
    # The citizen must be present: without the tick nothing starts.
    refused = start(operator, hadir=None)
    assert refused.status_code == 422 and "warga yang hadir" in text(refused)
    assert read(app, lambda: Proposal.select().count()) == 0

    pid = started(operator)
    officer_id = account_id(app, operator.email)
    draft = read(app, lambda: Proposal.get(Proposal.public_id == pid))
    assert (draft.assisted_by, draft.account_id, draft.status) == (officer_id, officer_id, usulan.DRAFT)
    assert draft.desa_code == DESA  # the operator's desa, ready in the domicile step
    assert "Mode bantuan petugas" in text(operator.get(f"/usulan/{pid}/data-diri"))

    fill_steps(operator, pid)
    page = text(operator.get(f"/usulan/{pid}/dokumen"))
    assert page.count('name="asli"') == 3  # e-KTP, KK and SKTM (not in the registry); not the house photo
    assert tick(operator, pid, "rumah").status_code == 400
    for kind in ("ektp", "kk", "sktm"):
        assert tick(operator, pid, kind).status_code == 303
    # Untick and tick again: the tick is a real checkbox.
    assert tick(operator, pid, "kk", seen=False).status_code == 303
    assert read(app, lambda: drafts.missing_steps(Proposal.get(Proposal.public_id == pid))) == ["dokumen"]
    assert tick(operator, pid, "kk").status_code == 303
    page = text(operator.get(f"/usulan/{pid}/dokumen"))
    assert page.count("Dokumen asli sudah dilihat petugas</span>") == 3

    review = text(operator.get(f"/usulan/{pid}/periksa"))
    assert "Dokumen asli sudah dilihat petugas" in review
    assert f'action="/petugas/bantu/{pid}/kirim"' in review

    # The usulan "Kirim" of an assisted proposal goes to the officer's (307 keeps the POST).
    response = operator.post(f"/usulan/{pid}/kirim", csrf_from=f"/usulan/{pid}/periksa")
    assert response.status_code == 307
    assert response.headers["Location"].endswith(f"/petugas/bantu/{pid}/kirim")
    response = operator.post(f"/petugas/bantu/{pid}/kirim", csrf_from=f"/usulan/{pid}/periksa")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/usulan/{pid}/tanda-terima")

    sent = read(app, lambda: Proposal.get(Proposal.public_id == pid))
    assert sent.status == usulan.DIAJUKAN and sent.receipt_no and sent.assisted_by == officer_id
    assert read(app, lambda: ProposalDocument.select().count()) == 0
    assert read(app, lambda: sorted(o.kind for o in ProposalOriginalSeen.select())) == ["ektp", "kk", "sktm"]
    assert read(app, lambda: drafts.step_done(Proposal.get_by_id(sent.id), "dokumen"))

    receipt = text(operator.get(f"/usulan/{pid}/tanda-terima"))
    assert sent.receipt_no in receipt
    assert "Dibantu oleh petugas" in receipt and "Petugas Contoh (Operator desa/kelurahan)" in receipt
    assert "Dokumen asli dilihat petugas" in receipt and "Foto e-KTP" in receipt
    # No e-mail: the printed receipt is what the citizen takes home.
    assert mail_outbox.messages == []

    detail = text(operator.get(f"/petugas/usulan/{pid}"))
    assert "Dibantu oleh petugas" in detail and "dokumen asli sudah dilihat petugas" in detail
    assert "Dibantu oleh petugas (Operator desa/kelurahan)" in detail  # on the timeline
    assert sent.receipt_no in text(operator.get("/petugas/bantu"))


def test_public_status_shows_the_assistance_by_role_only(app, operator, client):
    pid = assisted_and_sent(app, operator)
    receipt = read(app, lambda: Proposal.get(Proposal.public_id == pid).receipt_no)
    csrf, token = form_fields(text(client.get("/usulan/status")))
    from .conftest import CAPTCHA

    page = text(client.post("/usulan/status", data={"csrf_token": csrf, "captcha_token": token,
                                                    "captcha": CAPTCHA, "receipt": receipt,
                                                    "birth_date": "17-08-1975"}))
    assert "Dibantu oleh petugas (Operator desa/kelurahan)" in page
    assert "Petugas Contoh" not in page


def test_the_audit_log_records_the_assistance_without_personal_data(app, operator):
    pid = assisted_and_sent(app, operator)
    officer_id = account_id(app, operator.email)
    rows = audit_rows(app)
    assisted = [(r.action, r.detail) for r in rows if r.action in ("bantu_usulan", "dokumen_asli")]
    assert assisted == [("bantu_usulan", "mulai"), ("dokumen_asli", "lihat:ektp"),
                        ("dokumen_asli", "lihat:kk"), ("dokumen_asli", "lihat:sktm"),
                        ("bantu_usulan", "kirim")]
    for row in rows:
        if row.action in ("bantu_usulan", "dokumen_asli"):
            assert row.actor_id == officer_id and row.actor_role == "operator_desa"
            assert row.object_id == pid and row.region_code == DESA
        flat = " ".join(str(v) for v in row.__data__.values())
        for secret in (NIK, KK, WIFE_NIK, "Budi", "Hartono", "Sri"):
            assert secret not in flat


def test_the_assisted_proposal_goes_the_normal_officer_path(app, runner, operator, mail_outbox):
    pid = assisted_and_sent(app, operator)
    officers = {"operator": operator}
    through_musyawarah(app, officers, pid)
    ver = Officer(app, runner, "verifikator@contoh.test", "dinsos_verifikator", "32.76").sign_in()
    visit = ver.post(f"/petugas/usulan/{pid}/kunjungan",
                     {"tanggal": clock.today().isoformat(), "kondisi": ["lantai_tanah"], "catatan": "Sesuai",
                      "desil": "2",
                      "foto": [(jpeg(), "a.jpg")]},
                     csrf_from=f"/petugas/usulan/{pid}", content_type="multipart/form-data")
    assert visit.status_code == 303, text(visit)
    assert "Dibantu oleh petugas" in text(ver.get(f"/petugas/usulan/{pid}"))
    assert ver.decide(pid, "lanjut").status_code == 303
    assert Officer(app, runner, "pemda@contoh.test", "pemda", "32.76").sign_in().decide(
        pid, "lanjut").status_code == 303
    pusat = Officer(app, runner, "pusat@contoh.test", "pusat").sign_in()
    assert pusat.decide(pid, "lanjut").status_code == 303
    assert status_of(app, pid) == usulan.DISETUJUI
    assert read(app, lambda: Household.get(Household.no_kk == KK).desa_code) == DESA
    # The helping officer is not mailed the citizen's news.
    assert mail_outbox.messages == []


def test_return_for_revision_goes_back_to_the_helping_officer(app, operator):
    pid = assisted_and_sent(app, operator)
    assert operator.decide(pid, "perbaikan", "Foto rumah belum ada").status_code == 303
    assert status_of(app, pid) == usulan.PERBAIKAN
    assert "Perlu perbaikan" in text(operator.get("/petugas/bantu"))
    # The originals can be ticked again while it is being revised, then it is sent again.
    assert tick(operator, pid, "kk", seen=False).status_code == 303
    assert tick(operator, pid, "kk").status_code == 303
    response = operator.post(f"/petugas/bantu/{pid}/kirim", csrf_from=f"/usulan/{pid}/periksa")
    assert response.status_code == 303
    assert status_of(app, pid) == usulan.DIAJUKAN
    # Once sent, nothing can be ticked.
    assert tick(operator, pid, "kk", seen=False).status_code == 303
    assert read(app, lambda: ProposalOriginalSeen.select().count()) == 3


def test_a_citizen_cannot_tick_original_seen(app, client, operator):
    account = citizen(app)
    akun = AkunActions(client)
    assert akun.sign_in(account.email, PASSWORD).status_code in (302, 303)
    csrf = form_fields(text(client.get("/usulan/")))[0]
    response = client.post("/usulan/", data={"csrf_token": csrf, "no_kk": KK, "nik": NIK})
    assert response.status_code == 303
    pid = re.search(r"/usulan/([^/]+)/data-diri", response.headers["Location"]).group(1)

    page = text(client.get(f"/usulan/{pid}/dokumen"))
    assert 'name="asli"' not in page and "Dokumen asli sudah dilihat petugas" not in page
    csrf = form_fields(page)[0]
    # Posted anyway: the officer endpoint refuses a citizen …
    refused = client.post(f"/petugas/bantu/{pid}/dokumen-asli",
                          data={"csrf_token": csrf, "jenis": "ektp", "asli": "1"})
    assert refused.status_code == 403
    # … the citizen's document form needs a file …
    refused = client.post(f"/usulan/{pid}/dokumen", data={"csrf_token": csrf, "jenis": "ektp", "asli": "1"})
    assert refused.status_code == 422
    # … and an officer who is not helping with it cannot tick it either (404, logged).
    assert tick(operator, pid, "ektp").status_code == 404
    assert read(app, lambda: ProposalOriginalSeen.select().count()) == 0
    denied = audit_rows(app, "akses_ditolak")
    assert denied and denied[-1].object_type == "bantuan" and denied[-1].object_id == pid

    # The rule itself, for any other caller (CLI, tests): only the helping officer.
    def service_refuses():
        proposal = Proposal.get(Proposal.public_id == pid)
        with pytest.raises(usulan.TransitionError):
            drafts.mark_original_seen(proposal, "ektp", account.id)
        return True

    assert read(app, service_refuses)
    assert not read(app, lambda: drafts.step_done(Proposal.get(Proposal.public_id == pid), "dokumen"))


def test_an_officer_of_another_region_gets_a_logged_404(app, operator, stranger):
    pid = started(operator)
    fill_steps(operator, pid)
    before = len(audit_rows(app, "akses_ditolak"))
    assert tick(stranger, pid, "ektp").status_code == 404
    assert stranger.post(f"/petugas/bantu/{pid}/kirim", csrf_from="/petugas/bantu").status_code == 404
    assert stranger.get(f"/usulan/{pid}/data-diri").status_code == 404
    assert stranger.get(f"/usulan/{pid}/tanda-terima").status_code == 404
    denied = audit_rows(app, "akses_ditolak")[before:]
    assert [(r.object_type, r.object_id, r.actor_role) for r in denied] == [
        ("bantuan", pid, "operator_desa"), ("bantuan", pid, "operator_desa")]

    # Starting one for a household the registry places in another region: 404, logged (no KK in the log).
    registered = read(app, lambda: Household.select().where(Household.desa_code.startswith("32.76.")).first())
    response = start(stranger, no_kk=registered.no_kk, nik="3276061708750005")
    assert response.status_code == 404
    last = audit_rows(app, "akses_ditolak")[-1]
    assert (last.object_type, last.object_id) == ("bantuan", "") and registered.no_kk not in last.detail
    assert read(app, lambda: Proposal.select().where(Proposal.assisted_by.is_null(False)).count()) == 1


def test_the_domicile_of_an_assisted_proposal_stays_in_the_region(app, runner, operator):
    pid = started(operator)
    refused = fill_steps(operator, pid, desa="32.76.06.1002")  # the next desa: not the operator's
    assert refused.status_code == 422 and "di luar wilayah tugas Anda" in text(refused)
    # A Dinas Sosial officer of the kabupaten covers every desa in it.
    dinsos = Officer(app, runner, "dinsos@contoh.test", "dinsos_verifikator", "32.76").sign_in()
    other = started(dinsos, no_kk="3276060101200043", nik="3276061708750005")
    assert read(app, lambda: Proposal.get(Proposal.public_id == other).desa_code) is None
    assert fill_steps(dinsos, other, desa="32.76.06.1002").status_code == 303
    # A household of the kabupaten already in the registry can be helped too.
    low = Household.desil.is_null() | (Household.desil < 6)
    household = read(app, lambda: Household.select().where(
        Household.desa_code.startswith("32.76.") & low).first())
    third = started(dinsos, no_kk=household.no_kk, nik="3276061708750013")
    assert read(app, lambda: Proposal.get(Proposal.public_id == third).desa_code) == household.desa_code


def test_the_gate_rules_apply_to_assisted_proposals(app, operator, runner):
    high = read(app, lambda: Household.select().where(
        Household.desa_code.startswith(DESA) & (Household.desil >= 6)).first())
    if high is not None:
        page = start(operator, no_kk=high.no_kk)
        assert page.status_code == 200 and "di luar jangkauan program" in text(page)
    started(operator)
    again = start(operator)
    assert again.status_code == 409 and "Anda sudah membantu usulan untuk keluarga ini" in text(again)
    colleague = Officer(app, runner, "operator2@contoh.test", "operator_desa", DESA).sign_in()
    taken = start(colleague)
    assert taken.status_code == 409 and "Keluarga ini sudah diusulkan" in text(taken)


def test_the_migration_adds_the_columns_to_an_old_database(app):
    """An install from before operator-assisted mode: init-db adds the column
    and the table, and keeps the data."""
    from playhouse.migrate import migrate

    from webapp import migrations
    from webapp.migrations import create_schema

    with app.app_context():
        db = flask_db.database
        db.execute_sql("DROP TABLE proposal_original_seen")
        migrate(migrations._migrator(db).drop_column("proposal", "assisted_by"))
        migrations.SchemaMigration.bind(db)
        migrations.SchemaMigration.delete().where(
            migrations.SchemaMigration.name == "m001_assisted_proposals").execute()
        assert "assisted_by" not in {c.name for c in db.get_columns("proposal")}
        create_schema()
        assert "assisted_by" in {c.name for c in db.get_columns("proposal")}
        assert db.table_exists("proposal_original_seen")
        create_schema()  # safe to repeat
        db.close()
