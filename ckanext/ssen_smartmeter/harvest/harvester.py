"""The ``ssen_smartmeter_harvester`` plugin (filled in by the harvester work)."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
from ckanext.harvest.harvesters.base import HarvesterBase


class SmartMeterHarvester(HarvesterBase, p.SingletonPlugin):
    def info(self) -> dict[str, Any]:
        return {
            "name": "ssen_smartmeter",
            "title": "SSEN smart meter aggregation",
            "description": "Aggregates raw half-hourly smart meter reads into "
            "LV-feeder and secondary-substation resources.",
        }

    def gather_stage(self, harvest_job: Any) -> list[str]:
        return []

    def fetch_stage(self, harvest_object: Any) -> bool:
        return True

    def import_stage(self, harvest_object: Any) -> bool | str:
        return True
