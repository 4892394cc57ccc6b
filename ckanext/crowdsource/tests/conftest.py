"""Fixtures shared by the capability tests."""
import pytest
from ckan.tests import factories, helpers

from ckanext.crowdsource.tests.helpers import as_user


@pytest.fixture
def world(clean_db):
    """An organization with staff of every role, readers, and two reader tags
    ("spam" from two readers, "maps" from one) on one of its datasets."""
    org = factories.Organization()
    other_org = factories.Organization()
    users = {name: factories.User() for name in ("editor", "admin", "member", "reader",
                                                  "reader2", "other_editor")}
    for name, role in (("editor", "editor"), ("admin", "admin"), ("member", "member")):
        helpers.call_action("organization_member_create", id=org["id"],
                            username=users[name]["name"], role=role)
    helpers.call_action("organization_member_create", id=other_org["id"],
                        username=users["other_editor"]["name"], role="editor")
    users["sysadmin"] = factories.Sysadmin()
    ds = factories.Dataset(owner_org=org["id"])
    as_user(users["reader"], "crowdsource_tag_add", id=ds["id"], tag=["spam", "maps"])
    as_user(users["reader2"], "crowdsource_tag_add", id=ds["id"], tag="spam")
    return {"ds": ds, "org": org, **users}


