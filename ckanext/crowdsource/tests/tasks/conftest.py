"""A library with staff, readers, datasets, and a community group."""
import pytest
from ckan.tests import factories, helpers

from ckanext.crowdsource.tests.helpers import as_user


@pytest.fixture
def lib(clean_db):
    org = factories.Organization()
    other_org = factories.Organization()
    users = {name: factories.User() for name in (
        "editor", "admin", "member", "reader", "reader2", "reader3", "other_editor")}
    for name, role in (("editor", "editor"), ("admin", "admin"), ("member", "member")):
        helpers.call_action("organization_member_create", id=org["id"],
                            username=users[name]["name"], role=role)
    helpers.call_action("organization_member_create", id=other_org["id"],
                        username=users["other_editor"]["name"], role="editor")
    users["sysadmin"] = factories.Sysadmin()
    ds = factories.Dataset(owner_org=org["id"], title="City Maps", notes="Old maps.",
                           tags=[{"name": "maps"}],
                           resources=[{"url": "http://example.org/m.csv", "name": "maps.csv",
                                       "description": "A list"}])
    ds2 = factories.Dataset(owner_org=org["id"], title="Loans")
    other = factories.Dataset(owner_org=other_org["id"], title="Theses")
    private = factories.Dataset(owner_org=org["id"], private=True, title="Staff Rota")
    community = factories.Group(name="local-history")
    return {"ds": ds, "ds2": ds2, "other": other, "private": private, "org": org,
            "other_org": other_org, "community": community, "res": ds["resources"][0],
            **users}


@pytest.fixture
def make_task(lib):
    def make(**kw):
        data = {"package_id": lib["ds"]["id"], "kind": "tag", "title": "Tag the maps",
                "instructions": "Give **three** tags", **kw}
        return as_user(lib["editor"], "crowdsource_task_create", **data)
    return make
