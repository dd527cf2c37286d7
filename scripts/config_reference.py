"""Print (or --write into README.md) the configuration reference table,
built from every plugin's config_declaration.yaml, so the README cannot
drift from what the plugins declare."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- config-reference:start -->", "<!-- config-reference:end -->"


def declarations() -> list[Path]:
    return sorted(
        p for p in (ROOT / "ckanext").rglob("config_declaration.y*ml") if ".venv" not in p.parts
    )


def plugin_names() -> dict[str, str]:
    """Package (dotted) -> the plugin name ``ckan.plugins`` takes, from the
    entry points: the declaration beside a plugin's module is that plugin's."""
    from importlib.metadata import entry_points

    return {
        ep.value.split(":")[0].rsplit(".", 1)[0]: ep.name
        for ep in entry_points(group="ckan.plugins")
        if ep.value.startswith("ckanext.ssen_")
    }


def table() -> str:
    rows = ["| option | default | plugin | description |", "| --- | --- | --- | --- |"]
    names = plugin_names()
    for path in declarations():
        folder = path.parent.relative_to(ROOT).as_posix()
        plugin = names[folder.replace("/", ".")]
        for group in yaml.safe_load(path.read_text())["groups"]:
            for opt in group["options"]:
                default = opt.get("default", "")
                text = " ".join(str(opt.get("description", "")).split())
                rows.append(f"| `{opt['key']}` | `{default}` | {plugin} | {text} |")
    return "\n".join(rows)


def render(readme: str) -> str:
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--write", action="store_true", help="update README.md in place")
    args = ap.parse_args()
    if not args.write:
        print(table())
        return 0
    readme = ROOT / "README.md"
    readme.write_text(render(readme.read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
