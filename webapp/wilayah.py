"""Cascading region selects: Provinsi → Kabupaten/Kota → Kecamatan → Desa/Kelurahan.

One endpoint per parent code returns the children as <option>s; an htmx call
also clears the levels further down (out-of-band swaps). The same state is
built server-side for pages rendered without JavaScript.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from flask import Blueprint, abort, make_response, render_template
from flask_babel import lazy_gettext as _l
from htmx_flask import request

from .registry.models import Region

bp = Blueprint("wilayah", __name__, url_prefix="/wilayah")

LEVELS = ("provinsi", "kabupaten", "kecamatan", "desa")
PLACEHOLDERS = {
    "provinsi": _l("— Pilih Provinsi —"),
    "kabupaten": _l("— Pilih Kabupaten/Kota —"),
    "kecamatan": _l("— Pilih Kecamatan —"),
    "desa": _l("— Pilih Desa/Kelurahan —"),
}
LABELS = {
    "provinsi": _l("Provinsi"),
    "kabupaten": _l("Kabupaten/Kota"),
    "kecamatan": _l("Kecamatan"),
    "desa": _l("Desa/Kelurahan"),
}
_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
_PREFIX = re.compile(r"^[a-z][a-z0-9_-]{0,30}$")


def is_code(value) -> bool:
    return isinstance(value, str) and bool(_CODE.match(value))


@lru_cache(maxsize=4096)
def children(code):
    """((code, name), …) of the direct children of `code` (None: the
    provinces). Regions change only with `flask load-regions`, so each worker
    keeps the lists it has served; that command clears this process's copy
    and the README says to restart the workers after it."""
    return tuple((c, n) for c, n, _t in Region.children_of(code))


@dataclass
class Picker:
    """What the four selects show: the chosen code per level (a broken chain
    is cut where it breaks) and the options of every level that can be filled."""

    prefix: str = ""
    chosen: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)

    @property
    def desa(self):
        return self.chosen.get("desa")

    @property
    def complete(self):
        return bool(self.desa)

    def id(self, level):
        return f"{self.prefix}{level}"


def build_picker(values, prefix=""):
    """values: a mapping with provinsi/kabupaten/kecamatan/desa codes (from a
    form or a query string). Each choice must be a child of the one above."""
    picker = Picker(prefix=prefix)
    parent = None
    for level in LEVELS:
        opts = children(parent) if (parent or level == "provinsi") else []
        picker.options[level] = opts
        value = values.get(level) or ""
        parent = value if value and value in {c for c, _n in opts} else None
        if parent:
            picker.chosen[level] = parent
    return picker


@bp.get("/<kode>")
def options(kode):
    """The <option> list of the children of region `kode`."""
    if not is_code(kode) or kode.count(".") >= 3:
        abort(404)
    region = Region.get_or_none(Region.code == kode)
    if region is None:
        abort(404)
    level = LEVELS[region.level]
    clear = []
    target = request.htmx.target if request.htmx else None
    if target and target.endswith(level) and _PREFIX.match(target[: -len(level)] or "x"):
        prefix = target[: -len(level)]
        clear = [(prefix + lower, PLACEHOLDERS[lower]) for lower in LEVELS[region.level + 1:]]
    body = render_template("wilayah/options.html", placeholder=PLACEHOLDERS[level],
                           options=children(kode), clear=clear)
    response = make_response(body)
    response.vary.add("HX-Request")
    response.vary.add("HX-Target")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
