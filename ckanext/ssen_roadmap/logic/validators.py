"""Validators of the ``ssen_roadmap`` plugin (used by schemas/roadmap_presets.yaml)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey, Validator
from ckanext.scheming.validation import scheming_multiple_choice, scheming_validator

from ckanext.ssen_roadmap.query import one_of
from ckanext.ssen_roadmap.timeline import ReleaseError, parse_release

__all__ = ["ssen_roadmap_choice", "ssen_roadmap_choices", "ssen_roadmap_release"]


def ssen_roadmap_release(value: Any, context: Context) -> Any:
    """A planned release: ``YYYY-MM-DD`` or a quarter, normalised to ``YYYY-Qn``.

    Empty values pass through (combine with ``ignore_missing``).
    """
    if value is None or value == "" or value is tk.missing:
        return value
    try:
        return parse_release(str(value)).text
    except ReleaseError as exc:
        raise tk.Invalid(str(exc)) from exc


def _choice_values(field: dict[str, Any]) -> list[str]:
    return [str(choice["value"]) for choice in field.get("choices", [])]


@scheming_validator
def ssen_roadmap_choice(field: dict[str, Any], schema: dict[str, Any]) -> Validator:
    """One of the field's ``choices``, as scheming's ``scheming_choices``, with
    an error that reads ``Value must be one of: planned, in_development, ...;
    got "someday"`` (scheming's prints a Python list)."""
    allowed = _choice_values(field)

    def validator(value: Any) -> Any:
        if value is tk.missing or not value:
            return value
        if value not in allowed:
            raise tk.Invalid(f'Value must be {one_of(allowed)}; got "{value}"')
        return value

    return validator


@scheming_validator
def ssen_roadmap_choices(field: dict[str, Any], schema: dict[str, Any]) -> Validator:
    """Zero or more of the field's ``choices``, stored as scheming's
    ``scheming_multiple_choice`` stores them; an unknown value is reported
    with what is allowed (``Unknown value "x": use one of: a, b``)."""
    allowed = _choice_values(field)
    store = scheming_multiple_choice(field, schema)

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ) -> None:
        value = data.get(key)
        values = [value] if isinstance(value, str) else value
        if isinstance(values, list) and not errors[key]:
            unknown = [str(v) for v in values if v not in allowed]
            if unknown:
                quoted = ", ".join(f'"{v}"' for v in unknown)
                errors[key].append(f"Unknown value {quoted}: use {one_of(allowed)}")
                return
        store(key, data, errors, context)

    return validator
