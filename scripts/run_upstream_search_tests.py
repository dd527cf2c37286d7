#!/usr/bin/env python3
"""Run CKAN's, ckanext-scheming's and ckanext-harvest's shipped test suites
against the ssen_search PostgreSQL backend and print ``N passed, N failed``.

    .venv/bin/python scripts/run_upstream_search_tests.py [ckan|scheming|harvest ...]

The tests come from the installed wheels; tests/search/upstream/ holds the
ini files (one per suite) and the pytest shim that keeps the backend on while
those tests load their own plugin lists. They drop every table (clean_db):
point CKAN_SQLALCHEMY_URL at a database you can lose. Per-test outcomes go to
var/upstream-search/<suite>.xml and the failures are listed at the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UPSTREAM = ROOT / "tests" / "search" / "upstream"
OUT = ROOT / "var" / "upstream-search"
PYTHON = ROOT / ".venv" / "bin" / "python"


def _site_packages() -> Path:
    code = "import ckan, os; print(os.path.dirname(os.path.dirname(ckan.__file__)))"
    return Path(subprocess.check_output([str(PYTHON), "-c", code], text=True).strip())


def suites(site: Path) -> dict[str, tuple[str, list[str]]]:
    return {
        "ckan": (
            "ckan.ini",
            [
                str(site / "ckan/tests/logic/action/test_get.py") + "::TestPackageSearch",
                str(site / "ckan/tests/lib/search"),
            ],
        ),
        "scheming": ("scheming.ini", [str(site / "ckanext/scheming/tests")]),
        "harvest": ("harvest.ini", [str(site / "ckanext/harvest/tests")]),
    }


def run_suite(name: str, ini: str, targets: list[str]) -> tuple[int, int, int, list[str]]:
    OUT.mkdir(parents=True, exist_ok=True)
    report = OUT / f"{name}.xml"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(UPSTREAM), env.get("PYTHONPATH")]))
    command = [
        str(PYTHON),
        "-m",
        "pytest",
        "-c",
        str(UPSTREAM / "pytest.ini"),
        "--rootdir",
        str(UPSTREAM),
        f"--ckan-ini={UPSTREAM / ini}",
        "-q",
        "-o",
        "console_output_style=classic",
        f"--junitxml={report}",
        *targets,
    ]
    log_path = OUT / f"{name}.log"
    with open(log_path, "w", encoding="utf-8") as log:
        subprocess.run(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=False
        )
    return _count(report)


def _count(report: Path) -> tuple[int, int, int, list[str]]:
    if not report.exists():
        return 0, 1, 0, [f"{report.name}: pytest produced no report"]
    passed = failed = skipped = 0
    failures: list[str] = []
    for case in ET.parse(report).getroot().iter("testcase"):
        outcome = [child.tag for child in case]
        test_id = f"{case.get('classname')}::{case.get('name')}"
        if "failure" in outcome or "error" in outcome:
            failed += 1
            node = case.find("failure") if case.find("failure") is not None else case.find("error")
            message = (node.get("message") or "").splitlines()[0][:160] if node is not None else ""
            failures.append(f"{test_id}: {message}")
        elif "skipped" in outcome:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped, failures


def main(argv: list[str]) -> int:
    available = suites(_site_packages())
    chosen = argv or list(available)
    totals = [0, 0, 0]
    all_failures: list[str] = []
    lines = []
    for name in chosen:
        ini, targets = available[name]
        passed, failed, skipped, failures = run_suite(name, ini, targets)
        totals = [totals[0] + passed, totals[1] + failed, totals[2] + skipped]
        all_failures += [f"[{name}] {f}" for f in failures]
        lines.append(f"{name}: {passed} passed, {failed} failed, {skipped} skipped")
        print(lines[-1], flush=True)
    if all_failures:
        print("\nFailures:")
        for failure in all_failures:
            print(f"  {failure}")
    print()
    print(f"{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
