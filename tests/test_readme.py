"""README.md stays true: the two commands exist and .ci/run calls the test
one; the configuration table is what the plugins declare."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import config_reference  # noqa: E402


def test_quick_start_commands_exist_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in block.splitlines()[1:] if line.strip()]
    assert commands == ["scripts/setup.sh", "scripts/test.sh"]
    assert all((ROOT / c).is_file() for c in commands)
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^exec scripts/test\.sh$", ci, re.M)


def test_configuration_reference_matches_the_declarations() -> None:
    readme = (ROOT / "README.md").read_text()
    assert config_reference.render(readme) == readme, "run scripts/config_reference.py --write"
