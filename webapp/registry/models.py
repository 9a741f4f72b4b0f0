"""Regions and the registry of households, persons and program enrollments."""

from flask_babel import lazy_gettext as _l
from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    SmallIntegerField,
    TextField,
)

from ..db import BaseModel, register
from ..identity import normalize_name

MONTHS = [_l("Januari"), _l("Februari"), _l("Maret"), _l("April"), _l("Mei"), _l("Juni"),
          _l("Juli"), _l("Agustus"), _l("September"), _l("Oktober"), _l("November"),
          _l("Desember")]


def period_label(year: int, quarter: int) -> str:
    """(2026, 4) → 'Oktober–Desember 2026'."""
    first = MONTHS[(quarter - 1) * 3]
    last = MONTHS[(quarter - 1) * 3 + 2]
    return f"{first}–{last} {year}"


LEVEL_NAMES = {1: "provinsi", 2: "kabupaten", 3: "kecamatan", 4: "desa"}


@register
class Region(BaseModel):
    """A Kemendagri region: 32 · 32.76 · 32.76.06 · 32.76.06.1001."""

    code = CharField(primary_key=True, max_length=13)
    name = CharField(max_length=120)
    level = SmallIntegerField()
    # provinsi, kabupaten, kota, kecamatan, distrik, kelurahan, desa, desa_adat
    type = CharField(max_length=12)
    parent = ForeignKeyField("self", null=True, backref="children", column_name="parent_code",
                             on_delete="RESTRICT")
    postal_code = CharField(max_length=5, null=True)

    class Meta:
        table_name = "region"
        indexes = ((("parent", "name"), False),)

    @classmethod
    def children_of(cls, code):
        return (cls.select(cls.code, cls.name, cls.type)
                .where(cls.parent == code)
                .order_by(cls.name, cls.code)
                .tuples())

    @classmethod
    def grandchildren_of(cls, code):
        """(code, name, parent code) of the children of every child of
        `code`, each family in name order: one query for a kabupaten's desa."""
        children = cls.select(cls.code).where(cls.parent == code)
        return (cls.select(cls.code, cls.name, cls.parent)
                .where(cls.parent.in_(children))
                .order_by(cls.parent, cls.name, cls.code)
                .tuples())

@register
class Household(BaseModel):
    no_kk = CharField(max_length=16, unique=True)
    desa = ForeignKeyField(Region, column_name="desa_code", on_delete="RESTRICT")
    address = CharField(max_length=200)
    # DTSEN desil 1 (poorest tenth) to 10; None = not yet ranked.
    desil = SmallIntegerField(null=True)
    updated_at = DateTimeField(null=True)

    class Meta:
        table_name = "household"

@register
class Person(BaseModel):
    nik = CharField(max_length=16, unique=True)
    name = CharField(max_length=120)
    # Lower-case, punctuation and titles removed: what the lookup matches on.
    name_norm = CharField(max_length=120)
    birth_date = DateField()
    sex = CharField(max_length=1)  # L / P
    household = ForeignKeyField(Household, backref="members", on_delete="CASCADE")
    # Copied from the household so the lookup is one index probe.
    desa = ForeignKeyField(Region, column_name="desa_code", on_delete="RESTRICT")
    relationship = CharField(max_length=30, default="Kepala Keluarga")
    # Keterangan DTSEN and status KPD of the real result row: codes of
    # registry.programs.DTSEN_NOTES / KPD_STATUSES (None: nothing noted).
    dtsen_note = CharField(max_length=30, null=True)
    kpd_status = CharField(max_length=10, null=True)

    def save(self, *args, **kwargs):
        """name_norm always follows name: the lookup and the desa search read it."""
        self.name_norm = self.normalized(self.name or "")
        return super().save(*args, **kwargs)

    @staticmethod
    def normalized(name: str) -> str:
        """What name_norm holds for `name`. The one rule for every writer; the
        bulk ones (import, demo, update()) bypass save() and call this."""
        return normalize_name(name)

    class Meta:
        table_name = "person"
        indexes = ((("desa", "name_norm"), False),)

@register
class Program(BaseModel):
    code = CharField(primary_key=True, max_length=12)
    name = CharField(max_length=80)
    description = TextField()
    # Highest desil the program admits (None: any).
    max_desil = SmallIntegerField(null=True)
    # Household programs are shown for every member; person programs only for
    # the enrolled person (PBI-JK covers each insured member).
    per_person = BooleanField(default=False)
    sort = SmallIntegerField(default=0)
    # tunai / pangan / kesehatan / pendidikan: which status vocabulary the
    # program's enrollments use (registry.programs).
    kind = CharField(max_length=12, default="tunai")

    class Meta:
        table_name = "program"

@register
class Enrollment(BaseModel):
    household = ForeignKeyField(Household, backref="enrollments", on_delete="CASCADE")
    person = ForeignKeyField(Person, null=True, backref="enrollments", on_delete="CASCADE")
    program = ForeignKeyField(Program, column_name="program_code", on_delete="RESTRICT")
    year = SmallIntegerField()
    quarter = SmallIntegerField()  # 1..4
    status = CharField(max_length=5)  # YA / TIDAK
    stage = CharField(max_length=20)  # see registry.programs.STAGES, by the program's kind
    ended_reason = CharField(max_length=60, null=True)
    # A membership (PBI-JK): active since, and its keterangan (PBI_NOTES code).
    since = DateField(null=True)
    note = CharField(max_length=30, null=True)
    created_at = DateTimeField(null=True)

    class Meta:
        table_name = "enrollment"
        indexes = ((("household", "year", "quarter"), False),)

    @property
    def period(self):
        return period_label(self.year, self.quarter)

