"""Validators of the smart meter schema (registered by ``tk.blanket.validators``).

Each wraps a check of :mod:`ckanext.ssen_smartmeter.field_rules` and reports
its message, which names the field, against the field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey, Validator
from ckanext.scheming.validation import scheming_validator

from ckanext.ssen_smartmeter import field_rules as rules

__all__ = [
    "ssen_smartmeter_choice",
    "ssen_smartmeter_count",
    "ssen_smartmeter_coverage_order",
    "ssen_smartmeter_doi",
    "ssen_smartmeter_geojson",
    "ssen_smartmeter_int_output",
    "ssen_smartmeter_iso_date",
    "ssen_smartmeter_multiple_choice",
    "ssen_smartmeter_period",
    "ssen_smartmeter_period_order",
    "ssen_smartmeter_privacy_threshold",
    "ssen_smartmeter_quality_report",
    "ssen_smartmeter_required",
    "ssen_smartmeter_sha256",
    "ssen_smartmeter_table_schema",
]

Rule = Callable[[str, Any], Any]


def _is_empty(value: Any) -> bool:
    return value is tk.missing or value is None or value == "" or value == []


def _sibling(key: FlattenKey, data: FlattenDataDict, name: str) -> Any:
    """The raw value of field ``name`` beside ``key`` (also found among extras)."""
    value = data.get((*key[:-1], name), tk.missing)
    if not _is_empty(value):
        return value
    for flat_key, flat_value in data.items():
        if (
            flat_key[:-1]
            and flat_key[0] == "extras"
            and flat_key[-1] == "key"
            and flat_value == name
        ):
            return data.get((*flat_key[:-1], "value"), tk.missing)
    return tk.missing


def _wrap(rule: Rule) -> Validator:
    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ) -> None:
        value = data.get(key, tk.missing)
        if _is_empty(value):
            data[key] = tk.missing
            return
        try:
            data[key] = rule(str(key[-1]), value)
        except ValueError as exc:
            errors[key].append(str(exc))
            raise tk.StopOnError from None

    return validator


def ssen_smartmeter_required(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Stop with "<field> is required" when the value is missing or empty."""
    if _is_empty(data.get(key, tk.missing)):
        errors[key].append(f"{key[-1]} is required")
        raise tk.StopOnError


@scheming_validator
def ssen_smartmeter_choice(field: dict[str, Any], schema: dict[str, Any]) -> Validator:
    """One of the field's ``choices``; the message lists them."""
    allowed = [str(c["value"]) for c in field.get("choices", [])]
    return _wrap(lambda name, value: rules.choice(name, value, allowed))


@scheming_validator
def ssen_smartmeter_multiple_choice(field: dict[str, Any], schema: dict[str, Any]) -> Validator:
    """Zero or more of the field's ``choices``, stored as a JSON list."""
    allowed = [str(c["value"]) for c in field.get("choices", [])]
    return _wrap(lambda name, value: rules.dumps(rules.multiple_choice(name, value, allowed)))


ssen_smartmeter_iso_date = _wrap(rules.iso_date)
ssen_smartmeter_count = _wrap(rules.count)
ssen_smartmeter_privacy_threshold = _wrap(rules.privacy_threshold)
ssen_smartmeter_sha256 = _wrap(rules.sha256)
ssen_smartmeter_doi = _wrap(rules.doi)
ssen_smartmeter_geojson = _wrap(rules.geojson)
ssen_smartmeter_table_schema = _wrap(rules.table_schema)
ssen_smartmeter_quality_report = _wrap(rules.quality_report)


def ssen_smartmeter_period(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """A ``YYYY-MM`` month that holds the temporal coverage, when given."""
    _wrap(rules.period)(key, data, errors, context)
    month = data.get(key, tk.missing)
    if _is_empty(month):
        return
    for name in ("temporal_coverage_start", "temporal_coverage_end"):
        value = _sibling(key, data, name)
        if _is_empty(value):
            continue
        try:
            rules.check_within_month(month, name, value)
        except ValueError as exc:
            if "ISO date" not in str(exc):  # the date's own validator reports that
                errors[key].append(str(exc))


def _order(start_name: str) -> Validator:
    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ) -> None:
        end = data.get(key, tk.missing)
        start = _sibling(key, data, start_name)
        if _is_empty(end) or _is_empty(start):
            return
        try:
            start = rules.iso_date(start_name, start)
        except ValueError:
            return  # the start field reports its own error
        try:
            rules.check_order(start_name, start, str(key[-1]), end)
        except ValueError as exc:
            errors[key].append(str(exc))

    return validator


ssen_smartmeter_coverage_order = _order("temporal_coverage_start")
ssen_smartmeter_period_order = _order("period_start")


def ssen_smartmeter_int_output(value: Any) -> Any:
    """Show a stored count as an integer (dataset extras are stored as text)."""
    try:
        return rules.count("value", value)
    except ValueError:
        return value
