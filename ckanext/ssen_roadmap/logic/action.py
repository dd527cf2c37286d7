"""Actions of the ``ssen_roadmap`` plugin.

Besides its own actions, the plugin chains ``package_create`` and
``package_update`` (which ``resource_create``, ``package_patch`` and
``package_revise`` all go through) to publish a planned dataset the moment it
gets its first resource, whoever adds it.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.ssen_roadmap import items as roadmap_items
from ckanext.ssen_roadmap.logic.auth import requesting_user
from ckanext.ssen_roadmap.names import url_words
from ckanext.ssen_roadmap.publication import mark_first_publication
from ckanext.ssen_roadmap.query import item_dict, one_of, parse_filters
from ckanext.ssen_roadmap.timeline import build_timeline

__all__ = [
    "package_create",
    "package_update",
    "ssen_roadmap_list",
    "ssen_roadmap_request_create",
]

REQUEST_CATEGORY = "stakeholder_request"
REQUEST_TASK_TYPE = "ssen_roadmap_request"
TITLE_MAX = 100
DESCRIPTION_MAX = 4000
LIST_PARAMS = ("limit", "offset")
REQUEST_PARAMS = ("title", "description", "target_audience", "use_cases")


def _count_param(data_dict: DataDict, key: str, errors: dict[str, list[str]]) -> int | None:
    """``data_dict[key]`` as a whole number of 0 or more (None when absent);
    a bad value is reported in ``errors`` under ``key``."""
    value = data_dict.get(key)
    if value is None or value == "":
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()):
        errors[key] = [f'Must be a whole number, 0 or more; got "{value}"']
        return None
    return int(text)


def _refuse_unknown_params(data_dict: DataDict, allowed: tuple[str, ...]) -> None:
    """A ``ValidationError`` naming each parameter not in ``allowed``: a
    misspelt one would otherwise be ignored without a word."""
    unknown = [key for key in data_dict if key not in allowed]
    if unknown:
        raise tk.ValidationError(
            {key: [f'Unknown parameter "{key}": use {one_of(allowed)}'] for key in unknown}
        )


@tk.side_effect_free
def ssen_roadmap_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """List the roadmap items the caller may see, in timeline order.

    Private datasets are listed only for members of their organisation (and
    sysadmins), exactly as ``package_search`` with ``include_private`` would.

    :param status: keep only these statuses (``planned``, ``in_development``,
        ``published``, ``retired``); a list or a comma-separated string
    :type status: list of strings or string
    :param audience: keep items for any of these target audiences (codes such
        as ``consultancies`` or their labels)
    :type audience: list of strings or string
    :param category: keep only these roadmap input categories
        (``retrospective``, ``prospective``, ``stakeholder_request``,
        ``legal_requirement``, ``future_looking``)
    :type category: list of strings or string
    :param limit: the most items to return (default: all)
    :type limit: int
    :param offset: items to skip first (default 0)
    :type offset: int

    A parameter not listed here, or a filter value that is not a known code
    or label, is a ``ValidationError`` naming the parameter and what it
    accepts (``Unknown status "someday": use one of: planned, ...``).

    :returns: ``count`` (items matching the filters), ``status_counts`` and
        ``items``: each with ``name``, ``title``, ``url``, ``status``,
        ``planned_release`` (as stored: ``YYYY-MM-DD`` or a calendar quarter
        ``YYYY-Qn``), ``actual_release``, where the item sits on the timeline
        as ``calendar_quarter`` (``2027-Q1``), ``financial_year``
        (``FY2026/27``), ``financial_quarter`` (``Q4 FY2026/27``) and
        ``quarter_label`` (``Jan–Mar 2027 (Q4 FY2026/27)``, as the page's
        headings), ``category``, ``target_audience``,
        ``use_cases``, ``note``, ``organization``, ``private``,
        ``num_resources`` and ``metadata_modified``
    :rtype: dictionary
    """
    tk.check_access("ssen_roadmap_list", context, data_dict)
    filters = parse_filters(data_dict, strict=True, other_params=LIST_PARAMS)
    errors: dict[str, list[str]] = {}
    limit = _count_param(data_dict, "limit", errors)
    offset = _count_param(data_dict, "offset", errors) or 0
    if errors:
        raise tk.ValidationError(errors)
    timeline = build_timeline(roadmap_items.visible_items(context), filters)
    ordered = [item for group in timeline.quarters for item in group.items]
    page = ordered[offset : None if limit is None else offset + limit]
    return {
        "count": timeline.total,
        "status_counts": timeline.status_counts,
        "items": [item_dict(item) for item in page],
    }


def _slug(title: str) -> str:
    """The URL name of a request: its title's words in ASCII (``Zoë`` ->
    ``zoe``), the title itself keeps its accents."""
    return f"request-{url_words(title) or 'dataset'}-{secrets.token_hex(3)}"


def ssen_roadmap_request_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask for a dataset: creates a private roadmap item for sysadmins to review.

    The item is a private ``dataset`` in the organisation named by
    ``ckanext.ssen_roadmap.request_organization``, with status ``planned`` and
    category ``stakeholder_request``; its note records who asked and when.
    Only logged-in users may call it, at most
    ``ckanext.ssen_roadmap.request_daily_limit`` times in 24 hours each (a
    ``daily_limit`` validation error beyond that). Each request is recorded in
    CKAN's ``task_status`` table (task type ``ssen_roadmap_request``, key
    ``requested_by``, value the user's id): only those records count towards
    the limit, not other datasets the user created.

    :param title: what data is wanted (at most 100 characters)
    :type title: string
    :param description: why it is needed and how it would be used
    :type description: string
    :param target_audience: who would use it (audience codes, optional)
    :type target_audience: list of strings
    :param use_cases: use cases, one a line (optional)
    :type use_cases: string

    Any other parameter is a ``ValidationError`` naming it. The title,
    description and requester's name are kept as written (accents and all);
    only the dataset's URL name is reduced to ASCII.

    :returns: the new dataset's ``id`` and ``name``
    :rtype: dictionary
    """
    tk.check_access("ssen_roadmap_request_create", context, data_dict)
    user = requesting_user(context)
    if user is None:  # reached with ignore_auth by an anonymous caller
        raise tk.NotAuthorized(tk._("You must be logged in to request a dataset"))
    _refuse_unknown_params(data_dict, REQUEST_PARAMS)
    title = str(data_dict.get("title") or "").strip()
    description = str(data_dict.get("description") or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [tk._("Missing value")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_too_long(len(title), TITLE_MAX)]
    if not description:
        errors["description"] = [tk._("Missing value")]
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = [_too_long(len(description), DESCRIPTION_MAX)]
    if errors:
        raise tk.ValidationError(errors)

    org_name = tk.config.get("ckanext.ssen_roadmap.request_organization")
    org = model.Group.get(org_name) if org_name else None
    if org is None or not org.is_organization or org.state != "active":
        raise tk.ValidationError(
            {"organization": [f'Requests are not accepted: no organisation "{org_name}"']}
        )
    limit = tk.asint(tk.config.get("ckanext.ssen_roadmap.request_daily_limit"))
    recent = _requests_since(user.id, _utcnow() - dt.timedelta(days=1))
    if limit and recent >= limit:
        raise tk.ValidationError(
            {
                "daily_limit": [
                    tk.ungettext(
                        "You have made {n} dataset request in the last 24 hours "
                        "(limit {limit}); please try again later.",
                        "You have made {n} dataset requests in the last 24 hours "
                        "(limit {limit}); please try again later.",
                        recent,
                    ).format(n=recent, limit=limit)
                ]
            }
        )

    audience = data_dict.get("target_audience") or []
    if isinstance(audience, str):
        audience = [part for part in re.split(r"[,\s]+", audience) if part]
    today = dt.date.today().isoformat()
    who = user.fullname or user.name
    create_context = Context(
        user=user.name, auth_user_obj=user, ignore_auth=True, model=model, session=model.Session
    )
    created = tk.get_action("package_create")(
        create_context,
        {
            "type": "dataset",
            "name": _slug(title),
            "title": title,
            "notes": description,
            "owner_org": org.id,
            "private": True,
            "roadmap_status": "planned",
            "roadmap_category": REQUEST_CATEGORY,
            "target_audience": list(audience),
            "use_cases": str(data_dict.get("use_cases") or "").strip(),
            "roadmap_note": f"Requested by {who} ({user.name}) on {today} "
            "through the roadmap request form; awaiting review.",
        },
    )
    _record_request(created["id"], user.id)
    return {"id": created["id"], "name": created["name"]}


def _too_long(length: int, limit: int) -> str:
    return tk._("Too long: {length} characters, at most {limit}").format(
        length=f"{length:,}", limit=f"{limit:,}"
    )


def _utcnow() -> dt.datetime:
    """Naive UTC, as CKAN stores its timestamps."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _record_request(package_id: str, user_id: str) -> None:
    """Mark the dataset as a request by ``user_id`` (a ``task_status`` row).

    The mark lives outside the dataset, so editing, recategorising, renaming or
    deleting the item does not change how many requests its author made.
    """
    tk.get_action("task_status_update")(
        Context(ignore_auth=True, model=model, session=model.Session),
        {
            "entity_id": package_id,
            "entity_type": "package",
            "task_type": REQUEST_TASK_TYPE,
            "key": "requested_by",
            "value": user_id,
            "state": "requested",
            "last_updated": _utcnow(),
        },
    )


def _requests_since(user_id: str, since: dt.datetime) -> int:
    """How many datasets ``user_id`` requested through
    :func:`ssen_roadmap_request_create` since ``since`` (naive UTC); datasets
    they created any other way do not count."""
    return (
        model.Session.query(model.TaskStatus)
        .filter(model.TaskStatus.task_type == REQUEST_TASK_TYPE)
        .filter(model.TaskStatus.key == "requested_by")
        .filter(model.TaskStatus.value == user_id)
        .filter(model.TaskStatus.last_updated >= since)
        .count()
    )


def _on_roadmap(dataset_type: str, data_dict: DataDict) -> bool:
    try:
        from ckanext.scheming.helpers import scheming_get_dataset_schema
    except ImportError:  # pragma: no cover
        return "roadmap_status" in data_dict
    schema = scheming_get_dataset_schema(dataset_type) or {}
    fields = {field.get("field_name") for field in schema.get("dataset_fields", [])}
    return "roadmap_status" in fields or "roadmap_status" in data_dict


def _publish_if_first_resource(data_dict: DataDict, existing: model.Package | None) -> None:
    dataset_type = data_dict.get("type") or (existing.type if existing else None) or "dataset"
    had = bool(existing) and any(res.state == "active" for res in existing.resources)
    mark_first_publication(
        data_dict,
        had_resources=had,
        today=dt.date.today(),
        on_roadmap=_on_roadmap(dataset_type, data_dict),
    )


@tk.chained_action
def package_create(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Created with resources while planned: published on the spot."""
    if isinstance(data_dict, dict):
        _publish_if_first_resource(data_dict, None)
    return up_func(context, data_dict)


@tk.chained_action
def package_update(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Updated with its first resource while planned or in development: published."""
    if isinstance(data_dict, dict):
        key = data_dict.get("id") or data_dict.get("name")
        existing = model.Package.get(key) if key else None
        _publish_if_first_resource(data_dict, existing)
    return up_func(context, data_dict)
