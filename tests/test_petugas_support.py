"""Helpers for the officer tests (no tests here): officers made with the
real `flask petugas buat`, signed in with password and TOTP, and a citizen
proposal sent through the usulan services."""

import io
import itertools
import re
import time

import pyotp
from PIL import Image

from webapp.akun.models import Account
from webapp.db import flask_db

from .conftest import form_fields, new_account
from .helpers import text

OFFICER_PASSWORD = "petugas-sandi-panjang-sekali"
NIK = "3276061708750003"  # Beji, born 17-08-1975 (synthetic)
WIFE_NIK = "3276065203800004"  # born 12-03-1980, female (synthetic)
KK = "3276060101200042"
DESA = "32.76.06.1001"
OTHER_DESA = "32.01.01.1001"  # Kabupaten Bogor: outside Kota Depok
# Distinct synthetic NIKs for officers (kecamatan Beji, born 1-1-1970 + n).
# Each test has its own database, so the cycle may repeat across tests.
_OFFICER_NIKS = itertools.cycle([f"3276060101{70 + n:02d}{n + 1:04d}" for n in range(29)])



def forget_csrf():
    """An app context kept open across requests would leak Flask-WTF's token."""
    from flask import g, has_app_context

    if has_app_context():
        g.pop("csrf_token", None)


def create_officer(runner, email, role, region=""):
    args = ["petugas", "buat", "--email", email, "--nik", next(_OFFICER_NIKS), "--nama", "Petugas Contoh",
            "--peran", role, "--sandi", OFFICER_PASSWORD]
    if region:
        args += ["--wilayah", region]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return re.search(r"rahasia: ([A-Z2-7]+)", result.output).group(1)


class Officer:
    """An officer with their own browser (test client)."""

    def __init__(self, app, runner, email, role, region=""):
        self.app, self.email, self.role = app, email, role
        self.secret = create_officer(runner, email, role, region)
        self.client = app.test_client()

    def code(self, offset=0):
        return pyotp.TOTP(self.secret).at(time.time() + offset)

    def password_step(self, password=OFFICER_PASSWORD):
        forget_csrf()
        csrf = form_fields(text(self.client.get("/akun/masuk")))[0]
        return self.client.post("/akun/masuk", data={"csrf_token": csrf, "identitas": self.email,
                                                     "password": password})

    def code_step(self, code):
        forget_csrf()
        csrf = form_fields(text(self.client.get("/petugas/masuk/kode")))[0]
        return self.client.post("/petugas/masuk/kode", data={"csrf_token": csrf, "kode": code})

    def sign_in(self, offset=0):
        response = self.password_step()
        assert response.status_code == 303 and response.headers["Location"].endswith("/petugas/masuk/kode")
        response = self.code_step(self.code(offset))
        assert response.status_code == 303, text(response)
        return self

    def csrf(self, path="/petugas/"):
        forget_csrf()
        return form_fields(text(self.client.get(path)))[0]

    def get(self, path, **kw):
        forget_csrf()
        return self.client.get(path, **kw)

    def post(self, path, data=None, csrf_from="/petugas/", **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf(csrf_from))
        forget_csrf()
        return self.client.post(path, data=data, **kw)

    def version(self, pid):
        html = text(self.get(f"/petugas/usulan/{pid}"))
        return re.search(r'name="versi" value="(\d+)"', html).group(1)

    def decide(self, pid, decision, note="", version=None, **extra):
        data = {"keputusan": decision, "catatan": note, "versi": version or self.version(pid), **extra}
        return self.post(f"/petugas/usulan/{pid}/putusan", data, csrf_from=f"/petugas/usulan/{pid}")


def jpeg(color=(120, 140, 160)):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    buffer.seek(0)
    return buffer


def citizen(app, email="warga.contoh@example.com", nik=None, state="aktif", desa=DESA):
    with app.app_context():
        account = new_account(state=state, email=email, nik=nik)
        if desa != DESA:
            Account.update(desa=desa).where(Account.id == account.id).execute()
        account = Account.get_by_id(account.id)
        flask_db.database.close()
    return account


def sent_proposal(app, account, desa=DESA, kk=KK, nik=NIK, programs="PKH,PBI-JK"):
    """A complete proposal sent by `account` (documents as rows: uploads are
    tested with usulan). Returns its public id."""
    from webapp.usulan import services
    from webapp.usulan.models import ProposalDocument, ProposalMember

    with app.test_request_context():
        proposal = services.start(account, kk, nik).proposal
        services.touch(proposal, name="Budi Hartono", birth_place="Depok", occupation="Buruh harian lepas",
                       members_done=True, desa=desa, street="Jl. Kenanga 7", rt="003", rw="005",
                       reason="Penghasilan tidak tetap", programs=programs)
        ProposalMember.create(proposal=proposal, nik=WIFE_NIK, name="Sri Wahyuni", relationship="Istri",
                              birth_date="1980-03-12", sex="P", occupation="Ibu rumah tangga")
        for kind in ("ektp", "kk", "sktm"):
            ProposalDocument.create(proposal=proposal, kind=kind, stored_name=f"usulan/{kind}.jpg")
        services.submit(proposal, account)
        pid = proposal.public_id
        flask_db.database.close()
    return pid
