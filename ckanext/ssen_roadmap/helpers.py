"""Template helpers of the ``ssen_roadmap`` plugin."""

from __future__ import annotations

from ckanext.ssen_roadmap import choices
from ckanext.ssen_roadmap.query import dataset_url
from ckanext.ssen_roadmap.timeline import RoadmapItem

__all__ = ["ssen_roadmap_category_labels", "ssen_roadmap_item_url", "ssen_roadmap_labels"]


def ssen_roadmap_labels(field: str) -> dict[str, str]:
    """``{value: label}`` of ``roadmap_status``, ``roadmap_category`` or
    ``target_audience``."""
    return choices.labels(field)


def ssen_roadmap_category_labels() -> dict[str, str]:
    """Roadmap input category labels, short form."""
    return choices.short_category_labels()


def ssen_roadmap_item_url(item: RoadmapItem) -> str:
    return dataset_url(item)
