"""Staff promote a reader tag into the dataset's official tags."""
import pytest
from ckan import logic
from ckan.tests import helpers

from ckanext.crowdsource import events
from ckanext.crowdsource.tests.helpers import as_user

pytestmark = pytest.mark.usefixtures("clean_db")


def official_tags(ds):
    return {t["name"] for t in helpers.call_action("package_show", id=ds["id"])["tags"]}


def log_actions(world):
    log = as_user(world["sysadmin"], "crowdsource_moderation_log_list")["results"]
    return [e["action"] for e in log]


@pytest.mark.parametrize("role", ["editor", "admin", "sysadmin"])
def test_staff_promote(world, role):
    ds = world["ds"]
    sent = []

    def receiver(sender, **kwargs):
        sent.append((sender, kwargs["package_id"]))

    events.tag_promoted.connect(receiver)
    try:
        result = as_user(world[role], "crowdsource_tag_promote", package_id=ds["name"],
                         tag="Maps", reason="a good word")
    finally:
        events.tag_promoted.disconnect(receiver)
    assert "maps" in {t["name"] for t in result["tags"]}
    assert official_tags(ds) == {"maps"}
    # indexed after the commit, not by package_patch halfway through
    assert helpers.call_action("package_search", fq='tags:"maps"')["count"] == 1
    assert sent == [("maps", ds["id"])]
    # the dataset's activity stream shows the change, by whom
    latest = helpers.call_action("package_activity_list", id=ds["id"])[0]
    assert (latest["activity_type"], latest["user_id"]) == ("changed package", world[role]["id"])
    # the readers' tag stays
    listed = as_user(None, "crowdsource_tag_list", package_id=ds["id"])["results"]
    assert {t["tag"] for t in listed} == {"spam", "maps"}
    log = as_user(world["sysadmin"], "crowdsource_moderation_log_list")["results"]
    assert [(e["action"], e["item_id"], e["reason"]) for e in log] == [
        ("promote", f"{ds['id']}:maps", "a good word")]


def test_promote_keeps_existing_official_tags(world):
    ds = world["ds"]
    as_user(world["sysadmin"], "package_patch", id=ds["id"], tags=[{"name": "history"}])
    as_user(world["editor"], "crowdsource_tag_promote", package_id=ds["id"], tag="maps")
    assert official_tags(ds) == {"history", "maps"}
    with pytest.raises(logic.ValidationError) as e:
        as_user(world["editor"], "crowdsource_tag_promote", package_id=ds["id"], tag="maps")
    assert "already" in str(e.value.error_dict["tag"])


def test_promote_errors(world):
    ds = world["ds"]
    with pytest.raises(logic.NotFound):
        as_user(world["editor"], "crowdsource_tag_promote", package_id=ds["id"],
                tag="never-given")
    with pytest.raises(logic.NotFound):
        as_user(world["editor"], "crowdsource_tag_promote", package_id="no-such-dataset",
                tag="maps")
    with pytest.raises(logic.ValidationError) as e:
        as_user(world["editor"], "crowdsource_tag_promote", package_id=ds["id"], tag="<b>")
    assert "tag" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(world["editor"], "crowdsource_tag_promote", package_id=ds["id"], tag="maps",
                reason="x" * 1001)
    assert "reason" in e.value.error_dict
    as_user(world["sysadmin"], "crowdsource_tag_block", tag="spam")
    with pytest.raises(logic.ValidationError) as e:
        as_user(world["editor"], "crowdsource_tag_promote", package_id=ds["id"], tag="spam")
    assert "blocked" in str(e.value.error_dict["tag"])


def test_ckans_refusal_comes_under_tag_with_its_dict(world):
    ds = world["ds"]
    # CKAN's own tag rules apply too: official tags are at least two characters
    as_user(world["reader"], "crowdsource_tag_add", package_id=ds["id"], tag="书")
    with pytest.raises(logic.ValidationError) as e:
        as_user(world["editor"], "crowdsource_tag_promote", package_id=ds["id"], tag="书")
    inner = e.value.error_dict["tag"]
    assert isinstance(inner, dict) and "minimum" in str(inner["tags"])
    assert official_tags(ds) == set()
    # and a refused promotion leaves nothing in the log
    assert log_actions(world) == []


def test_a_failure_after_package_patch_leaves_nothing(world, monkeypatch):
    ds = world["ds"]

    def fail(*args, **kwargs):
        raise RuntimeError("a receiver failed")

    monkeypatch.setattr(events.tag_promoted, "send", fail)
    with pytest.raises(RuntimeError):
        as_user(world["editor"], "crowdsource_tag_promote", package_id=ds["id"], tag="maps")
    monkeypatch.undo()
    # package_patch did not commit halfway: its change went with the rest
    assert official_tags(ds) == set()
    assert helpers.call_action("package_search", fq='tags:"maps"')["count"] == 0
    assert log_actions(world) == []


@pytest.mark.parametrize("role", ["member", "reader", "other_editor", None])
def test_only_staff_promote(world, role):
    with pytest.raises(logic.NotAuthorized):
        as_user(world[role] if role else None, "crowdsource_tag_promote",
                package_id=world["ds"]["id"], tag="maps")
