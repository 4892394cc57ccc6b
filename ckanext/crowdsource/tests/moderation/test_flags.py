"""Flags, the moderation queue and flag review, with reader tags as the item type."""
import pytest
from ckan import logic
from ckan.tests import factories, helpers

from ckanext.crowdsource.tests.helpers import as_user

pytestmark = pytest.mark.usefixtures("clean_db")


def spam(world):
    return f"{world['ds']['id']}:spam"


def flag(user, item_id, reason="advertising"):
    return as_user(user, "crowdsource_flag_create", item_type="tag", item_id=item_id,
                   reason=reason)


def public_tags(ds):
    return {t["tag"] for t in as_user(None, "crowdsource_tag_list", id=ds["id"])}


@pytest.mark.ckan_config("ckanext.crowdsource.moderation.flag_threshold", 3)
def test_flags_hide_the_item_at_the_threshold(world):
    item_id = spam(world)
    assert flag(world["reader"], item_id) == {"flags": 1, "hidden": False}
    assert flag(world["member"], item_id) == {"flags": 2, "hidden": False}
    assert "spam" in public_tags(world["ds"])
    assert flag(world["other_editor"], item_id, "rude") == {"flags": 3, "hidden": True}
    assert "spam" not in public_tags(world["ds"])
    assert helpers.call_action("package_search", q="spam")["count"] == 0
    author_view = {t["tag"]: t for t in as_user(world["reader2"], "crowdsource_tag_list",
                                                   id=world["ds"]["id"])}["spam"]
    assert author_view["hidden"] and "3 readers" in author_view["reason"]
    log = as_user(world["sysadmin"], "crowdsource_moderation_log_list")["results"]
    assert [(e["action"], e["item_id"], e["actor"]) for e in log] == [
        ("auto_hide", item_id, world["other_editor"]["name"])]


def test_a_user_flags_once(world):
    flag(world["reader"], spam(world))
    with pytest.raises(logic.ValidationError) as e:
        flag(world["reader"], spam(world), "again")
    assert "already flagged" in str(e.value.error_dict["item_id"])


def test_flag_validation(world):
    for bad in ({"reason": ""}, {"reason": "x" * 1001}):
        with pytest.raises(logic.ValidationError) as e:
            as_user(world["reader"], "crowdsource_flag_create", item_type="tag",
                    item_id=spam(world), **bad)
        assert "reason" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(world["reader"], "crowdsource_flag_create", item_type="nothing",
                item_id="x", reason="r")
    assert "item_type" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(world["reader"], "crowdsource_flag_create", reason="r")
    assert {"item_type", "item_id"} <= set(e.value.error_dict)


def test_flag_not_found(world):
    for item_id in (f"{world['ds']['id']}:no-such-tag", "no-such-dataset:spam", "nonsense"):
        with pytest.raises(logic.NotFound):
            flag(world["reader"], item_id)


def test_flag_needs_a_login_and_a_visible_dataset(world):
    with pytest.raises(logic.NotAuthorized):
        flag(None, spam(world))
    private = factories.Dataset(owner_org=world["org"]["id"], private=True)
    as_user(world["editor"], "crowdsource_tag_add", id=private["id"], tag="secret")
    with pytest.raises(logic.NotAuthorized):
        flag(world["reader"], f"{private['id']}:secret")
    assert flag(world["member"], f"{private['id']}:secret")["flags"] == 1


@pytest.mark.ckan_config("ckanext.crowdsource.moderation.flag_threshold", 2)
def test_clear_restores_and_uphold_hides(world):
    item_id = spam(world)
    flag(world["reader"], item_id)
    flag(world["member"], item_id)
    assert "spam" not in public_tags(world["ds"])
    result = as_user(world["editor"], "crowdsource_flag_review", item_type="tag",
                     item_id=item_id, decision="clear", reason="it is a fair word here")
    assert result == {"flags": 2, "hidden": False}
    assert "spam" in public_tags(world["ds"])
    with pytest.raises(logic.NotFound):  # nothing left to decide
        as_user(world["editor"], "crowdsource_flag_review", item_type="tag",
                item_id=item_id, decision="clear")
    # a flagger whose flag was cleared cannot flag the same item again
    with pytest.raises(logic.ValidationError):
        flag(world["reader"], item_id)
    flag(world["reader2"], item_id)
    assert as_user(world["admin"], "crowdsource_flag_review", item_type="tag",
                   item_id=item_id, decision="uphold", reason="ads") == {
        "flags": 1, "hidden": True}
    assert "spam" not in public_tags(world["ds"])
    log = as_user(world["editor"], "crowdsource_moderation_log_list")["results"]
    assert [e["action"] for e in log] == ["uphold", "clear", "auto_hide"]


def test_review_validation_and_permissions(world):
    item_id = spam(world)
    flag(world["reader"], item_id)
    with pytest.raises(logic.ValidationError) as e:
        as_user(world["editor"], "crowdsource_flag_review", item_type="tag",
                item_id=item_id, decision="delete")
    assert "decision" in e.value.error_dict
    for user in (world["reader"], world["member"], world["other_editor"], None):
        with pytest.raises(logic.NotAuthorized):
            as_user(user, "crowdsource_flag_review", item_type="tag", item_id=item_id,
                    decision="clear")
    assert as_user(world["sysadmin"], "crowdsource_flag_review", item_type="tag",
                   item_id=item_id, decision="clear")["flags"] == 1


@pytest.mark.ckan_config("ckanext.crowdsource.moderation.flag_threshold", 5)
def test_the_queue(world):
    ds = world["ds"]
    flag(world["reader"], spam(world), "ads")
    flag(world["reader2"], spam(world), "junk")
    as_user(world["editor"], "crowdsource_tag_hide", id=ds["id"], tag="maps", reason="wrong")
    other = factories.Dataset(owner_org=factories.Organization()["id"])
    as_user(world["reader"], "crowdsource_tag_add", id=other["id"], tag="elsewhere")
    flag(world["reader2"], f"{other['id']}:elsewhere")

    queue = as_user(world["editor"], "crowdsource_moderation_list")
    assert queue["count"] == 2
    by_label = {r["label"]: r for r in queue["results"]}
    assert by_label["spam"]["flags"] == 2 and not by_label["spam"]["hidden"]
    assert [f["reason"] for f in by_label["spam"]["flag_reasons"]] == ["ads", "junk"]
    assert by_label["spam"]["package_name"] == ds["name"]
    assert by_label["maps"]["hidden"] and by_label["maps"]["reason"] == "wrong"
    assert by_label["maps"]["flags"] == 0
    flagged = as_user(world["editor"], "crowdsource_moderation_list", status="flagged")
    assert [r["label"] for r in flagged["results"]] == ["spam"]
    hidden = as_user(world["editor"], "crowdsource_moderation_list", status="hidden")
    assert [r["label"] for r in hidden["results"]] == ["maps"]

    everything = as_user(world["sysadmin"], "crowdsource_moderation_list", limit=2)
    assert everything["count"] == 3 and len(everything["results"]) == 2
    page2 = as_user(world["sysadmin"], "crowdsource_moderation_list", limit=2, offset=2)
    assert len(page2["results"]) == 1
    assert as_user(world["other_editor"], "crowdsource_moderation_list")["count"] == 0
    for user in (world["reader"], world["member"], None):
        with pytest.raises(logic.NotAuthorized):
            as_user(user, "crowdsource_moderation_list")
    for bad in ({"status": "deleted"}, {"item_type": "nothing"}, {"limit": 1000}):
        with pytest.raises(logic.ValidationError) as e:
            as_user(world["editor"], "crowdsource_moderation_list", **bad)
        assert set(bad) <= set(e.value.error_dict)
