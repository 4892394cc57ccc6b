"""Staff promote a reader tag into the dataset's official tags."""
import pytest
from ckan import logic
from ckan.tests import helpers

from ckanext.crowdsource import events
from ckanext.crowdsource.tests.helpers import as_user

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.mark.parametrize("role", ["editor", "admin", "sysadmin"])
def test_staff_promote(world, role):
    ds = world["ds"]
    sent = []

    def receiver(sender, **kwargs):
        sent.append((sender, kwargs["package_id"]))

    events.tag_promoted.connect(receiver)
    try:
        result = as_user(world[role], "crowdsource_tag_promote", id=ds["name"], tag="Maps",
                         reason="a good word")
    finally:
        events.tag_promoted.disconnect(receiver)
    assert "maps" in {t["name"] for t in result["tags"]}
    shown = helpers.call_action("package_show", id=ds["id"])
    assert "maps" in {t["name"] for t in shown["tags"]}
    assert helpers.call_action("package_search", fq='tags:"maps"')["count"] == 1
    assert sent == [("maps", ds["id"])]
    # the readers' tag stays
    assert {t["tag"] for t in as_user(None, "crowdsource_tag_list", id=ds["id"])} == {
        "spam", "maps"}
    log = as_user(world["sysadmin"], "crowdsource_moderation_log_list")["results"]
    assert [(e["action"], e["item_id"], e["reason"]) for e in log] == [
        ("promote", f"{ds['id']}:maps", "a good word")]


def test_promote_keeps_existing_official_tags(world):
    ds = world["ds"]
    as_user(world["sysadmin"], "package_patch", id=ds["id"], tags=[{"name": "history"}])
    as_user(world["editor"], "crowdsource_tag_promote", id=ds["id"], tag="maps")
    shown = helpers.call_action("package_show", id=ds["id"])
    assert {t["name"] for t in shown["tags"]} == {"history", "maps"}
    with pytest.raises(logic.ValidationError) as e:
        as_user(world["editor"], "crowdsource_tag_promote", id=ds["id"], tag="maps")
    assert "already" in str(e.value.error_dict["tag"])


def test_promote_errors(world):
    ds = world["ds"]
    with pytest.raises(logic.NotFound):
        as_user(world["editor"], "crowdsource_tag_promote", id=ds["id"], tag="never-given")
    with pytest.raises(logic.NotFound):
        as_user(world["editor"], "crowdsource_tag_promote", id="no-such-dataset", tag="maps")
    with pytest.raises(logic.ValidationError) as e:
        as_user(world["editor"], "crowdsource_tag_promote", id=ds["id"], tag="<b>")
    assert "tag" in e.value.error_dict
    as_user(world["sysadmin"], "crowdsource_tag_block", tag="spam")
    with pytest.raises(logic.ValidationError) as e:
        as_user(world["editor"], "crowdsource_tag_promote", id=ds["id"], tag="spam")
    assert "blocked" in str(e.value.error_dict["tag"])
    # CKAN's own tag rules apply too: official tags are at least two characters
    as_user(world["reader"], "crowdsource_tag_add", id=ds["id"], tag="书")
    with pytest.raises(logic.ValidationError) as e:
        as_user(world["editor"], "crowdsource_tag_promote", id=ds["id"], tag="书")
    assert "minimum" in str(e.value.error_dict["tag"])
    assert helpers.call_action("package_show", id=ds["id"])["tags"] == []
    # and a refused promotion leaves nothing in the log
    log = as_user(world["sysadmin"], "crowdsource_moderation_log_list")["results"]
    assert [e["action"] for e in log] == ["block"]


@pytest.mark.parametrize("role", ["member", "reader", "other_editor", None])
def test_only_staff_promote(world, role):
    with pytest.raises(logic.NotAuthorized):
        as_user(world[role] if role else None, "crowdsource_tag_promote",
                id=world["ds"]["id"], tag="maps")
