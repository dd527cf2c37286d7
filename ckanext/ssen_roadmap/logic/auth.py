"""Auth functions of the ``ssen_roadmap`` plugin."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["ssen_roadmap_list", "ssen_roadmap_request_create"]


@tk.auth_allow_anonymous_access
def ssen_roadmap_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone may list the roadmap; the action itself only returns datasets
    the caller may see."""
    return {"success": True}


def ssen_roadmap_request_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user may request a dataset; anonymous users may not."""
    if not context.get("auth_user_obj"):
        return {"success": False, "msg": tk._("You must be logged in to request a dataset")}
    return {"success": True}
