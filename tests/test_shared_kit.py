"""The shared form kit (issue #15): a rule a form needs is written once in
webapp/forms.py (or webapp/identity.py) and the public forms use that one, so a
change to it reaches every page at once. webapp/petugas/ is the other half's."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent / "webapp"
KIT = (ROOT / "forms.py", ROOT / "identity.py", ROOT / "db.py")
# Every module outside the back office and the kit itself.
OUTSIDE = [p for p in ROOT.rglob("*.py") if "petugas" not in p.parts and p not in KIT]


def _copies(pattern):
    return sorted(str(p.relative_to(ROOT)) for p in OUTSIDE if re.search(pattern, p.read_text()))


def test_the_four_region_fields_are_declared_once():
    assert _copies(r'StringField\(_l\("(Provinsi|Kabupaten/Kota|Kecamatan|Desa/Kelurahan)"\)') == []
    assert _copies(r"missing = next\(level for level in LEVELS") == []


def test_one_multi_checkbox_field_and_one_comma_list():
    assert _copies(r"def process_formdata\(self, valuelist\):\n\s+self\.data = \[") == []
    assert _copies(r'\.split\(","\) if ') == []
    assert _copies(r'",".join\((known|chosen)\)') == []


def test_the_comma_list_reads_back_what_it_stores():
    from webapp.db import comma_list, comma_text

    assert comma_list(comma_text(["PKH", "SEMBAKO"])) == ["PKH", "SEMBAKO"]
    assert comma_list("") == comma_list(None) == []


def test_what_a_worker_keeps_starts_again_when_full():
    """webapp.kept.Kept: the one bounded store of the kept lines, pieces of
    HTML and checked cookies."""
    from webapp.kept import Kept

    kept = Kept(3)
    assert kept.keep("a", 1) == 1 and kept.keep("b", 2) == 2 and kept.keep("c", 3) == 3
    assert dict(kept) == {"a": 1, "b": 2, "c": 3}
    assert kept.keep("d", 4) == 4 and dict(kept) == {"d": 4}  # full: emptied, then kept
