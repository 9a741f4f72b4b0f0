"""What the lookup by SMS answers. The facts come from the same services as
the web: webapp.cek.services (lookup by NIK, masking, not-found guidance),
webapp.identity.check_nik (what is wrong with a NIK) and
webapp.usulan.status (the public proposal status). This module only adds
the SMS rules: commands, the per-number limits and the refusal of a number
that walks through NIKs, and fitting each reply into two GSM-7 parts."""

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app
from limits import parse_many

from .. import clock
from ..cek.services import lookup_by_nik, not_found_guidance
from ..clock import utcnow
from ..db import atomic_write
from ..i18n import gettext as _
from ..identity import check_nik
from ..usulan.services import label as proposal_label
from ..usulan.status import find_by_receipt
from .gsm import fit, parts, to_gsm
from .models import SmsLookup

MAX_PARTS = 2
MAX_INPUT = 200  # one or two SMS; a longer text is not a command

# Outcomes (SmsLookup.outcome); the refused ones are listed for officers.
FOUND, NOT_FOUND, BAD_NIK, STATUS, HELP, WRONG = (
    "ditemukan", "tidak_ditemukan", "nik_salah", "status", "bantuan", "perintah_salah")
LIMITED, WALKING, SILENT = "batas", "banyak_nik", "diam"
REFUSED = (LIMITED, WALKING, SILENT)
OUTCOMES = (FOUND, NOT_FOUND, BAD_NIK, STATUS, HELP, WRONG, LIMITED, WALKING, SILENT)


def _key(kind, value):
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"sms-{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def number_key(number):
    return _key("in", "".join(ch for ch in str(number) if ch.isdigit()))


def help_text():
    return _("Cek Bansos lewat SMS. Kirim: CEK <NIK 16 digit> untuk cek penerima bansos; "
             "STATUS <nomor usulan> <tanggal lahir ddmmyyyy> untuk status usulan, "
             "mis. STATUS USL-AB12-CD34 15081995; BANTUAN untuk daftar perintah.")


def _since(now, seconds):
    return now - timedelta(seconds=seconds)


def _over_limit(key, now):
    """True when this number used up an SMS_LOOKUP_LIMIT window (refused
    messages do not count, so a refusal cannot extend itself)."""
    for item in parse_many(current_app.config["SMS_LOOKUP_LIMIT"]):
        used = (SmsLookup.select().where((SmsLookup.number_key == key)
                                         & (SmsLookup.at > _since(now, item.get_expiry()))
                                         & SmsLookup.outcome.not_in(REFUSED)).count())
        if used >= item.amount:
            return True
    return False


def _walking(key, nik_key, now):
    """True when `nik_key` would be one more different NIK than
    SMS_LOOKUP_MAX_NIKS asked by this number in 24 hours."""
    asked = {k for (k,) in SmsLookup.select(SmsLookup.nik_key).where(
        (SmsLookup.number_key == key) & (SmsLookup.at > _since(now, 86400)) & (SmsLookup.nik_key != "")
        & SmsLookup.outcome.not_in(REFUSED)).tuples()}
    return nik_key not in asked and len(asked) >= current_app.config["SMS_LOOKUP_MAX_NIKS"]


def _refused_lately(key, now):
    """A refused number is told once an hour; after that it gets no reply
    (each reply costs the office's SMS credit)."""
    return SmsLookup.select().where((SmsLookup.number_key == key) & (SmsLookup.at > _since(now, 3600))
                                    & SmsLookup.outcome.in_((LIMITED, WALKING))).exists()


def _program_word(line):
    period = f" {line.period}" if line.period and line.receives else ""
    return f"{line.code} {line.status_word}{period}"


def person_reply(lookup):
    """One person's SMS: masked name, desil, per program YA/TIDAK (with the
    period) and what to do next, as far as two parts allow."""
    person = lookup.people[0]
    desil = _("desil %(n)d", n=person.desil) if person.desil else _("desil belum ada")
    head = _("CEK BANSOS %(dtsen)s: %(name)s, %(desil)s.", dtsen=lookup.dtsen, name=person.masked_name,
             desil=desil)
    programs = "; ".join(_program_word(line) for line in person.programs) + "."
    steps = [line.next_step for line in person.programs if line.receives and line.next_step]
    text = f"{head} {programs}"
    if steps and parts(to_gsm(f"{text} {steps[0]}")) <= MAX_PARTS:
        text = f"{text} {steps[0]}"
    return text


def cek(number_key_, raw_nik, now):
    """(outcome, reply) for CEK <nik>."""
    checked = check_nik(raw_nik)
    if not checked.ok:
        return BAD_NIK, _("NIK salah: %(error)s Contoh: CEK 3276061508950001", error=checked.error), ""
    nik_key = _key("nik", checked.nik)
    if _walking(number_key_, nik_key, now):
        return WALKING, _("Nomor ini sudah mengecek terlalu banyak NIK hari ini. Cek warga lain di "
                          "kantor desa/kelurahan atau di situs Cek Bansos."), nik_key
    lookup = lookup_by_nik(checked.nik, today=now.date())
    if not lookup.found:
        finding, office = not_found_guidance(by_nik=True)
        return NOT_FOUND, " ".join((finding, office, _("Sudah mengajukan usulan? Kirim STATUS <nomor usulan> "
                                                      "<tanggal lahir ddmmyyyy>."))), nik_key
    return FOUND, person_reply(lookup), nik_key


def status(words):
    """(outcome, reply) for STATUS <nomor usulan> <ddmmyyyy>."""
    usage = _("Format: STATUS <nomor usulan> <tanggal lahir ddmmyyyy>, mis. STATUS USL-AB12-CD34 15081995")
    if len(words) != 3 or len(words[1]) > 20:
        return WRONG, usage
    try:
        born = datetime.strptime(words[2], "%d%m%Y").date()
    except ValueError:
        return WRONG, _("Tanggal lahir ditulis 8 angka ddmmyyyy, mis. 15081995.") + " " + usage
    proposal = find_by_receipt(words[1], born)
    if proposal is None:
        return STATUS, _("Usulan tidak ditemukan. Periksa nomor usulan pada tanda terima dan tanggal "
                         "lahir orang yang diusulkan.")
    return STATUS, _("Usulan %(no)s: %(status)s (diperbarui %(day)s).", no=proposal.receipt_no,
                     status=proposal_label(proposal.status),
                     day=clock.show(proposal.updated_at or proposal.created_at, "%d-%m-%Y"))


def _command(text, number_key_, now):
    """(outcome, reply, nik_key) for one message, before the limits that
    depend on the outcome."""
    if len(text) > MAX_INPUT:
        return WRONG, _("Pesan terlalu panjang.") + " " + help_text(), ""
    words = text.split()
    command = words[0].upper() if words else ""
    if command == "CEK":
        return cek(number_key_, "".join(words[1:]), now)
    if command == "STATUS":
        return (*status(words), "")
    if command in ("BANTUAN", "INFO", "HELP"):
        return HELP, help_text(), ""
    if not words:
        return WRONG, _("Pesan kosong.") + " " + help_text(), ""
    return WRONG, _("Perintah tidak dikenal.") + " " + help_text(), ""


def answer(number, text, now=None):
    """The reply to one SMS from `number` ("" = send nothing), recorded for
    the limits and the officers' page. Never raises for what a phone sends."""
    now = now or utcnow()
    text = (text or "").replace("\x00", "")
    key = number_key(number)
    with atomic_write(f"sms-in:{key}"):
        if _over_limit(key, now):
            outcome, reply, nik_key = LIMITED, _("Batas SMS Cek Bansos untuk nomor ini tercapai. Coba lagi "
                                                 "besok, atau cek di kantor desa/kelurahan."), ""
        else:
            outcome, reply, nik_key = _command(text.strip(), key, now)
        if outcome in (LIMITED, WALKING) and _refused_lately(key, now):
            outcome, reply = SILENT, ""
        SmsLookup.create(number_key=key, nik_key=nik_key, at=now, outcome=outcome)
    return outcome, fit(reply, MAX_PARTS) if reply else ""


def volume(days=14, now=None):
    """[(day, {outcome: count})] for the last `days` days, newest first."""
    now = now or utcnow()
    first = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    by_day = {}
    query = SmsLookup.select(SmsLookup.at, SmsLookup.outcome).where(SmsLookup.at >= first)
    for at, outcome in query.tuples():
        counts = by_day.setdefault(at.date(), dict.fromkeys(OUTCOMES, 0))
        counts[outcome] = counts.get(outcome, 0) + 1
    return sorted(by_day.items(), reverse=True)


def refused_numbers(days=14, now=None):
    """[(short number hash, refusals, last refusal)] of the last `days` days."""
    now = now or utcnow()
    rows = {}
    query = SmsLookup.select(SmsLookup.number_key, SmsLookup.at, SmsLookup.outcome).where(
        (SmsLookup.at >= now - timedelta(days=days)) & SmsLookup.outcome.in_(REFUSED))
    for key, at, outcome in query.tuples():
        held = rows.setdefault(key, [key[:12], 0, at, set()])
        held[1] += 1
        held[2] = max(held[2], at)
        held[3].add(outcome)
    return sorted(rows.values(), key=lambda r: r[2], reverse=True)
