"""Filled in by the smart meter schema work."""
from __future__ import annotations

__all__: list[str] = []
