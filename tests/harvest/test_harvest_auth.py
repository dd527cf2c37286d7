"""Harvest objects and source configs: only for the source's editors and sysadmins."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from ckanext.ssen_smartmeter.harvest.source_privacy import hide_config
from ckanext.ssen_smartmeter.harvest.sync_run import run_job

from .conftest import DAYS, source_config

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def token_of(user: dict[str, Any]) -> dict[str, str]:
    token = tk.get_action("api_token_create")(
        {"user": user["name"], "ignore_auth": True}, {"user": user["name"], "name": "t"}
    )["token"]
    return {"Authorization": token}


def config_of(source: dict[str, Any]) -> dict[str, Any]:
    """A shown source's config: ``config``, or (a cached copy) its ``extras`` item."""
    text = source.get("config") or next(
        (e["value"] for e in source.get("extras") or [] if e["key"] == "config"), None
    )
    assert text, sorted(source)
    return json.loads(text)


def api(app: Any, action: str, headers: dict[str, str] | None = None, **params: str) -> Any:
    return app.get(f"/api/action/{action}", query_string=params, headers=headers or {})


def assert_hidden(source: dict[str, Any], folder: Path) -> None:
    """No part of the source's config (nor its reads folder as URL) is shown."""
    assert source["config"] is None
    assert str(folder) not in json.dumps(source)
    assert not {"reads", "topology", "reads_pattern", "first_date"} & set(source)


@pytest.fixture
def harvested(
    generated: Path, make_source: Callable[..., dict[str, Any]]
) -> tuple[dict[str, Any], str, Path]:
    config = source_config(generated, last_date=DAYS[0].isoformat())
    source = make_source(config)
    report = run_job(source["name"])
    assert report["statuses"] == {"published": 1}
    return source, report["days"][0]["object_id"], generated


def test_anonymous_users_see_no_object_and_no_config(app: Any, harvested: tuple) -> None:
    source, object_id, folder = harvested
    lv = tk.get_action("package_show")(
        {"ignore_auth": True}, {"id": "smart-meter-lv-feeder-2024-02"}
    )

    assert api(app, "harvest_object_show", id=object_id).status_code == 403
    assert api(app, "harvest_object_show", dataset_id=lv["id"]).status_code == 403
    assert api(app, "harvest_object_list", source_id=source["id"]).status_code == 403
    assert app.get(f"/harvest/object/{object_id}").status_code == 403

    for action in ("harvest_source_show", "package_show"):
        shown = api(app, action, id=source["name"])
        assert shown.status_code == 200
        assert_hidden(shown.json["result"], folder)
        assert shown.json["result"]["title"] == "Smart meters"
    listed = api(app, "harvest_source_list").json["result"]
    assert [s["id"] for s in listed] == [source["id"]]
    assert_hidden(listed[0], folder)
    found = api(app, "package_search", fq="dataset_type:harvest").json["result"]["results"]
    assert [s["name"] for s in found] == [source["name"]]
    assert_hidden(found[0], folder)

    # ckanext-harvest's pages still work, and name no folder of this machine
    for url in ("/harvest", f"/harvest/{source['name']}", f"/harvest/about/{source['name']}"):
        page = app.get(url)
        assert page.status_code == 200, url
        assert str(folder) not in page.body, url


def test_sysadmins_and_the_sources_editors_see_objects_and_config(
    app: Any, harvested: tuple, org: dict[str, Any]
) -> None:
    source, object_id, folder = harvested
    editor = factories.User()
    tk.get_action("organization_member_create")(
        {"ignore_auth": True}, {"id": org["id"], "username": editor["name"], "role": "editor"}
    )
    sysadmin = factories.Sysadmin()
    for user in (sysadmin, editor):
        headers = token_of(user)
        shown = api(app, "harvest_object_show", headers, id=object_id)
        assert shown.status_code == 200, user["name"]
        assert shown.json["result"]["extras"]["day"] == DAYS[0].isoformat()
        shown = api(app, "harvest_source_show", headers, id=source["name"]).json["result"]
        assert config_of(shown)["reads"] == str(folder / "reads")
        assert shown["url"] == str(folder / "reads")
        listed = api(app, "harvest_source_list", headers).json["result"]
        assert [json.loads(s["config"])["reads"] for s in listed] == [str(folder / "reads")]
        objects = api(app, "harvest_object_list", headers, source_id=source["id"])
        assert object_id in objects.json["result"]
        for url in (
            "/harvest",
            f"/harvest/{source['name']}",
            f"/harvest/object/{object_id}",
            f"/harvest/edit/{source['name']}",
        ):
            assert app.get(url, headers=headers).status_code == 200, (user["name"], url)
        edit = app.get(f"/harvest/edit/{source['name']}", headers=headers).body
        assert str(folder / "reads") in edit  # the form keeps the config


def test_a_signed_in_user_of_another_organisation_sees_no_object_or_config(
    app: Any, harvested: tuple
) -> None:
    source, object_id, folder = harvested
    outsider = factories.User()
    factories.Organization(users=[{"name": outsider["name"], "capacity": "admin"}])
    headers = token_of(outsider)
    assert api(app, "harvest_object_show", headers, id=object_id).status_code == 403
    assert api(app, "harvest_object_list", headers, source_id=source["id"]).status_code == 403
    assert api(app, "harvest_object_list", headers).status_code == 403
    shown = api(app, "harvest_source_show", headers, id=source["name"]).json["result"]
    assert_hidden(shown, folder)
    listed = api(app, "harvest_source_list", headers).json["result"]
    assert len(listed) == 1
    assert_hidden(listed[0], folder)


def test_a_private_source_is_listed_only_for_its_organisation(
    app: Any, generated: Path, sysadmin: dict[str, Any], org: dict[str, Any]
) -> None:
    config = source_config(generated)
    private = tk.get_action("harvest_source_create")(
        {"user": sysadmin["name"]},
        {
            "name": "private-meters",
            "title": "Private meters",
            "url": config["reads"],
            "source_type": "ssen_smartmeter",
            "owner_org": org["id"],
            "private": True,
            "config": json.dumps(config),
            "frequency": "MANUAL",
        },
    )
    member = factories.User()
    tk.get_action("organization_member_create")(
        {"ignore_auth": True}, {"id": org["id"], "username": member["name"], "role": "member"}
    )

    assert api(app, "harvest_source_list").json["result"] == []
    listed = api(app, "harvest_source_list", token_of(member)).json["result"]
    assert [s["id"] for s in listed] == [private["id"]]
    assert_hidden(listed[0], generated)  # a member is no editor
    listed = api(app, "harvest_source_list", token_of(sysadmin)).json["result"]
    assert [json.loads(s["config"])["reads"] for s in listed] == [config["reads"]]


def test_hide_config_removes_every_shape_of_it() -> None:
    config = json.dumps({"reads": "/srv/r", "topology": "/srv/t", "title": "not removed"})
    shown = {
        "id": "x",
        "type": "harvest",
        "title": "Smart meters",
        "url": "/srv/r",
        "config": config,
        "reads": "/srv/r",
        "topology": "/srv/t",
        "extras": [{"key": "config", "value": config}, {"key": "other", "value": "1"}],
    }
    hide_config(shown, "ssen_smartmeter")
    assert shown == {
        "id": "x",
        "type": "harvest",
        "title": "Smart meters",
        "url": None,
        "config": None,
        "extras": [{"key": "other", "value": "1"}],
    }
    other = {"id": "y", "type": "harvest", "url": "https://example.org/", "config": "{}"}
    hide_config(other, "ckan")
    assert other == {"id": "y", "type": "harvest", "url": "https://example.org/", "config": None}
