"""Auth functions of the smart meter harvester (``tk.blanket.auth_functions``).

ckanext-harvest lets anyone read a harvest object (its content and extras:
paths on this machine, checksums, quality reports of unpublished days) and
any signed-in user list objects. Here both follow the jobs: whoever may
update the object's source (its organisation's editors and admins,
sysadmins) may see them; nobody else, anonymous users included.
"""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthFunction, AuthResult, Context, DataDict
from ckanext.harvest.model import HarvestObject

__all__ = ["harvest_object_list", "harvest_object_show", "ssen_smartmeter_job_report"]


@tk.auth_allow_anonymous_access
def ssen_smartmeter_job_report(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may see the harvest job (ckanext-harvest: the source's editors)."""
    try:
        tk.check_access("harvest_job_show", context, data_dict)
    except tk.NotAuthorized:
        return {"success": False, "msg": "Not authorised to see this harvest job"}
    return {"success": True}


def user_context(context: Context | None = None, user: str | None = None) -> Context:
    """A fresh context for an access check by the same user (never a copy:
    checks cache the package they looked at in the context)."""
    name = user if user is not None else (context or {}).get("user") or ""
    return {"model": model, "session": model.Session, "user": name}


def can_edit_source(context: Context, source_id: str) -> bool:
    """Whether the context's user may update harvest source ``source_id``."""
    if context.get("ignore_auth"):
        return True
    try:
        tk.check_access("harvest_source_update", user_context(context), {"id": source_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _object_source(data_dict: DataDict) -> str | None:
    """The source of the object ``harvest_object_show`` is asked for, if it exists."""
    query = model.Session.query(HarvestObject.harvest_source_id)
    if data_dict.get("id"):
        query = query.filter(HarvestObject.id == data_dict["id"])
    elif data_dict.get("dataset_id"):
        package = model.Package.get(data_dict["dataset_id"])
        if package is None:
            return None
        query = query.filter(HarvestObject.package_id == package.id)
    else:
        return None
    row = query.first()
    return row[0] if row else None


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def harvest_object_show(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    """The source's editors and sysadmins only (an unknown object: not found later)."""
    source_id = _object_source(data_dict or {})
    if source_id is None:
        return next_auth(context, data_dict)  # the action answers "not found"
    if not can_edit_source(context, source_id):
        return {"success": False, "msg": "Not authorised to see this harvest object"}
    return {"success": True}


@tk.chained_auth_function
def harvest_object_list(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    """Objects of one source (``source_id``) for its editors; of all sources for sysadmins."""
    source_id = (data_dict or {}).get("source_id")
    if source_id and can_edit_source(context, source_id):
        return {"success": True}
    return {"success": False, "msg": "Not authorised to list these harvest objects"}
