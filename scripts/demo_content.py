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
    return done
