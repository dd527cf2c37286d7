"""Guards on CKAN's autocomplete actions (registered by ``tk.blanket.actions``).

The autocomplete actions other than ``package_autocomplete`` query the
database directly, where a NUL character (``%00``) in the typed text would be
a 500; here it is a ``SearchQueryError``, as a bad search is (400 "Search
Query Error" in the Action API). ``package_autocomplete`` searches the index,
whose connection makes the same check.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.ssen_search.connection import reject_nul

__all__ = [
    "format_autocomplete",
    "group_autocomplete",
    "organization_autocomplete",
    "tag_autocomplete",
    "user_autocomplete",
]


def _guarded(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    if isinstance(data_dict, dict):
        reject_nul(data_dict)
    return up_func(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def format_autocomplete(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``format_autocomplete``; a NUL in any parameter is a search query error."""
    return _guarded(up_func, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def group_autocomplete(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``group_autocomplete``; a NUL in any parameter is a search query error."""
    return _guarded(up_func, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def organization_autocomplete(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``organization_autocomplete``; a NUL in any parameter is a search query error."""
    return _guarded(up_func, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def tag_autocomplete(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``tag_autocomplete``; a NUL in any parameter is a search query error."""
    return _guarded(up_func, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def user_autocomplete(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``user_autocomplete``; a NUL in any parameter is a search query error."""
    return _guarded(up_func, context, data_dict)
