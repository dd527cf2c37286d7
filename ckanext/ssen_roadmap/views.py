"""Pages of the ``ssen_roadmap`` plugin: /roadmap, its exports and the request form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context
from flask import Blueprint, Response, current_app
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError as WtfValidationError

from ckanext.ssen_roadmap import choices, exports
from ckanext.ssen_roadmap import items as roadmap_items
from ckanext.ssen_roadmap.page import load_document, render_timeline
from ckanext.ssen_roadmap.query import dataset_url, parse_filters
from ckanext.ssen_roadmap.timeline import build_timeline

__all__ = ["roadmap"]

roadmap = Blueprint("ssen_roadmap", __name__)


def _context() -> Context:
    return Context(
        model=model,
        session=model.Session,
        user=tk.current_user.name if tk.current_user.is_authenticated else "",
        auth_user_obj=tk.current_user if tk.current_user.is_authenticated else None,
    )


def _filtered_items(context: Context) -> list[Any]:
    filters = parse_filters(tk.request.args, strict=False)
    timeline = build_timeline(roadmap_items.visible_items(context), filters)
    return [item for group in timeline.quarters for item in group.items]


def _title() -> str:
    front = load_document().front
    return front.title or tk._("Data roadmap")


@roadmap.route("/roadmap")
def index() -> str:
    context = _context()
    document = load_document()
    query = parse_filters(tk.request.args, strict=False)
    key = roadmap_items.cache_key(context) if roadmap_items.caching() else None
    timelines = [render_timeline(seg, context, query, key) for seg in document.timelines]
    return tk.render(
        "ssen_roadmap/index.html",
        {
            "document": document,
            "timelines": timelines,
            "query_string": tk.request.query_string.decode("ascii", "replace"),
            "can_request": tk.current_user.is_authenticated,
        },
    )


@roadmap.route("/roadmap/timeline/<int:index>")
def fragment(index: int) -> str:
    """One timeline alone, for the page's script to swap in after a filter change."""
    document = load_document()
    segments = document.timelines
    if index >= len(segments):
        return tk.abort(404, tk._("No such timeline"))
    query = parse_filters(tk.request.args, strict=False)
    return render_timeline(segments[index], _context(), query)


def _url_for_item(item: Any) -> str:
    return dataset_url(item, external=True)


@roadmap.route("/roadmap.csv")
def csv_export() -> Response:
    body = exports.to_csv(_filtered_items(_context()), _url_for_item, choices.all_labels())
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="roadmap.csv"'},
    )


@roadmap.route("/roadmap.ics")
def ical_export() -> Response:
    body = exports.to_ical(
        _filtered_items(_context()),
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
    body = exports.to_atom(
        _filtered_items(_context()),
        _url_for_item,
        feed_url=tk.url_for("ssen_roadmap.atom_feed", _external=True),
        page_url=tk.url_for("ssen_roadmap.index", _external=True),
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


def _error_summary(errors: dict[str, Any]) -> dict[str, str]:
    """``{field label: message}`` for the form's error box: messages joined
    into text (never a Python list), errors of no field under no label."""
    labels = {
        "title": tk._("Dataset you need"),
        "description": tk._("Why you need it and how you would use it"),
        "target_audience": tk._("Who would use it"),
        "use_cases": tk._("Use cases"),
    }
    summary: dict[str, str] = {}
    for key, messages in errors.items():
        if isinstance(messages, (list, tuple)):
            text = " ".join(str(message) for message in messages)
        else:
            text = str(messages)
        label = labels.get(key, "")
        summary[label] = f"{summary[label]} {text}" if label in summary else text
    return summary


@roadmap.route("/roadmap/request", methods=["GET", "POST"])
def request_dataset() -> Any:
    if not tk.current_user.is_authenticated:
        tk.h.flash_error(tk._("Please log in to request a dataset."))
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
            "errors": errors,
            "error_summary": _error_summary(errors),
            "audience_options": choices.labels("target_audience"),
        },
    )
