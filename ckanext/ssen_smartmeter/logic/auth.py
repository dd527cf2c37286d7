"""Auth functions of the smart meter schema (registered by ``tk.blanket.auth_functions``)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["ssen_smartmeter_load_profile", "ssen_smartmeter_table_schema"]


@tk.auth_allow_anonymous_access
def ssen_smartmeter_table_schema(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone may read the published files' table schemas."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def ssen_smartmeter_load_profile(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may see the dataset may read its published profile."""
    try:
        tk.check_access("package_show", context, {"id": data_dict.get("id")})
    except tk.NotAuthorized:
        return {"success": False, "msg": tk._("Not authorized to read this dataset")}
    return {"success": True}
