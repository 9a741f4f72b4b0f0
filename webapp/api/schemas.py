"""The API's request and response shapes. The OpenAPI document is built from
these, and every answer is dumped through them."""

from marshmallow import Schema, fields, validate


class Error(Schema):
    code = fields.String(required=True, metadata={"description": "Kode kesalahan, misalnya captcha_salah"})
    message = fields.String(required=True, metadata={"description": "Penjelasan dalam Bahasa Indonesia"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Per kolom: apa yang salah"},
    )


class Region(Schema):
    kode = fields.String(required=True, metadata={"example": "32.76.06.1001"})
    nama = fields.String(required=True)


class RegionChildren(Schema):
    kode = fields.String(required=True, allow_none=True, metadata={"description": "null: seluruh Indonesia"})
    nama = fields.String(required=True, allow_none=True)
    anak = fields.List(fields.Nested(Region), required=True)


class CaptchaQuery(Schema):
    untuk = fields.String(
        load_default="cek", validate=validate.OneOf(["cek", "usulan_status"]),
        metadata={"description": "Untuk operasi mana: cek (bawaan) atau usulan_status; "
                                 "token hanya diterima oleh operasi itu"},
    )


class Captcha(Schema):
    token = fields.String(required=True)
    gambar = fields.String(required=True, metadata={"description": "Alamat gambar PNG"})
    berlaku_detik = fields.Integer(required=True)


class CekRequest(Schema):
    captcha_token = fields.String(required=True, validate=validate.Length(max=300))
    captcha = fields.String(required=True, validate=validate.Length(max=20))
    nik = fields.String(
        validate=validate.Length(max=40), metadata={"description": "Cari dengan NIK (tanpa desa dan nama)"}
    )
    desa = fields.String(validate=validate.Length(max=20), metadata={"example": "32.76.06.1001"})
    nama = fields.String(validate=validate.Length(max=200), metadata={"description": "Nama sesuai KTP"})


class ProgramLine(Schema):
    kode = fields.String(required=True)
    nama = fields.String(required=True)
    menerima = fields.Boolean(required=True)
    periode = fields.String(required=True)
    tahap = fields.String(required=True)
    penjelasan = fields.String(required=True)


class PersonFound(Schema):
    nama = fields.String(required=True, metadata={"description": "Disamarkan, misalnya S**I A****H"})
    umur = fields.Integer(required=True)
    desil = fields.Integer(required=True, allow_none=True)
    desa = fields.String(required=True)
    program = fields.List(fields.Nested(ProgramLine), required=True)


class CekResult(Schema):
    ditemukan = fields.Boolean(required=True)
    dtsen = fields.String(required=True)
    orang = fields.List(fields.Nested(PersonFound), required=True)


class StatusRequest(Schema):
    nomor = fields.String(
        required=True, validate=validate.Length(max=20), metadata={"example": "USL-AC3F-K7WX"}
    )
    tanggal_lahir = fields.String(
        required=True, validate=validate.Length(max=20), metadata={"example": "17-08-1975"}
    )
    captcha_token = fields.String(required=True, validate=validate.Length(max=300))
    captcha = fields.String(required=True, validate=validate.Length(max=20))


class Step(Schema):
    status = fields.String(required=True)
    label = fields.String(required=True)
    waktu = fields.DateTime(required=True, allow_none=True)
    catatan = fields.String(required=True, allow_none=True)
    keadaan = fields.String(
        required=True, metadata={"description": "done, current, todo, returned, rejected"}
    )


class StatusResult(Schema):
    nomor = fields.String(required=True)
    status = fields.String(required=True)
    label = fields.String(required=True)
    langkah = fields.List(fields.Nested(Step), required=True)


class Page(Schema):
    setelah = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=2**62),
        metadata={"description": "Lanjut setelah id ini (nilai `berikutnya`)"},
    )
    batas = fields.Integer(load_default=500, validate=validate.Range(min=1, max=2000))


class ChangesQuery(Page):
    sejak = fields.Date(required=True, metadata={"example": "2026-11-01"})


class Enrollment(Schema):
    program = fields.String(required=True)
    tahun = fields.Integer(required=True)
    triwulan = fields.Integer(required=True)
    status = fields.String(required=True)
    tahap = fields.String(required=True)


class RegistryPerson(Schema):
    id = fields.Integer(required=True)
    nik = fields.String(required=True)
    no_kk = fields.String(required=True)
    nama = fields.String(required=True)
    tanggal_lahir = fields.Date(required=True)
    jenis_kelamin = fields.String(required=True)
    hubungan = fields.String(required=True)
    kode_desa = fields.String(required=True)
    alamat = fields.String(required=True)
    desil = fields.Integer(required=True, allow_none=True)
    program = fields.List(fields.Nested(Enrollment), required=True)


class RegistryPage(Schema):
    wilayah = fields.String(required=True)
    data = fields.List(fields.Nested(RegistryPerson), required=True)
    berikutnya = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: tidak ada halaman lagi"}
    )


class Change(Schema):
    id = fields.Integer(required=True)
    nomor = fields.String(required=True, allow_none=True)
    kode_desa = fields.String(required=True, allow_none=True)
    status_sekarang = fields.String(required=True)
    peristiwa = fields.String(required=True)
    oleh = fields.String(required=True)
    waktu = fields.DateTime(required=True)


class ChangesPage(Schema):
    wilayah = fields.String(required=True)
    data = fields.List(fields.Nested(Change), required=True)
    berikutnya = fields.Integer(required=True, allow_none=True)
