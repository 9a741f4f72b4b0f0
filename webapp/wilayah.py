"""Cascading region selects: Provinsi → Kabupaten/Kota → Kecamatan → Desa/Kelurahan.

One endpoint per parent code returns the children as <option>s; an htmx call
also clears the levels further down (out-of-band swaps). The same state is
built server-side for pages rendered without JavaScript.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from flask import Blueprint, abort, make_response, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from htmx_flask import request
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from . import cacheversion
from .assets import accepted_encoding, compress
from .forms import REGION_LEVELS
from .registry.models import Region

bp = Blueprint("wilayah", __name__, url_prefix="/wilayah")

LEVELS = REGION_LEVELS
# The label above each select names the level; the placeholder stays short so
# it is never cut, at 240 px or in English.
PLACEHOLDERS = {level: _l("— Pilih —") for level in ("provinsi", "kabupaten", "kecamatan", "desa")}
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


# The whole country has 7,837 parent regions (38 + 514 + 7,285 kecamatan);
# their lists and <option>s are kept for the 4,096 most recently asked
# (~12 MB of the ~23 MB all would take), but the fragments as sent, ~220 bytes
# each compressed, for all of them in both encodings (~3.5 MB, measured; ~2.7 MB
# more with the desa lists of the kabupaten's, bench/regioncache.py): at a
# national peak a worker renders no fragment twice.
_LISTS, _FRAGMENTS = 4096, 32768


@lru_cache(maxsize=_LISTS)
def children(code):
    """((code, name), …) of the direct children of `code` (None: the
    provinces). Regions change only with `flask load-regions`, so each worker
    keeps the lists it has served; that command bumps the "regions" cache
    version in the database and every worker of every host drops its copies
    when it next checks (webapp.cacheversion)."""
    return tuple((c, n) for c, n, _t in Region.children_of(code))


def child_codes(code):
    """The codes of the direct children of `code`, from children()'s cached
    list (a set of its own per parent cost 6.8 MB more for the whole country)."""
    return [c for c, _n in children(code)]


def _options(regions):
    """(code, name) pairs as <option> elements, none selected."""
    return "".join(f'<option value="{c}">{escape(n)}</option>' for c, n in regions)


@lru_cache(maxsize=_LISTS)
def _option_markup(code):
    """The children of `code` as <option> elements, none selected: rendered
    once per worker, since every lookup page and fragment repeats them."""
    return _options(children(code))


def option_markup(code, selected=None):
    """<option>s of the children of `code`, `selected` (one of them) marked."""
    html = _option_markup(code)
    if selected and selected in child_codes(code):
        html = html.replace(f'<option value="{selected}">', f'<option value="{selected}" selected>', 1)
    return Markup(html)  # noqa: S704 - names escaped above, codes are digits and dots


# A kabupaten's fragment (its kecamatan) brings the desa list of each of
# them along, inert (<template>s, out of band into the picker's list box):
# static/app.js fills the desa select from there when a kecamatan is chosen.
# A visit asks for one fragment fewer (one round trip less on a slow link,
# one request less for the server) for about the same bytes: the lists add
# 1.4 KB compressed for the median kabupaten (2.9 KB at the 90th percentile,
# 7 KB for the largest, 852 desa), while the desa request they replace costs
# ~1.3 KB with its headers both ways. Without JavaScript nothing changes.
LISTS = "desa-daftar"  # the list box's id after the picker's prefix


# The lookup page carries the kabupaten list of every province too, as data
# at the end of the page (<script type="application/json" id="kabupaten-daftar">,
# which a text browser never prints and no answer replaces): static/app.js
# fills the kabupaten select from there when a province is chosen, so a visit
# asks the server for one region fragment (the kabupaten's, which brings the
# desa lists) before its search. The 514 kabupaten/kota of 38 provinces are
# ~3.5 KB compressed, in every page, against a request and its round trip per
# visit. Without JavaScript nothing changes.
@lru_cache(maxsize=1)
def kabupaten_lists():
    """{provinsi: [[kabupaten code after the province's, name], …], …} as
    JSON safe inside an HTML <script> element (<, >, & and ' escaped), the
    kabupaten in the order of the province's fragment (kept per worker,
    dropped with the other region lists)."""
    lists = {code: [[kabupaten.split(".", 1)[1], name] for kabupaten, name in children(code)]
             for code in child_codes(None)}
    return htmlsafe_json_dumps(lists, ensure_ascii=False, separators=(",", ":"))


def desa_lists(kabupaten):
    """((kecamatan, its desa as <option>s), …) for every kecamatan of
    `kabupaten`, in one query; the options are those of the desa fragment."""
    lists = {}
    for code, name, kecamatan in Region.grandchildren_of(kabupaten):
        lists.setdefault(kecamatan, []).append((code, name))
    return tuple((kecamatan, Markup(_options(desa)))  # noqa: S704 - names escaped, codes digits
                 for kecamatan, desa in lists.items())


@lru_cache(maxsize=_FRAGMENTS)
def _fragment(kode, prefix, _locale, encoding):
    """The options fragment of `kode` as sent: rendered and compressed once per
    worker for each picker prefix, language and encoding — the same bytes for
    every visitor, and the most requested answer of the site."""
    depth = kode.count(".") + 1  # 1 provinsi … 3 kecamatan
    clear = [] if prefix is None else [(prefix + lower, PLACEHOLDERS[lower]) for lower in LEVELS[depth + 1:]]
    lists = desa_lists(kode) if prefix is not None and depth == 2 else ()
    body = render_template("wilayah/options.html", placeholder=PLACEHOLDERS[LEVELS[depth]],
                           options=option_markup(kode), clear=clear, lists=lists,
                           lists_id=f"{prefix}{LISTS}", lists_placeholder=PLACEHOLDERS["desa"]).encode()
    return compress(body, encoding) if encoding else body


def clear_caches():
    for cached in (children, _option_markup, _fragment, kabupaten_lists):
        cached.cache_clear()


cacheversion.on_change("regions", clear_caches)


def parent_of(code):
    return code.rsplit(".", 1)[0] if "." in code else None


@dataclass
class Picker:
    """What the four selects show: the chosen code per level (a broken chain
    is cut where it breaks) and the options of every level that can be filled."""

    prefix: str = ""
    chosen: dict = field(default_factory=dict)
    parents: dict = field(default_factory=dict)  # level → the code whose children it lists

    @property
    def desa(self):
        return self.chosen.get("desa")

    @property
    def complete(self):
        return bool(self.desa)

    def id(self, level):
        return f"{self.prefix}{level}"

    def option_markup(self, level):
        """The level's <option>s (without the placeholder), the choice marked."""
        if level not in self.parents:
            return Markup("")
        return option_markup(self.parents[level], self.chosen.get(level))


def build_picker(values, prefix=""):
    """values: a mapping with provinsi/kabupaten/kecamatan/desa codes (from a
    form or a query string). Each choice must be a child of the one above."""
    picker = Picker(prefix=prefix)
    parent = None
    for level in LEVELS:
        listed = bool(parent or level == "provinsi")
        if listed:
            picker.parents[level] = parent
        value = values.get(level) or ""
        parent = value if listed and isinstance(value, str) and value in child_codes(parent) else None
        if parent:
            picker.chosen[level] = parent
    return picker


@bp.get("/<kode>")
def options(kode):
    """The <option> list of the children of region `kode`."""
    if not is_code(kode) or kode.count(".") >= 3 or kode not in child_codes(parent_of(kode)):
        abort(404)
    level = LEVELS[kode.count(".") + 1]
    # The picker's ids (<prefix><level>) come from the select htmx fills; the
    # levels below it are cleared out of band.
    target = request.htmx.target if request.htmx else None
    prefix = None
    if target and target.endswith(level) and _PREFIX.match(target[: -len(level)] or "x"):
        prefix = target[: -len(level)]
    encoding = accepted_encoding()
    response = make_response(_fragment(kode, prefix, str(get_locale()), encoding))
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    response.vary.add("HX-Request")
    response.vary.add("HX-Target")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


def picker_for(code):
    """The picker for one dotted region code (a desa's code fills all four
    levels), each level checked against the one above as build_picker does."""
    parts = (code or "").split(".") if isinstance(code, str) else []
    return build_picker({level: ".".join(parts[:i + 1]) for i, level in enumerate(LEVELS) if i < len(parts)})
