"""Every ``ckan ...`` command the README and docs/ show in code is one CKAN
knows (with this suite's plugins): a renamed or misremembered command (such
as ``ckan harvester clearsource``) fails here, not on an operator's shell."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ckan.cli.cli import ckan

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# ``ckan`` (or a path to it), an optional ``-c INI``, then the words of the command
COMMAND = re.compile(r"^(?:\S*/)?ckan (?:-c \S+ )?((?:[a-z][a-z_-]*)(?: [a-z][a-z_-]*)*)")


def documented() -> list[tuple[str, str]]:
    """(document, command words) of every ``ckan`` command in code spans and blocks."""
    found = set()
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8")
        blocks = re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
        lines = [line for block in blocks for line in block.splitlines()]
        spans = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
        for snippet in (*lines, *spans):
            match = COMMAND.match(snippet.strip())
            if match:
                found.add((path.name, match.group(1)))
    return sorted(found)


def test_the_documents_show_ckan_commands() -> None:
    words = {command for _, command in documented()}
    assert {"harvester source clear", "ssen-smartmeter harvest", "search-index rebuild"} <= words


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize(("document", "command"), documented())
def test_a_documented_command_exists(cli: Any, document: str, command: str) -> None:
    result = cli.invoke(ckan, [*command.split(), "--help"])
    assert result.exit_code == 0, f"{document}: `ckan {command}`: {result.output}"
    assert "Usage: ckan" in result.output
