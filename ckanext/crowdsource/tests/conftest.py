"""Fixtures shared by the capability tests."""
import pytest
from ckan.tests import factories, helpers

from ckanext.crowdsource.tests.database import saved_state
from ckanext.crowdsource.tests.helpers import as_user

STAFF = (("editor", "editor"), ("admin", "admin"), ("member", "member"))


def library_people(org: dict, other_org: dict) -> dict:
    """Staff of every role in ``org``, an editor of ``other_org``, readers, a sysadmin."""
    users = {name: factories.User() for name in (
        "editor", "admin", "member", "reader", "reader2", "reader3", "other_editor")}
    for name, role in STAFF:
        helpers.call_action("organization_member_create", id=org["id"],
                            username=users[name]["name"], role=role)
    helpers.call_action("organization_member_create", id=other_org["id"],
                        username=users["other_editor"]["name"], role="editor")
    users["sysadmin"] = factories.Sysadmin()
    return users


def build_world() -> dict:
    org = factories.Organization()
    users = library_people(org, factories.Organization())
    ds = factories.Dataset(owner_org=org["id"])
    as_user(users["reader"], "crowdsource_tag_add", package_id=ds["id"], tag=["spam", "maps"])
    as_user(users["reader2"], "crowdsource_tag_add", package_id=ds["id"], tag="spam")
    return {"ds": ds, "org": org, **users}


@pytest.fixture
def world(clean_db, request):
    """An organization with staff of every role, readers, and two reader tags
    ("spam" from two readers, "maps" from one) on one of its datasets.

    Built by the first test that asks for it, put back for the next ones
    (``tests/database.py``): the same rows and ids for every test."""
    return saved_state(request, build_world)


@pytest.fixture
def lib(clean_db, request):
    """A library: people (as in ``world``), a public dataset with a resource,
    a second one, one of another organization, a private one, a community.

    Built by the first test that asks for it, put back for the next ones
    (``tests/database.py``): the same rows and ids for every test."""
    return saved_state(request, build_lib)


def build_lib() -> dict:
    org, other_org = factories.Organization(), factories.Organization()
    users = library_people(org, other_org)
    ds = factories.Dataset(owner_org=org["id"], title="City Maps", notes="Old maps.",
                           tags=[{"name": "maps"}],
                           resources=[{"url": "http://example.org/m.csv", "name": "maps.csv",
                                       "description": "A list"}])
    return {"ds": ds, "res": ds["resources"][0], "org": org, "other_org": other_org,
            "ds2": factories.Dataset(owner_org=org["id"], title="Loans"),
            "other": factories.Dataset(owner_org=other_org["id"], title="Theses"),
            "private": factories.Dataset(owner_org=org["id"], private=True,
                                         title="Staff Rota"),
            "community": factories.Group(name="local-history"), **users}
