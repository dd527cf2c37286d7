"""Errors a day's stages turn into object errors (their messages are shown)."""

from __future__ import annotations


class FetchError(Exception):
    """The day cannot be fetched (message for the object error)."""
