"""Auth functions of the smart meter harvester (``tk.blanket.auth_functions``)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["ssen_smartmeter_job_report"]


@tk.auth_allow_anonymous_access
def ssen_smartmeter_job_report(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may see the harvest job (ckanext-harvest: the source's editors)."""
    try:
        tk.check_access("harvest_job_show", context, data_dict)
    except tk.NotAuthorized:
        return {"success": False, "msg": "Not authorised to see this harvest job"}
    return {"success": True}
