"""Every ``ckan ...`` and ``ssen-smartmeter ...`` command the README and
docs/ show in code is one that exists, with the options shown (``ckan`` with
this suite's plugins): a renamed or misremembered command (such as ``ckan
harvester clearsource``) fails here, not on an operator's shell."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ckan.cli.cli import ckan

from ckanext.ssen_smartmeter.pipeline.cli import parser

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# ``ckan`` (or a path to it), an optional ``-c INI``, then the words of the command
COMMAND = re.compile(r"^(?:\S*/)?ckan (?:-c \S+ )?((?:[a-z][a-z_-]*)(?: [a-z][a-z_-]*)*)(.*)")
SCRIPT = re.compile(r"^(?:\S*/)?ssen-smartmeter ([a-z]+)(.*)")


def _snippets(path: Path) -> list[str]:
    """The lines of a document's code blocks and its code spans (comments cut)."""
    text = path.read_text(encoding="utf-8")
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
    lines = [line for block in blocks for line in block.splitlines()]
    spans = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
    return [s.split("  #")[0].strip() for s in (*lines, *spans)]


def documented(pattern: re.Pattern[str] = COMMAND) -> list[tuple[str, str, tuple[str, ...]]]:
    """(document, command words, options shown) of the commands ``pattern`` finds."""
    found = set()
    for path in DOCUMENTS:
        for snippet in _snippets(path):
            match = pattern.match(snippet)
            if match:
                options = tuple(sorted(set(re.findall(r"--[a-z][a-z-]*", match.group(2)))))
                found.add((path.name, match.group(1), options))
    return sorted(found)


def test_the_documents_show_ckan_commands() -> None:
    words = {command for _, command, _ in documented()}
    assert {"harvester source clear", "ssen-smartmeter harvest", "search-index rebuild"} <= words
    scripts = {(command, options) for _, command, options in documented(SCRIPT)}
    assert ("aggregate", ("--date", "--out", "--reads", "--topology")) in scripts


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize(("document", "command", "options"), documented())
def test_a_documented_ckan_command_exists(
    cli: Any, document: str, command: str, options: tuple[str, ...]
) -> None:
    result = cli.invoke(ckan, [*command.split(), "--help"])
    assert result.exit_code == 0, f"{document}: `ckan {command}`: {result.output}"
    assert "Usage: ckan" in result.output
    assert [o for o in options if o not in result.output] == [], f"{document}: ckan {command}"


@pytest.mark.parametrize(("document", "command", "options"), documented(SCRIPT))
def test_a_documented_pipeline_command_exists(
    document: str, command: str, options: tuple[str, ...]
) -> None:
    subcommands = parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert command in subcommands, f"{document}: ssen-smartmeter {command}"
    known = {o for action in subcommands[command]._actions for o in action.option_strings}
    assert [o for o in options if o not in known] == [], f"{document}: ssen-smartmeter {command}"
