"""Human labels of the roadmap's choice fields, read from the scheming presets.

``schemas/roadmap_presets.yaml`` is the one place the choices are defined; this
module only looks them up (falling back to the raw values when scheming is not
loaded).
"""

from __future__ import annotations

PRESETS = {
    "roadmap_status": "ssen_roadmap_status",
    "roadmap_category": "ssen_roadmap_category",
    "target_audience": "ssen_target_audience",
}
FALLBACK_STATUSES = {
    "planned": "Planned",
    "in_development": "In development",
    "published": "Published",
    "retired": "Retired",
}


def _preset_choices(preset: str) -> tuple[tuple[str, str], ...]:
    try:
        from ckanext.scheming.helpers import scheming_get_preset
    except ImportError:  # pragma: no cover - scheming is a hard dependency
        return ()
    found = scheming_get_preset(preset) or {}
    # scheming keeps a preset's ``values`` (older releases: the whole preset).
    listed = found.get("choices") or found.get("values", {}).get("choices", [])
    return tuple(
        (str(choice["value"]), str(choice.get("label") or choice["value"])) for choice in listed
    )


def labels(field: str) -> dict[str, str]:
    """``{value: label}`` of a roadmap choice field, in the preset's order."""
    found = dict(_preset_choices(PRESETS[field]))
    if not found and field == "roadmap_status":
        return dict(FALLBACK_STATUSES)
    return found


def all_labels() -> dict[str, dict[str, str]]:
    return {field: labels(field) for field in PRESETS}


def short_category_labels() -> dict[str, str]:
    """Category labels without their explanation in brackets."""
    return {value: label.split(" (")[0] for value, label in labels("roadmap_category").items()}


def resolve(field: str, value: str) -> str:
    """A value given as its code or its label (any case) -> its code."""
    known = labels(field)
    if value in known:
        return value
    folded = value.strip().casefold()
    for code, label in known.items():
        if folded in (label.casefold(), label.split(" (")[0].casefold(), code.casefold()):
            return code
    return value
