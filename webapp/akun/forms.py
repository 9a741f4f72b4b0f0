"""Account forms. The rules themselves live in checks.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import Optional

from ..forms import MaxChars, Required, clean_text, readable, region_fields
from . import checks


def _trim(value):
    """Only surrounding spaces go: a control character (a NUL byte) silently
    removed would make a different address; checks.email refuses it instead."""
    return value.strip() if isinstance(value, str) else value


def _raw(value):
    """Passwords keep their spaces; only a NUL byte (never typed) goes."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class RegisterForm(FlaskForm):
    nik = StringField(_l("NIK"), filters=[readable, clean_text], validators=[
        MaxChars(40, _l("NIK harus 16 digit.")), checks.nik_for_account])
    no_kk = StringField(_l("Nomor KK"), filters=[readable, clean_text], validators=[
        MaxChars(40, _l("Nomor KK harus 16 digit.")), checks.no_kk])
    nama = StringField(_l("Nama sesuai KTP"), filters=[readable, clean_text], validators=[
        Required(_l("Masukkan nama lengkap sesuai KTP.")),
        MaxChars(100, _l("Nama terlalu panjang: paling banyak 100 karakter.")), checks.person_name])
    alamat = StringField(_l("Alamat (jalan, nomor rumah)"), filters=[readable, clean_text], validators=[
        Required(_l("Masukkan alamat sesuai KTP, contoh Jl. Melati No. 5.")),
        MaxChars(200, _l("Alamat terlalu panjang: paling banyak 200 karakter."))])
    rt = StringField(_l("RT"), filters=[readable, clean_text], validators=[checks.rt_rw])
    rw = StringField(_l("RW"), filters=[readable, clean_text], validators=[checks.rt_rw])
    provinsi, kabupaten, kecamatan, desa = region_fields()
    hp = StringField(_l("Nomor HP"), filters=[readable, clean_text], validators=[
        Required(_l("Masukkan nomor HP, contoh 0812 3456 7890.")),
        MaxChars(30, _l("Nomor HP terlalu panjang.")), checks.phone])
    # Optional (issue #16): without it the account is checked by an officer.
    email = StringField(_l("E-mail (boleh dikosongkan)"), filters=[readable, _trim], validators=[
        Optional(), MaxChars(254, _l("Alamat e-mail terlalu panjang.")), checks.email])
    password = PasswordField(_l("Kata sandi"), filters=[readable, _raw], validators=[checks.password])
    setuju = BooleanField(_l("Saya setuju data saya diproses untuk tujuan di atas"), validators=[
        Required(_l("Centang persetujuan agar kami boleh memproses data Anda."))])
    alamat_beda = BooleanField(_l("Alamat saya memang berbeda dari kode wilayah NIK"))


# Fields the inline (htmx) check may ask about.
CHECKABLE = ("nik", "no_kk", "nama", "alamat", "rt", "rw", "hp", "email", "password")


class CodeForm(FlaskForm):
    kode = StringField(_l("Kode 6 angka"), filters=[readable, clean_text], validators=[
        Required(_l("Masukkan kode 6 angka yang kami kirim.")),
        MaxChars(20, _l("Kode terdiri dari 6 angka."))])


class LoginForm(FlaskForm):
    identitas = StringField(_l("NIK atau e-mail"), filters=[readable, clean_text], validators=[
        Required(_l("Masukkan NIK atau alamat e-mail Anda.")),
        MaxChars(254, _l("NIK atau e-mail terlalu panjang."))])
    password = PasswordField(_l("Kata sandi"), filters=[readable, _raw], validators=[
        Required(_l("Masukkan kata sandi Anda.")),
        MaxChars(checks.PASSWORD_MAX, _l("Kata sandi terlalu panjang."))])


class ResetRequestForm(FlaskForm):
    # NIK or e-mail (issue #16): the code goes by e-mail and/or SMS.
    email = StringField(_l("NIK atau e-mail"), filters=[readable, _trim], validators=[
        Required(_l("Masukkan NIK atau alamat e-mail akun Anda.")),
        MaxChars(254, _l("NIK atau e-mail terlalu panjang."))])


class ResetForm(ResetRequestForm):
    kode = CodeForm.kode
    password = PasswordField(_l("Kata sandi baru"), filters=[readable, _raw], validators=[checks.password])


class OfficerCodeForm(FlaskForm):
    """A new password with the code an officer issued at the kantor desa."""

    nik = StringField(_l("NIK"), filters=[readable, clean_text], validators=[
        Required(_l("Masukkan NIK Anda (16 digit).")), MaxChars(40, _l("NIK harus 16 digit."))])
    kode = StringField(_l("Kode dari petugas (8 angka)"), filters=[readable, clean_text], validators=[
        Required(_l("Masukkan kode 8 angka dari petugas.")),
        MaxChars(20, _l("Kode dari petugas terdiri dari 8 angka."))])
    password = PasswordField(_l("Kata sandi baru"), filters=[readable, _raw], validators=[checks.password])
