"""Private datasets and drafts: each user sees what they may see."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories, helpers


def _names(user: dict[str, Any] | None, **kwargs: Any) -> list[str]:
    context = {"user": user["name"], "ignore_auth": False} if user else {"ignore_auth": False}
    result = helpers.call_action("package_search", context=context, sort="name asc", **kwargs)
    return [r["name"] for r in result["results"]]


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestPrivateDatasets:
    @pytest.fixture
    def world(self) -> dict[str, Any]:
        member = factories.User()
        outsider = factories.User()
        admin = factories.User()
        org_a = factories.Organization(
            users=[
                {"name": member["name"], "capacity": "member"},
                {"name": admin["name"], "capacity": "admin"},
            ]
        )
        org_b = factories.Organization()
        factories.Dataset(name="a-public", owner_org=org_a["id"])
        factories.Dataset(name="a-private", owner_org=org_a["id"], private=True)
        factories.Dataset(name="b-private", owner_org=org_b["id"], private=True)
        return {
            "member": member,
            "outsider": outsider,
            "admin": admin,
            "sysadmin": factories.Sysadmin(),
        }

    def test_anonymous_sees_public_only(self, world: dict[str, Any]) -> None:
        assert _names(None, include_private=True) == ["a-public"]

    def test_member_sees_own_organisation_private_datasets(self, world: dict[str, Any]) -> None:
        assert _names(world["member"], include_private=True) == ["a-private", "a-public"]
        assert _names(world["member"]) == ["a-public"]

    def test_outsider_sees_public_only(self, world: dict[str, Any]) -> None:
        assert _names(world["outsider"], include_private=True) == ["a-public"]

    def test_sysadmin_sees_everything(self, world: dict[str, Any]) -> None:
        assert _names(world["sysadmin"], include_private=True) == [
            "a-private",
            "a-public",
            "b-private",
        ]

    def test_private_counts_follow_the_user(self, world: dict[str, Any]) -> None:
        context = {"user": world["member"]["name"], "ignore_auth": False}
        result = helpers.call_action(
            "package_search",
            context=context,
            include_private=True,
            **{"facet.field": '["capacity"]'},
        )
        assert result["count"] == 2
        assert result["facets"]["capacity"] == {"public": 1, "private": 1}


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_drafts_only_for_their_creator() -> None:
    creator = factories.User()
    other = factories.User()
    factories.Dataset(name="draft-one", state="draft", user=creator)
    factories.Dataset(name="active-one", user=creator)
    assert _names(creator, include_drafts=True) == ["active-one", "draft-one"]
    assert _names(creator) == ["active-one"]
    assert _names(other, include_drafts=True) == ["active-one"]
