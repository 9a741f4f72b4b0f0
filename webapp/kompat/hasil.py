"""What the contract's answers say about each person found, built from the
lookup service's result (webapp.cek.services.Lookup) in ONE place: the 11
cells of a /hasil-nik row and the fields of a /cekbansos_v2 item."""

from datetime import date

from .. import clock
from ..registry.models import Region
from ..registry.programs import quarter_of

# An empty cell, as the real site shows it.
EMPTY = "-"

CELL_KEYS = (
    "nama",
    "desil",
    "keterangan_dtsen",
    "sembako_status",
    "sembako_periode",
    "pkh_status",
    "pkh_periode",
    "pbi_jk_status",
    "pbi_jk_periode",
    "pbi_jk_keterangan",
    "status_kpd",
)


def badge(today: date | None = None) -> str:
    """'DTSEN TRIWULAN 4 2026': the real site's badge, with the quarter as a
    digit (clients read it with a pattern that wants digits)."""
    year, quarter = quarter_of(today or clock.today())
    return f"DTSEN TRIWULAN {quarter} {year}"


def _program(person, code):
    """(status, period) of one program for the person: YA/TIDAK and the
    period label, EMPTY when there is no period."""
    for line in person.programs:
        if line.code == code:
            return ("YA" if line.receives else "TIDAK"), (line.period or EMPTY)
    return "TIDAK", EMPTY


def _said(value) -> str:
    """A registry.programs.Said (or a plain sentence) as one cell's text."""
    if value is None:
        return EMPTY
    text = str(getattr(value, "label", value) or "").strip()
    return text or EMPTY


def cells(person) -> list:
    """The 11 cells of one /hasil-nik row, in the contract's order, from a
    webapp.cek.services.PersonResult. Never a NIK: the name is masked."""
    sembako = _program(person, "SEMBAKO")
    pkh = _program(person, "PKH")
    pbi = _program(person, "PBI-JK")
    pbi_line = person.program("PBI-JK")
    return [
        person.masked_name,
        str(person.desil) if person.desil else EMPTY,
        _said(person.dtsen_note),  # keterangan DTSEN
        *sembako,
        *pkh,
        *pbi,
        _said(pbi_line.note if pbi_line else None),  # PBI-JK keterangan
        person.kpd_code or EMPTY,  # status KPD: YA / TIDAK
    ]


def region_names(desa_code) -> dict:
    """{provinsi, kabupaten, kecamatan, kelurahan}: names of the desa and its
    parents, as /cekbansos_v2 items carry them."""
    parts = desa_code.split(".")
    codes = [".".join(parts[:n]) for n in range(1, 5)]
    names = dict(Region.select(Region.code, Region.name).where(Region.code.in_(codes)).tuples())
    return {
        key: names.get(code, "")
        for key, code in zip(("provinsi", "kabupaten", "kecamatan", "kelurahan"), codes, strict=True)
    }


def v2_item(person, regions) -> dict:
    """One /cekbansos_v2 data item: nama_penerima, the region names and the
    same facts as the 11 cells, by name."""
    row = dict(zip(CELL_KEYS, cells(person), strict=True))
    row.pop("nama")
    return {"nama_penerima": person.masked_name, **regions, **row}
