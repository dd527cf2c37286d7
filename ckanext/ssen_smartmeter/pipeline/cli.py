"""``ssen-smartmeter`` command line (filled in by the pipeline work)."""
from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    raise SystemExit("ssen-smartmeter: not implemented yet")
