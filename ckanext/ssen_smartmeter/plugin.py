"""The ``ssen_smartmeter`` plugin: smart meter dataset type, pages and API."""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import re
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.types import Context

from ckanext.ssen_smartmeter import facets, freshness

DATASET_TYPE = "smart-meter"
MULTIPLE_CHOICE_FIELDS = ("target_audience", "measures")
FRESHNESS_FIELDS = ("last_data_update", "is_up_to_date", "next_update_due", "is_complete")
# the stored dataset dicts a search result may carry (``fl=*`` has both)
STORED_DICTS = ("validated_data_dict", "data_dict")
# ``extras`` key that marks a stored dict added to ``fl`` only to compute freshness
_ADDED_FL = "ext_ssen_smartmeter_added_fl"
_FL_SPLIT_RE = re.compile(r"[\s,]+")


@tk.blanket.config_declarations
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.helpers
@tk.blanket.validators
class SsenSmartmeterPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)

    # IConfigurer
    def update_config(self, config: CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_resource("assets", "ssen_smartmeter")

    # IPackageController
    def after_dataset_show(self, context: Context, pkg_dict: dict[str, Any]) -> None:
        """Add the computed ``last_data_update``, ``is_up_to_date``,
        ``next_update_due``, ``is_complete`` and ``missing_days`` to datasets
        with one of our update frequencies."""
        _add_freshness(pkg_dict)

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        """Index multiple-choice fields as lists (scheming stores JSON strings),
        so that each value is a facet item in Solr as in ssen_search. The
        computed ``missing_days`` is not indexed (a list that changes with
        time, recomputed on every show and search)."""
        pkg_dict.pop("missing_days", None)
        for field in MULTIPLE_CHOICE_FIELDS:
            value = pkg_dict.get(field)
            if isinstance(value, str) and value.startswith("["):
                try:
                    pkg_dict[field] = json.loads(value)
                except ValueError:
                    pass
        return pkg_dict

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        """An ``fl`` naming a freshness field also fetches the stored dataset
        dict, which holds the resources the freshness is computed from."""
        given = search_params.get("fl") or []
        fl = [f for item in tk.aslist(given) for f in _FL_SPLIT_RE.split(str(item)) if f]
        if not fl or any(field in fl for field in ("*", *STORED_DICTS)):
            return search_params
        if any(fnmatch.filter(FRESHNESS_FIELDS, pattern) for pattern in fl):
            search_params["fl"] = [*fl, STORED_DICTS[0]]
            search_params.setdefault("extras", {})[_ADDED_FL] = STORED_DICTS[0]
        return search_params

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        """Recompute freshness of each result (the index holds the value of
        the moment it was indexed) and show choice labels in our facets."""
        added = (search_params.get("extras") or {}).get(_ADDED_FL)
        for pkg_dict in search_results.get("results") or []:
            if isinstance(pkg_dict, dict):
                _add_result_freshness(pkg_dict)
                if added:
                    pkg_dict.pop(added, None)
        facets.label_search_facets(search_results.get("search_facets") or {})
        return search_results

    # IFacets
    def dataset_facets(self, facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
        # not on /harvest: a harvest source has none of these fields
        if package_type != "harvest":
            facets_dict.update(facets.titles())
        return facets_dict

    def organization_facets(
        self, facets_dict: dict[str, Any], organization_type: str, package_type: str | None
    ) -> dict[str, Any]:
        facets_dict.update(facets.titles())
        return facets_dict


def _add_result_freshness(pkg_dict: dict[str, Any]) -> None:
    """Freshness of a search result: a whole dataset (the default) holds its
    resources; an ``fl`` result holds at best the stored dataset dict; one
    with neither is left alone (without resources it would look overdue)."""
    if "resources" in pkg_dict:
        _add_freshness(pkg_dict)
        return
    for name in STORED_DICTS:
        stored = pkg_dict.get(name)
        if isinstance(stored, str):
            try:
                stored = json.loads(stored)
            except ValueError:
                continue
        if isinstance(stored, dict) and "resources" in stored:
            _add_freshness(stored)
            pkg_dict.update({k: stored[k] for k in FRESHNESS_FIELDS if k in stored})
            return


def _add_freshness(pkg_dict: dict[str, Any]) -> None:
    frequency = pkg_dict.get("frequency")
    if frequency not in freshness.FREQUENCIES:
        return
    grace = dt.timedelta(hours=tk.config.get("ckanext.ssen_smartmeter.freshness_grace_hours"))
    resources = pkg_dict.get("resources") or []
    now = dt.datetime.utcnow()
    complete = freshness.period_complete(pkg_dict.get("period"), resources)
    state = freshness.compute(frequency, resources, now, grace, complete)
    pkg_dict.update(state.as_fields())
    gaps = freshness.period_gaps(pkg_dict.get("period"), resources, now.date())
    pkg_dict["missing_days"] = [day.isoformat() for day in gaps or []]
