"""A bad search is a 400, wherever it is raised.

CKAN's Action API and dataset search page catch ``SearchQueryError``
themselves; other views that search (the ``/api/2/util/*/autocomplete``
helpers of the web forms, for one) do not, and it would be a 500. The handler
answers them as the Action API would (JSON) or with the error page.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib import base
from ckan.lib.search.common import SearchQueryError
from flask import jsonify


def register(app: Any) -> None:
    """Install the handler on CKAN's Flask app (``IMiddleware``)."""
    if hasattr(app, "register_error_handler"):
        app.register_error_handler(SearchQueryError, _bad_search)


def _bad_search(raised: SearchQueryError) -> Any:
    message = str(raised)
    if tk.request.path.startswith("/api/"):
        error = {"__type": "Search Query Error", "message": f"Search Query is invalid: {message}"}
        return jsonify({"success": False, "error": error}), 400
    extra_vars = {
        "code": 400,
        "name": "Bad Request",
        "content": tk._("Invalid search query: {error_message}").format(error_message=message),
    }
    return base.render("error_document_template.html", extra_vars), 400
