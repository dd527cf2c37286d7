"""The "request a dataset" form and action."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from bs4 import BeautifulSoup
from ckan.model.user import AnonymousUser
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("roadmap_ready")

FORM = {
    "title": "Substation headroom by month",
    "description": "We plan heat-pump rollouts and need monthly headroom.",
    "target_audience": ["local_government", "consultancies"],
    "use_cases": "Heat pump planning\nEV charging",
}


@pytest.fixture
def requester():
    user = factories.User(name="requester", fullname="Rita Requester")
    user["token"] = factories.APIToken(user=user["name"])["token"]
    return user


def test_anonymous_users_are_sent_to_log_in(app, org) -> None:
    response = app.get("/roadmap/request", follow_redirects=False)
    assert response.status_code == 302
    assert "/user/login" in response.headers["Location"]
    assert "came_from=/roadmap/request" in response.headers["Location"]
    posted = app.post("/roadmap/request", data=FORM, follow_redirects=False)
    assert posted.status_code == 302 and "/user/login" in posted.headers["Location"]
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action(
            "ssen_roadmap_request_create", {"user": "", "ignore_auth": False}, **FORM
        )
    assert helpers.call_action("package_search", include_private=True)["count"] == 0


def test_anonymous_api_calls_are_refused_with_403(app, org) -> None:
    """Through the API the context carries Flask-Login's AnonymousUser, which
    is truthy: it must still count as not logged in (403, not a 500)."""
    response = app.post(
        "/api/3/action/ssen_roadmap_request_create",
        json={"title": "t", "description": "d"},
    )
    assert response.status_code == 403
    assert response.json["success"] is False
    assert response.json["error"]["__type"] == "Authorization Error"
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action(
            "ssen_roadmap_request_create",
            {"user": "", "auth_user_obj": AnonymousUser(), "ignore_auth": False},
            **FORM,
        )
    # Even a caller skipping the auth check cannot file an anonymous request.
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action(
            "ssen_roadmap_request_create",
            {"user": "", "auth_user_obj": AnonymousUser(), "ignore_auth": True},
            **FORM,
        )
    assert helpers.call_action("package_search", include_private=True)["count"] == 0


def test_logged_in_user_creates_a_private_stakeholder_request(app, org, requester) -> None:
    auth = {"Authorization": requester["token"]}
    form_page = BeautifulSoup(app.get("/roadmap/request", headers=auth).body, "html.parser")
    form = form_page.select_one("form#roadmap-request")
    assert form["method"] == "post"
    assert len(form.select("input[name=target_audience]")) == 21

    response = app.post("/roadmap/request", data=FORM, headers=auth, follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/roadmap")

    found = helpers.call_action("package_search", include_private=True)["results"]
    assert len(found) == 1
    item = found[0]
    assert item["private"] is True
    assert item["owner_org"] == org["id"]
    assert item["title"] == FORM["title"]
    assert item["roadmap_status"] == "planned"
    assert item["roadmap_category"] == "stakeholder_request"
    assert sorted(item["target_audience"]) == ["consultancies", "local_government"]
    assert "Rita Requester (requester)" in item["roadmap_note"]
    assert item["name"].startswith("request-substation-headroom-by-month-")
    # Not visible to the public or to the requester, visible to the org's admin.
    assert FORM["title"] not in app.get("/roadmap").body
    assert FORM["title"] not in app.get("/roadmap", headers=auth).body
    admin_token = factories.APIToken(user="org-admin")["token"]
    admin_view = app.get("/roadmap?category=stakeholder_request",
                         headers={"Authorization": admin_token}).body  # fmt: skip
    assert FORM["title"] in admin_view


def test_invalid_requests_show_errors_and_create_nothing(app, org, requester) -> None:
    auth = {"Authorization": requester["token"]}
    response = app.post("/roadmap/request", data={"title": "", "description": ""}, headers=auth)
    assert response.status_code == 200
    assert "Missing value" in response.body
    assert helpers.call_action("package_search", include_private=True)["count"] == 0


def test_daily_limit_and_missing_organisation(app, org, requester, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.ssen_roadmap.request_daily_limit", 1)
    context = {"user": requester["name"], "ignore_auth": False}
    helpers.call_action("ssen_roadmap_request_create", dict(context), **FORM)
    with pytest.raises(tk.ValidationError, match="limit 1"):
        helpers.call_action("ssen_roadmap_request_create", dict(context), **FORM)
    monkeypatch.setitem(ckan_config, "ckanext.ssen_roadmap.request_organization", "nowhere")
    monkeypatch.setitem(ckan_config, "ckanext.ssen_roadmap.request_daily_limit", 0)
    with pytest.raises(tk.ValidationError, match="nowhere"):
        helpers.call_action("ssen_roadmap_request_create", dict(context), **FORM)


def test_the_daily_limit_counts_requests_only(
    app, org, org_admin, requester, ckan_config, monkeypatch
) -> None:
    """Datasets the user created in the request organisation otherwise (as
    the demo's admin did) do not count; a request still counts after an
    editor recategorised, renamed or deleted it."""
    monkeypatch.setitem(ckan_config, "ckanext.ssen_roadmap.request_daily_limit", 2)
    helpers.call_action(
        "organization_member_create", id=org["id"], username=requester["name"], role="editor"
    )
    for number in range(3):
        factories.Dataset(user=requester, owner_org=org["id"], name=f"own-{number}")
    context = {"user": requester["name"], "ignore_auth": False}
    first = helpers.call_action("ssen_roadmap_request_create", dict(context), **FORM)
    reviewer = {"user": org_admin["name"]}
    helpers.call_action(
        "package_patch", reviewer, id=first["id"], name="renamed", roadmap_category="prospective"
    )
    second = helpers.call_action("ssen_roadmap_request_create", dict(context), **FORM)
    helpers.call_action("package_delete", reviewer, id=second["id"])
    with pytest.raises(tk.ValidationError) as refused:
        helpers.call_action("ssen_roadmap_request_create", dict(context), **FORM)
    assert refused.value.error_dict == {
        "daily_limit": [
            "You have made 2 dataset requests in the last 24 hours (limit 2); "
            "please try again later."
        ]
    }
    # Another user's requests are theirs alone.
    other = factories.User()
    helpers.call_action("ssen_roadmap_request_create", {"user": other["name"]}, **FORM)


def _error_box(html: str) -> list[str]:
    box = BeautifulSoup(html, "html.parser").select_one("#roadmap-request .error-explanation")
    return [" ".join(p.get_text().split()) for p in box.select("p")] if box else []


def _field_errors(html: str) -> dict[str, str]:
    """{id of the field's control or fieldset: the error shown beside it}."""
    form = BeautifulSoup(html, "html.parser").select_one("#roadmap-request")
    found = {}
    for block in form.select(".error-block"):
        group = block.find_parent(class_="form-group") or block.find_parent("fieldset")
        control = group if group.name == "fieldset" else group.select_one("input, textarea")
        found[control["id"]] = block.get_text(" ", strip=True)
    return found


def test_the_form_shows_the_limit_as_a_sentence(
    app, org, requester, ckan_config, monkeypatch
) -> None:
    monkeypatch.setitem(ckan_config, "ckanext.ssen_roadmap.request_daily_limit", 1)
    auth = {"Authorization": requester["token"]}
    assert app.post("/roadmap/request", data=FORM, headers=auth,
                    follow_redirects=False).status_code == 302  # fmt: skip
    response = app.post("/roadmap/request", data=FORM, headers=auth)
    assert response.status_code == 200
    assert _error_box(response.body) == [
        "You have made 1 dataset request in the last 24 hours (limit 1); please try again later."
    ]
    assert _field_errors(response.body) == {}
    missing = app.post("/roadmap/request", data={"title": "", "description": ""}, headers=auth)
    assert _field_errors(missing.body) == {
        "field-title": "Missing value",
        "field-description": "Missing value",
    }
    assert _error_box(missing.body) == [
        "Please correct these fields: Dataset you need, Why you need it and how you would use it"
    ]


def test_too_long_entries_are_reported_beside_their_field(app, org, requester) -> None:
    """The message sits with the field it is about (and says by how much);
    the box above the form only links to the field."""
    auth = {"Authorization": requester["token"]}
    response = app.post(
        "/roadmap/request",
        data={**FORM, "title": "x" * 101, "description": "d" * 4001},
        headers=auth,
    )
    assert response.status_code == 200
    assert _field_errors(response.body) == {
        "field-title": "Too long: 101 characters, at most 100",
        "field-description": "Too long: 4,001 characters, at most 4,000",
    }
    soup = BeautifulSoup(response.body, "html.parser")
    box = soup.select_one("#roadmap-request .error-explanation")
    assert "Too long" not in box.get_text()
    assert [a["href"] for a in box.select("a")] == ["#field-title", "#field-description"]
    assert soup.select_one("#field-title")["aria-invalid"] == "true"
    # What was typed is kept for correcting.
    assert soup.select_one("#field-title")["value"] == "x" * 101
    assert helpers.call_action("package_search", include_private=True)["count"] == 0


def test_unknown_audiences_are_reported_beside_the_choices(app, org, requester) -> None:
    auth = {"Authorization": requester["token"]}
    response = app.post(
        "/roadmap/request", data={**FORM, "target_audience": ["martians"]}, headers=auth
    )
    errors = _field_errors(response.body)
    assert list(errors) == ["field-audience"]
    assert errors["field-audience"].startswith('Unknown value "martians": use one of: ')


def test_names_keep_their_accents(app, org) -> None:
    """The requester's name and the title are stored and shown as written;
    only the dataset's URL name is ASCII, spelled from the title's letters."""
    user = factories.User(name="zoe", fullname="Zoë Müller")
    auth = {"Authorization": factories.APIToken(user="zoe")["token"]}
    title = "Zoë Müller’s Straßenlaternen in Łódź"
    response = app.post(
        "/roadmap/request", data={**FORM, "title": title}, headers=auth, follow_redirects=False
    )
    assert response.status_code == 302
    (item,) = helpers.call_action("package_search", include_private=True)["results"]
    assert item["title"] == title
    assert item["roadmap_note"].startswith("Requested by Zoë Müller (zoe) on ")
    assert item["name"].startswith("request-zoe-mullers-strassenlaternen-in-lodz-")
    # Shown with its accents to the reviewers, on the roadmap and its exports.
    admin = {"Authorization": factories.APIToken(user="org-admin")["token"]}
    page = BeautifulSoup(app.get("/roadmap", headers=admin).body, "html.parser")
    assert [a.get_text(strip=True) for a in page.select(".ssen-timeline__link")] == [title]
    assert page.select_one(".ssen-timeline__note").get_text().startswith("Requested by Zoë Müller")
    assert title in app.get("/roadmap.csv", headers=admin).body
    assert user["fullname"] == "Zoë Müller"


def test_the_action_refuses_unknown_parameters(org, requester) -> None:
    """A misspelt field (``audience`` for ``target_audience``) would
    otherwise be dropped without a word."""
    context = {"user": requester["name"], "ignore_auth": False}
    with pytest.raises(tk.ValidationError) as info:
        helpers.call_action(
            "ssen_roadmap_request_create", context, **FORM, audience=["consultancies"]
        )
    assert info.value.error_dict == {
        "audience": [
            'Unknown parameter "audience": use one of: title, description, target_audience, '
            "use_cases"
        ]
    }
    assert helpers.call_action("package_search", include_private=True)["count"] == 0


def test_the_form_carries_a_csrf_token(app, org, requester, ckan_config, monkeypatch) -> None:
    monkeypatch.setitem(ckan_config, "WTF_CSRF_ENABLED", True)
    auth = {"Authorization": requester["token"]}
    page = BeautifulSoup(app.get("/roadmap/request", headers=auth).body, "html.parser")
    assert page.select_one("form#roadmap-request input[name=_csrf_token]") is not None


def _csrf_token(html: str) -> str:
    field = BeautifulSoup(html, "html.parser").select_one("input[name=_csrf_token]")
    assert field is not None
    return str(field["value"])


def test_a_post_without_the_csrf_token_is_refused(org, ckan_config, monkeypatch, make_app):
    """Also after API-token requests reached the view (which makes CKAN exempt
    it from Flask-WTF's check for the rest of the process)."""
    monkeypatch.setitem(ckan_config, "WTF_CSRF_ENABLED", True)
    app = make_app()
    token_user = factories.User()
    api_token = factories.APIToken(user=token_user["name"])["token"]
    app.post("/roadmap/request", data=FORM, headers={"Authorization": api_token})
    factories.User(name="cookie-user", password="correct horse battery")
    login_page = app.get("/user/login")
    response = app.post(
        "/user/login",
        data={"login": "cookie-user", "password": "correct horse battery",
              "_csrf_token": _csrf_token(login_page.body)},
    )  # fmt: skip
    assert response.status_code == 200
    refused = app.post("/roadmap/request", data=FORM, follow_redirects=False)
    assert refused.status_code == 400
    assert helpers.call_action("package_search", include_private=True)["count"] == 1
    token = _csrf_token(app.get("/roadmap/request").body)
    accepted = app.post(
        "/roadmap/request", data={**FORM, "_csrf_token": token}, follow_redirects=False
    )
    assert accepted.status_code == 302
    assert helpers.call_action("package_search", include_private=True)["count"] == 2
