"""docs/security.md maps each check of shared/SECURITY.md to tests that exist."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"


def _rows():
    rows = {}
    for line in (ROOT / "docs" / "security.md").read_text().splitlines():
        found = re.match(r"\| (\d+) \| [^|]+ \| (.+) \|$", line)
        if found:
            rows[int(found.group(1))] = found.group(2)
    return rows


def test_every_check_has_a_row_naming_at_least_one_test():
    rows = _rows()
    shared = ROOT.parent / "shared" / "SECURITY.md"
    count = len(re.findall(r"^\d+\. ", shared.read_text(), re.MULTILINE)) if shared.exists() else 40
    assert sorted(rows) == list(range(1, count + 1))
    for number, cell in rows.items():
        assert re.search(r"test_\w+\.py|logscan\.py", cell), number


REFERENCE = re.compile(r"`(?:tests/)?((?:browser/)?(?:test_\w+|logscan|conftest)\.py)?(?:::(\w+))?")


def missing_tests(rows):
    """(check, file or test) for each reference that does not exist; `::name`
    refers to the file named last before it in the same row."""
    missing = []
    for number, cell in rows.items():
        current = None
        for file, name in REFERENCE.findall(cell):
            if file:
                current = TESTS / file
                if not current.exists():
                    missing.append((number, file))
                    continue
            if name and (current is None
                         or not re.search(rf"^def {name}\(", current.read_text(), re.MULTILINE)):
                missing.append((number, name))
    return missing


def test_every_test_the_doc_names_exists():
    assert not missing_tests(_rows())
    # and the check itself notices a wrong name
    assert missing_tests({1: "`test_cek.py::test_security_headers`, `::test_no_such_thing`"}) == [
        (1, "test_no_such_thing")]
