"""Pages of the ``ssen_roadmap`` plugin: /roadmap, its exports and the request form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context
from flask import Blueprint, Response, current_app
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError as WtfValidationError

from ckanext.ssen_roadmap import accounts, choices, exports
from ckanext.ssen_roadmap import items as roadmap_items
from ckanext.ssen_roadmap.page import load_document, render_timeline
from ckanext.ssen_roadmap.query import dataset_url, filter_params, read_filters
from ckanext.ssen_roadmap.timeline import Filters, build_timeline

__all__ = ["roadmap"]

roadmap = Blueprint("ssen_roadmap", __name__)


def _context() -> Context:
    return Context(
        model=model,
        session=model.Session,
        user=tk.current_user.name if tk.current_user.is_authenticated else "",
        auth_user_obj=tk.current_user if tk.current_user.is_authenticated else None,
    )


def _with_filters(endpoint: str, filters: Filters, **kw: Any) -> str:
    """``endpoint``'s URL asking for ``filters`` (and nothing else)."""
    url = tk.url_for(endpoint, **kw)
    params = filter_params(filters)
    return f"{url}?{urlencode(params)}" if params else url


def _export_filters() -> Filters:
    """The filters of an export. Nobody reads a notice in a CSV file or a
    calendar, so a filter not understood is refused (400, naming it and what
    is allowed) rather than ignored, as the API does."""
    query = read_filters(tk.request.args)
    if query.errors:
        tk.abort(400, " ".join(f"{message}." for message in query.errors.values()))
    return query.filters


def _filtered_items(context: Context, filters: Filters) -> list[Any]:
    timeline = build_timeline(roadmap_items.visible_items(context), filters)
    return [item for group in timeline.quarters for item in group.items]


def _title() -> str:
    front = load_document().front
    return front.title or tk._("Data roadmap")


def _request_access() -> dict[str, Any]:
    """How the page offers "Request a dataset" to this visitor."""
    signed_in = tk.current_user.is_authenticated
    return {
        "can_request": signed_in,
        "can_register": False if signed_in else accounts.can_register(),
        "contact": None if signed_in else accounts.contact(),
    }


@roadmap.route("/roadmap")
def index() -> str:
    """The page. Like CKAN's dataset search, it never fails on its query: a
    filter or parameter it does not understand is left out, and a notice
    names it, says what is allowed and links to the page without it."""
    context = _context()
    document = load_document()
    query = read_filters(tk.request.args)
    filters = query.filters
    key = roadmap_items.cache_key(context) if roadmap_items.caching() else None
    timelines = [render_timeline(seg, context, filters, key) for seg in document.timelines]
    return tk.render(
        "ssen_roadmap/index.html",
        {
            "document": document,
            "timelines": timelines,
            "filter_notices": list(query.errors.values()),
            "page_url": _with_filters("ssen_roadmap.index", filters),
            "csv_url": _with_filters("ssen_roadmap.csv_export", filters),
            "ical_url": _with_filters("ssen_roadmap.ical_export", filters),
            "atom_url": _with_filters("ssen_roadmap.atom_feed", filters),
            **_request_access(),
        },
    )


@roadmap.route("/roadmap/timeline/<int:index>")
def fragment(index: int) -> str:
    """One timeline alone, for the page's script to swap in after a filter change."""
    document = load_document()
    segments = document.timelines
    if index >= len(segments):
        return tk.abort(404, tk._("No such timeline"))
    # The page's own script asks only for known filters; anything else is left
    # out, as on the page.
    return render_timeline(segments[index], _context(), read_filters(tk.request.args).filters)


def _url_for_item(item: Any) -> str:
    return dataset_url(item, external=True)


@roadmap.route("/roadmap.csv")
def csv_export() -> Response:
    items = _filtered_items(_context(), _export_filters())
    body = exports.to_csv(items, _url_for_item, choices.all_labels())
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="roadmap.csv"'},
    )


@roadmap.route("/roadmap.ics")
def ical_export() -> Response:
    body = exports.to_ical(
        _filtered_items(_context(), _export_filters()),
        _url_for_item,
        calendar_name=_title(),
        domain=urlsplit(tk.config.get("ckan.site_url")).hostname or "localhost",
        status_labels=choices.labels("roadmap_status"),
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="roadmap.ics"'},
    )


@roadmap.route("/roadmap.atom")
def atom_feed() -> Response:
    filters = _export_filters()
    body = exports.to_atom(
        _filtered_items(_context(), filters),
        _url_for_item,
        feed_url=_with_filters("ssen_roadmap.atom_feed", filters, _external=True),
        page_url=_with_filters("ssen_roadmap.index", filters, _external=True),
        title=tk._("{title}: recent changes").format(title=_title()),
        status_labels=choices.labels("roadmap_status"),
        limit=tk.asint(tk.config.get("ckanext.ssen_roadmap.feed_size")),
    )
    return Response(body, mimetype="application/atom+xml")


def _check_csrf() -> None:
    """Validate the form's CSRF token ourselves for cookie sessions.

    CKAN 2.12 exempts a view from Flask-WTF's check for good (a process-wide
    ``csrf.exempt``) the first time any request reaches it with an API token,
    which would leave the form unprotected afterwards for browser sessions.
    """
    if not current_app.config.get("WTF_CSRF_ENABLED", True) or tk.g.get("login_via_auth_header"):
        return
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    try:
        validate_csrf(tk.request.form.get(field))
    except WtfValidationError as exc:
        tk.abort(
            400,
            tk._("The form expired or was not sent from this site: {reason}").format(reason=exc),
        )


def _form_fields() -> dict[str, tuple[str, str]]:
    """The request form's fields: name -> (element id, label)."""
    return {
        "title": ("field-title", tk._("Dataset you need")),
        "description": ("field-description", tk._("Why you need it and how you would use it")),
        "target_audience": ("field-audience", tk._("Who would use it")),
        "use_cases": ("field-use-cases", tk._("Use cases")),
    }


def _as_text(messages: Any) -> str:
    """Messages joined into text, never a Python list."""
    if isinstance(messages, (list, tuple)):
        return " ".join(str(message) for message in messages)
    return str(messages)


def _form_errors(errors: dict[str, Any]) -> dict[str, Any]:
    """Where the form shows each error: a field's message beside that field
    (``field_errors``), with a link to the field in the box above the form
    (``invalid_fields``); errors of no field (the daily limit, requests
    closed) as sentences in that box (``form_errors``)."""
    fields = _form_fields()
    field_errors: dict[str, str] = {}
    form_errors: list[str] = []
    for key, messages in errors.items():
        if key in fields:
            field_errors[key] = _as_text(messages)
        else:
            form_errors.append(_as_text(messages))
    invalid_fields = [fields[key] for key in fields if key in field_errors]
    return {
        "field_errors": field_errors,
        "form_errors": form_errors,
        "invalid_fields": invalid_fields,
    }


@roadmap.route("/roadmap/request", methods=["GET", "POST"])
def request_dataset() -> Any:
    if not tk.current_user.is_authenticated:
        if accounts.can_register():
            tk.h.flash_error(tk._("Please log in or register to request a dataset."))
        else:
            tk.h.flash_error(
                tk._(
                    "Please log in to request a dataset. Requests are open to registered "
                    "users; contact {contact} for an account."
                ).format(contact=accounts.contact().text)
            )
        return tk.redirect_to("user.login", came_from=tk.url_for("ssen_roadmap.request_dataset"))
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if tk.request.method == "POST":
        _check_csrf()
        form = tk.request.form
        data = {
            "title": form.get("title", ""),
            "description": form.get("description", ""),
            "target_audience": form.getlist("target_audience"),
            "use_cases": form.get("use_cases", ""),
        }
        try:
            tk.get_action("ssen_roadmap_request_create")(_context(), dict(data))
        except tk.ValidationError as exc:
            errors = exc.error_dict  # type: ignore[assignment]
        except tk.NotAuthorized:
            return tk.abort(403, tk._("You may not request datasets"))
        else:
            tk.h.flash_success(
                tk._(
                    "Thank you: your request was sent to the portal team. It will appear "
                    "on the roadmap once they have reviewed it."
                )
            )
            return tk.redirect_to("ssen_roadmap.index")
    return tk.render(
        "ssen_roadmap/request.html",
        {
            "data": data,
            **_form_errors(errors),
            "audience_options": choices.labels("target_audience"),
        },
    )
