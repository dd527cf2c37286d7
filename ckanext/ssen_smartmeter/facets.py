"""Search facets of the smart meter schema and their labels."""

from __future__ import annotations

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


def label_search_facets(search_facets: dict[str, Any]) -> None:
    """Replace the display names of our facet items by choice labels, in place."""
    labels = choice_labels()
    for field, mapping in labels.items():
        for item in (search_facets.get(field) or {}).get("items", []):
            item["display_name"] = mapping.get(item.get("name"), item.get("display_name"))
