"""One clock (webapp/clock.py): stored times are naive UTC, a person's day is
Jakarta's. A server whose own zone is not Jakarta (UTC on most hosts) used to
put the day-14 deadline a day off between 17:00 and 24:00 UTC: the officer
pages and the importer read the server's local day. This keeps any other
reading of the local clock out of the app."""

import re
import subprocess
import sys
from pathlib import Path

from webapp import clock

ROOT = Path(__file__).parent.parent
LOCAL_CLOCK = re.compile(r"\bdate\.today\(\)|\bdatetime\.now\(\)|\bdatetime\.utcnow\(\)|\btime\.localtime\(")


def test_the_app_reads_the_time_only_through_webapp_clock():
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
             for path in sorted((ROOT / "webapp").rglob("*.py")) if path.name != "clock.py"
             for n, line in enumerate(path.read_text().splitlines(), 1) if LOCAL_CLOCK.search(line)]
    assert found == []


def test_today_is_jakartas_day_whatever_the_servers_zone():
    code = "from webapp import clock; print(clock.today())"
    days = {subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                           env={"TZ": zone, "PATH": "/usr/bin:/bin"}).stdout.strip()
            for zone in ("UTC", "Etc/GMT+10", "Pacific/Kiritimati", "Asia/Jakarta")}
    assert days == {str(clock.today())}
