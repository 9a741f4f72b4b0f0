"""Slow network (issue #8): repeats the throttled browser measurements of
tests/browser/test_slow_network_browser.py (400 kbps each way, 400 ms round
trip, cold cache) and prints a Markdown table of the runs with their median
and worst, against the targets (page interactive <= 3 s, result <= 2 s).

    .venv/bin/python -m bench.slownet --runs 5            # the lookup only
    .venv/bin/python -m bench.slownet --runs 1 --upload   # also the 3 MB photo (~70 s a run)

Each run is one pytest process (its own gunicorn, its own Chromium); the
figures come from test-artifacts/slow-network.json, which every run rewrites.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "test-artifacts" / "slow-network.json"
TEST = "tests/browser/test_slow_network_browser.py"
TARGETS = {"form_interactive_s": 3.0, "submit_to_result_s": 2.0}


def one_run(upload):
    selection = "lookup or slow_link" if upload else "lookup"
    REPORT.unlink(missing_ok=True)
    command = [sys.executable, "-m", "pytest", TEST, "-q", "-p", "no:cacheprovider", "-k", selection]
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, "CI": "true"},  # noqa: S603 - our own test
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"the measuring test failed:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    return json.loads(REPORT.read_text())


def row(label, values, target=None):
    cells = " | ".join(f"{v:.2f}" for v in values)
    median, worst = statistics.median(values), max(values)
    verdict = "" if target is None else ("met" if worst <= target else
                                         "**missed** (median met)" if median <= target else "**missed**")
    return f"| {label} | {cells} | {median:.2f} | {worst:.2f} | {verdict} |"


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--upload", action="store_true", help="also the throttled 3 MB upload")
    args = parser.parse_args()
    runs = [one_run(args.upload) for _ in range(args.runs)]

    conditions = runs[0]["conditions"]
    print(f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {args.runs} runs; "
          f"{conditions['down_kbps']} kbps down, {conditions['up_kbps']} kbps up, "
          f"{conditions['latency_ms']} ms latency, {conditions['cache']}.\n")
    header = " | ".join(f"run {i + 1}" for i in range(args.runs))
    print(f"| seconds | {header} | median | worst | target |")
    print("|---|" + "---:|" * (args.runs + 2) + "---|")
    for mode in ("htmx", "nojs"):
        key = f"lookup-{mode}"
        timing = [r[key]["page_timing_ms"] for r in runs]
        print(row(f"{mode}: form interactive (≤ 3 s)", [r[key]["form_interactive_s"] for r in runs],
                  TARGETS["form_interactive_s"]))
        print(row(f"{mode}: first contentful paint", [t["firstContentfulPaint"] / 1000 for t in timing]))
        print(row(f"{mode}: DOMContentLoaded", [t["domContentLoaded"] / 1000 for t in timing]))
        print(row(f"{mode}: load (captcha image in)", [t["load"] / 1000 for t in timing]))
        print(row(f"{mode}: submit → result (≤ 2 s)", [r[key]["submit_to_result_s"] for r in runs],
                  TARGETS["submit_to_result_s"]))
    if args.upload:
        print(row("3 MB photo: click → preview", [r["upload"]["upload_to_preview_s"] for r in runs]))


if __name__ == "__main__":
    main()
