"""Search facets of the smart meter schema and their labels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk

FACET_FIELDS = (
    ("licence_area", "Licence area"),
    ("aggregation_level", "Aggregation level"),
    ("data_classification", "Classification"),
    ("frequency", "Update frequency"),
    ("target_audience", "Target audience"),
)
SCHEMA_TYPE = "smart-meter"
# facets of /harvest (ckanext-harvest's): field -> the harvest helper that
# lists its choices as {"value", "text"}; "MANUAL" reads "Manual"
HARVEST_CHOICES = {"frequency": "harvest_frequencies", "source_type": "harvester_types"}


def titles() -> dict[str, Any]:
    """Facet field -> translated title, in display order."""
    return {field: tk._(title) for field, title in FACET_FIELDS}


def choice_labels() -> dict[str, dict[str, str]]:
    """Facet field -> {stored value: label}, from the smart meter schema."""
    schema = tk.h.scheming_get_dataset_schema(SCHEMA_TYPE) or {}
    labels: dict[str, dict[str, str]] = {}
    names = {name for name, _ in FACET_FIELDS}
    for field in schema.get("dataset_fields", []):
        if field["field_name"] in names and field.get("choices"):
            labels[field["field_name"]] = {
                str(c["value"]): tk.h.scheming_language_text(c["label"]) for c in field["choices"]
            }
    return labels


def harvest_choice_labels(fields: Iterable[str]) -> dict[str, dict[str, str]]:
    """Facet field of /harvest -> {stored value: label}, from ckanext-harvest's
    helpers, for those of ``fields`` it has (none without the harvest plugin)."""
    labels: dict[str, dict[str, str]] = {}
    for field in fields:
        helper = getattr(tk.h, HARVEST_CHOICES.get(field, ""), None)
        if helper is not None:
            labels[field] = {str(c["value"]): str(c["text"]) for c in helper()}
    return labels


def label_search_facets(search_facets: dict[str, Any]) -> None:
    """Replace the display names of our facet items, and of the harvest
    sources' (``frequency``, ``source_type``), by choice labels, in place."""
    wanted = [f for f in HARVEST_CHOICES if (search_facets.get(f) or {}).get("items")]
    labels = harvest_choice_labels(wanted)
    for field, mapping in choice_labels().items():
        labels[field] = {**labels.get(field, {}), **mapping}
    for field, mapping in labels.items():
        for item in (search_facets.get(field) or {}).get("items", []):
            item["display_name"] = mapping.get(item.get("name"), item.get("display_name"))
