"""The step pages of a proposal: each a real form with Post/Redirect/Get,
back links, an error summary, and answers kept on error."""

import re

import pytest

from webapp.registry.models import Household
from webapp.usulan.models import Proposal, ProposalMember

from .test_usulan import Citizen, text

MEMBER = {"nik": "3276064508800004", "name": "Rina Wati", "relationship": "Istri",
          "birth_date": "05-08-1980", "sex": "P", "occupation": "Ibu rumah tangga"}


@pytest.fixture
def citizen(client, monkeypatch):
    return Citizen(client, monkeypatch).sign_in()


@pytest.fixture
def pid(citizen, db):
    return citizen.started()


def step(citizen, pid, name, data, query=""):
    path = f"/usulan/{pid}/{name}{query}"
    return citizen.post(path, data, csrf_from=f"/usulan/{pid}/data-diri")


def proposal(pid):
    return Proposal.get(Proposal.public_id == pid)


def test_person_step_saves_and_goes_to_members(citizen, pid):
    response = step(citizen, pid, "data-diri", {"name": "Budi Santoso", "birth_place": "Depok",
                                                "birth_date": "1975-08-17", "sex": "L",
                                                "occupation": "Buruh harian lepas"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/usulan/{pid}/anggota")
    assert proposal(pid).name == "Budi Santoso"
    page = text(citizen.client.get(f"/usulan/{pid}/anggota"))
    assert f'href="/usulan/{pid}/data-diri" class="back"' in page


def test_person_step_errors_keep_the_answers(citizen, pid):
    response = step(citizen, pid, "data-diri", {"name": "Budi\x00", "birth_place": "",
                                                "birth_date": "31-02-1975",
                                                "sex": "X", "occupation": "Petani"})
    html = text(response)
    assert response.status_code == 422
    assert "<title>Kesalahan: " in html and 'role="alert"' in html
    assert 'href="#birth_place"' in html and "tanggal lahir yang benar" in html
    assert "Pilih jenis kelamin" in html
    assert 'value="Petani"' in html


def test_members_add_edit_remove(citizen, pid):
    response = step(citizen, pid, "anggota/tambah", MEMBER)
    assert response.status_code == 303
    member = ProposalMember.get(ProposalMember.nik == MEMBER["nik"])
    assert member.name == "Rina Wati"
    assert "Rina Wati" in text(citizen.client.get(f"/usulan/{pid}/anggota"))
    assert step(citizen, pid, f"anggota/{member.id}/ubah", dict(MEMBER, name="Rina W")).status_code == 303
    assert ProposalMember.get_by_id(member.id).name == "Rina W"
    assert step(citizen, pid, f"anggota/{member.id}/hapus", {}).status_code == 303
    assert not ProposalMember.select().exists()
    done = step(citizen, pid, "anggota", {})
    assert done.headers["Location"].endswith(f"/usulan/{pid}/domisili")
    assert proposal(pid).members_done


@pytest.mark.parametrize("change, message", [
    # the proposed person's own NIK
    ({"nik": "3276061708750003", "birth_date": "17-08-1975", "sex": "L"}, "sudah ada dalam usulan"),
    ({"nik": "12345"}, "16 digit"),
    ({"nik": "３２７６０６４５０８８００００４"}, "hanya berisi angka"),
    ({"birth_date": "06-08-1980"}, "tidak sama dengan tanggal di NIK"),
    ({"relationship": "<script>"}, "Pilih hubungan"),
    ({"name": "x" * 10000}, "paling banyak 100"),
])
def test_member_errors(citizen, pid, change, message):
    response = step(citizen, pid, "anggota/tambah", dict(MEMBER, **change))
    assert response.status_code == 422
    assert message in text(response)


def test_a_duplicate_member_nik_is_refused(citizen, pid):
    step(citizen, pid, "anggota/tambah", MEMBER)
    response = step(citizen, pid, "anggota/tambah", dict(MEMBER, name="Orang Lain"))
    assert response.status_code == 422 and "sudah ada dalam usulan" in text(response)
    assert ProposalMember.select().count() == 1


def test_another_proposals_member_is_404(citizen, pid):
    step(citizen, pid, "anggota/tambah", MEMBER)
    member = ProposalMember.get()
    citizen.sign_in(id_=2)
    other = citizen.started(no_kk="3276060101200043", nik="3276061708750005")
    assert citizen.client.get(f"/usulan/{other}/anggota/{member.id}/ubah").status_code == 404


def test_domicile_without_javascript_fills_the_next_level(citizen, pid):
    response = step(citizen, pid, "domisili", {"provinsi": "32", "kabupaten": "32.76",
                                               "street": "Jl. Melati 3", "pilih": "1"})
    html = text(response)
    assert response.status_code == 200
    assert re.search(r'<option value="32\.76\.06">', html) and 'value="Jl. Melati 3"' in html
    assert 'id="dom-kecamatan"' in html


def test_domicile_saves_a_complete_chain(citizen, pid):
    data = {"provinsi": "32", "kabupaten": "32.76", "kecamatan": "32.76.06", "desa": "32.76.06.1001",
            "street": "Jl. Melati 3", "rt": "1", "rw": "12"}
    assert step(citizen, pid, "domisili", dict(data, desa="")).status_code == 422
    response = step(citizen, pid, "domisili", data)
    assert response.status_code == 303
    p = proposal(pid)
    assert (p.desa_code, p.rt, p.rw) == ("32.76.06.1001", "001", "012")
    page = text(citizen.client.get(f"/usulan/{pid}/domisili"))
    assert '<option value="32.76.06.1001" selected>' in page


def test_domicile_broken_chain_is_refused(citizen, pid):
    response = step(citizen, pid, "domisili", {"provinsi": "32", "kabupaten": "33.01",
                                               "kecamatan": "33.01.01",
                                               "desa": "33.01.01.2001", "street": "Jl", "rt": "1", "rw": "1"})
    assert response.status_code == 422 and "Pilih Kabupaten/Kota" in text(response)


def test_conditions_and_reason(citizen, pid):
    assert step(citizen, pid, "kondisi", {"conditions": ["lansia"], "reason": ""}).status_code == 422
    response = step(citizen, pid, "kondisi", {"conditions": ["lansia", "hamil", "bogus"],
                                              "reason": "Suami meninggal"})
    assert response.status_code == 303
    assert proposal(pid).conditions == "lansia,hamil"
    assert "checked" in text(citizen.client.get(f"/usulan/{pid}/kondisi"))


def test_programs_need_one_and_follow_the_desil(citizen, db):
    hh = Household.select().where(Household.desil == 5).first()
    pid = citizen.started(no_kk=hh.no_kk)
    page = text(citizen.client.get(f"/usulan/{pid}/program"))
    assert "desil 5" in page and "PKH untuk desil 1–4" in page
    assert step(citizen, pid, "program", {}).status_code == 422
    refused = step(citizen, pid, "program", {"programs": ["PKH"]})
    assert refused.status_code == 422 and "tidak sesuai dengan desil" in text(refused)
    assert step(citizen, pid, "program", {"programs": ["SEMBAKO", "PBI-JK"]}).status_code == 303
    assert proposal(pid).programs == "SEMBAKO,PBI-JK"


def test_a_change_from_the_review_returns_to_the_review(citizen, pid):
    page = text(citizen.client.get(f"/usulan/{pid}/periksa"))
    assert f"/usulan/{pid}/kondisi?dari=periksa" in page
    form = text(citizen.client.get(f"/usulan/{pid}/kondisi?dari=periksa"))
    assert f'href="/usulan/{pid}/periksa" class="back"' in form
    response = step(citizen, pid, "kondisi", {"reason": "Sakit"}, query="?dari=periksa")
    assert response.headers["Location"].endswith(f"/usulan/{pid}/periksa")


def test_steps_need_the_csrf_token(citizen, pid):
    response = citizen.client.post(f"/usulan/{pid}/kondisi", data={"reason": "x"})
    assert response.status_code == 400
    assert proposal(pid).reason is None


def test_sktm_is_asked_only_outside_the_registry(citizen, db):
    pid = citizen.started()
    assert "SKTM" in text(citizen.client.get(f"/usulan/{pid}/dokumen"))
    hh = Household.select().where(Household.desil <= 5).first()
    citizen.sign_in(id_=3)
    inside = citizen.started(no_kk=hh.no_kk)
    assert "SKTM" not in text(citizen.client.get(f"/usulan/{inside}/dokumen"))


@pytest.mark.parametrize("sex, says", [("P", "Menurut NIK, orang ini laki-laki"),
                                       ("L", None)])
def test_person_step_checks_the_sex_against_the_nik(citizen, pid, sex, says):
    """The proposed NIK 3276061708750003: day 17, so a man (a woman's day is 57)."""
    response = step(citizen, pid, "data-diri", {"name": "Budi Santoso", "birth_place": "Depok",
                                                "birth_date": "17-08-1975", "sex": sex,
                                                "occupation": "Buruh harian lepas"})
    if says is None:
        assert response.status_code == 303 and proposal(pid).sex == "L"
        return
    html = text(response)
    assert response.status_code == 422 and says in html
    # Next to the field, and linked from the error summary; the answer kept.
    assert re.search(r'<p class="error" id="sex-error">.*?Menurut NIK, orang ini laki-laki', html, re.S)
    assert 'href="#sex"' in html and 'value="Budi Santoso"' in html
    assert proposal(pid).sex != "P"


def test_member_sex_is_checked_against_the_nik(citizen, pid):
    # 3276064508800004: day 45 = 5 + 40, a woman.
    response = step(citizen, pid, "anggota/tambah", dict(MEMBER, sex="L"))
    assert response.status_code == 422
    assert "Menurut NIK, orang ini perempuan" in text(response) and 'id="sex-error"' in text(response)
    assert not ProposalMember.select().exists()
    assert step(citizen, pid, "anggota/tambah", MEMBER).status_code == 303
