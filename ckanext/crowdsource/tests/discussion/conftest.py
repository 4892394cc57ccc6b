"""A library with staff, readers, a public and a private dataset with a resource."""
import pytest
from ckan.tests import factories, helpers


@pytest.fixture
def lib(clean_db):
    org = factories.Organization()
    other_org = factories.Organization()
    users = {name: factories.User() for name in ("editor", "admin", "member", "reader",
                                                  "reader2", "reader3", "other_editor")}
    for name, role in (("editor", "editor"), ("admin", "admin"), ("member", "member")):
        helpers.call_action("organization_member_create", id=org["id"],
                            username=users[name]["name"], role=role)
    helpers.call_action("organization_member_create", id=other_org["id"],
                        username=users["other_editor"]["name"], role="editor")
    users["sysadmin"] = factories.Sysadmin()
    ds = factories.Dataset(owner_org=org["id"], title="City Maps",
                           resources=[{"url": "http://example.org/m.csv", "name": "maps.csv"}])
    private = factories.Dataset(owner_org=org["id"], private=True, title="Staff Rota")
    return {"ds": ds, "private": private, "org": org, "res": ds["resources"][0], **users}
