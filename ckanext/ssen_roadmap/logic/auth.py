"""Auth functions of the ``ssen_roadmap`` plugin."""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["ssen_roadmap_list", "ssen_roadmap_request_create"]


@tk.auth_allow_anonymous_access
def ssen_roadmap_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone may list the roadmap; the action itself only returns datasets
    the caller may see."""
    return {"success": True}


def requesting_user(context: Context) -> model.User | None:
    """The signed-in user behind ``context``, or None for anonymous callers.

    Web and API requests put Flask-Login's ``AnonymousUser`` (truthy, with an
    empty name) in ``auth_user_obj``; only a real, active ``model.User``
    counts.
    """
    user = context.get("auth_user_obj")
    if not isinstance(user, model.User):
        name = context.get("user")
        user = model.User.get(name) if name else None
    if user is None or user.state != "active":
        return None
    return user


def ssen_roadmap_request_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user may request a dataset; anonymous users may not."""
    if requesting_user(context) is None:
        return {"success": False, "msg": tk._("You must be logged in to request a dataset")}
    return {"success": True}
