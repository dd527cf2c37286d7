"""Demo content for the quick start: runs inside a loaded CKAN app.

Each item is created only when absent, so loading twice changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

DEMO_ADMIN = {"name": "admin", "email": "admin@example.org", "password": "ssen-demo-2026"}
DEMO_ORG = {
    "name": "ssen",
    "title": "Scottish and Southern Electricity Networks",
    "description": "Distribution network operator for the north of Scotland (SHEPD) "
    "and central southern England (SEPD).",
}


# Roadmap items of the demo: datasets of the generic type, most of them planned
# before they have any resource (the smart meter datasets come from the demo
# harvest and join the roadmap as published).
DEMO_ROADMAP = [
    {
        "name": "lv-network-topology",
        "title": "LV network topology (feeders and substations)",
        "notes": "Connectivity of low-voltage feeders to secondary substations.",
        "roadmap_status": "in_development",
        "roadmap_planned_release": "2027-Q1",
        "roadmap_category": "stakeholder_request",
        "target_audience": ["academia_research", "flexibility_service_providers"],
        "use_cases": "Network modelling\nLocal area energy planning",
    },
    {
        "name": "embedded-capacity-register",
        "title": "Embedded capacity register",
        "notes": "Generation and storage of 1 MW and above connected to the network.",
        "roadmap_status": "planned",
        "roadmap_planned_release": "2027-Q2",
        "roadmap_category": "legal_requirement",
        "target_audience": ["distributed_generators", "battery_storage_owners"],
        "use_cases": "Finding where to connect",
    },
    {
        "name": "outage-history",
        "title": "Past and planned outages",
        "notes": "Interruptions of supply by area, cause and duration.",
        "roadmap_status": "planned",
        "roadmap_planned_release": "2027-09-30",
        "roadmap_category": "retrospective",
        "target_audience": ["consumer_advocacy", "local_government"],
        "use_cases": "Information on past and future outages",
    },
    {
        "name": "ev-charger-uptake-forecast",
        "title": "Electric vehicle charger uptake forecasts",
        "notes": "Scenario forecasts of domestic and public charge points by substation.",
        "roadmap_status": "planned",
        "roadmap_planned_release": "2027-Q4",
        "roadmap_category": "future_looking",
        "target_audience": ["local_government", "consultancies"],
        "use_cases": "Future energy predictions for a local area",
    },
    {
        "name": "flexibility-tender-results",
        "title": "Flexibility tender results",
        "notes": "Outcomes of flexibility service tenders by zone.",
        "roadmap_status": "planned",
        "roadmap_planned_release": "2027-Q3",
        "roadmap_category": "prospective",
        "target_audience": ["flexibility_service_providers", "commercial_aggregator"],
        "use_cases": "Monetising assets through flexibility services",
    },
]


def _site_context() -> dict[str, Any]:
    import ckan.plugins.toolkit as tk

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _exists(action: str, id_: str) -> bool:
    import ckan.plugins.toolkit as tk

    try:
        tk.get_action(action)(_site_context(), {"id": id_})
    except tk.ObjectNotFound:
        return False
    return True


def load(root: Path) -> list[str]:
    import ckan.model as model
    import ckan.plugins.toolkit as tk

    done: list[str] = []
    if model.User.get(DEMO_ADMIN["name"]) is None:
        tk.get_action("user_create")(_site_context(), dict(DEMO_ADMIN))
        user = model.User.get(DEMO_ADMIN["name"])
        user.sysadmin = True
        model.repo.commit()
        done.append(f"created sysadmin {DEMO_ADMIN['name']}")
    if not _exists("organization_show", DEMO_ORG["name"]):
        ctx = _site_context() | {"user": DEMO_ADMIN["name"]}
        tk.get_action("organization_create")(ctx, dict(DEMO_ORG))
        done.append(f"created organisation {DEMO_ORG['name']}")
    for item in DEMO_ROADMAP:
        if not _exists("package_show", item["name"]):
            ctx = _site_context() | {"user": DEMO_ADMIN["name"]}
            data = {"type": "dataset", "owner_org": DEMO_ORG["name"], "license_id": "cc-by", **item}
            tk.get_action("package_create")(ctx, data)
            done.append(f"created roadmap dataset {item['name']}")
    done += _demo_harvest(root)
    return done


def _demo_harvest(root: Path) -> list[str]:
    """A harvest of a small generated week (see docs/harvester.md)."""
    from ckanext.ssen_smartmeter.harvest.demo import load_demo

    return load_demo(root / "var" / "sources", DEMO_ORG["name"])
