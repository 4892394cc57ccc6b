"""Staff hide and restore reader tags; sysadmins block tags site-wide; the log."""
import pytest
from ckan import logic
from ckan.tests import helpers

from ckanext.crowdsource.tags.index import INDEX_FIELD
from ckanext.crowdsource.tests.helpers import as_user

pytestmark = pytest.mark.usefixtures("clean_db")


def tags_seen_by(user, ds):
    listed = as_user(user, "crowdsource_tag_list", package_id=ds["id"])["results"]
    return {t["tag"]: t for t in listed}


@pytest.mark.parametrize("role", ["editor", "admin", "sysadmin"])
def test_staff_hide_and_restore(world, role):
    ds = world["ds"]
    hidden = as_user(world[role], "crowdsource_tag_hide", package_id=ds["id"], tag="SPAM",
                     reason="advertising")
    assert hidden == {"id": f"{ds['id']}:spam", "package_id": ds["id"], "tag": "spam",
                      "count": 2, "mine": False, "hidden": True, "reason": "advertising"}
    assert "spam" not in tags_seen_by(None, ds)
    assert "spam" not in tags_seen_by(world["member"], ds)
    author_view = tags_seen_by(world["reader"], ds)["spam"]
    assert author_view["hidden"] and author_view["reason"] == "advertising"
    for staff in ("editor", "admin", "sysadmin"):  # staff see it, marked hidden
        assert tags_seen_by(world[staff], ds)["spam"]["count"] == 2
        assert tags_seen_by(world[staff], ds)["spam"]["hidden"]
    assert "spam" not in tags_seen_by(world["other_editor"], ds)
    assert helpers.call_action("package_search", q="spam")["count"] == 0
    restored = as_user(world[role], "crowdsource_tag_restore", package_id=ds["id"], tag="spam")
    assert restored["hidden"] is False and restored["reason"] == "" and restored["count"] == 2
    assert tags_seen_by(None, ds)["spam"] == {"tag": "spam", "count": 2, "mine": False}
    assert helpers.call_action("package_search", q="spam")["count"] == 1


def test_a_hidden_tag_stays_hidden_when_another_reader_gives_it(world):
    ds = world["ds"]
    as_user(world["editor"], "crowdsource_tag_hide", package_id=ds["id"], tag="spam",
            reason="advertising")
    as_user(world["reader3"], "crowdsource_tag_add", package_id=ds["id"], tag="spam")
    assert "spam" not in tags_seen_by(None, ds)
    assert helpers.call_action("package_search", q="spam")["count"] == 0
    mine = tags_seen_by(world["reader3"], ds)["spam"]
    assert mine["hidden"] and mine["reason"] == "advertising"
    as_user(world["editor"], "crowdsource_tag_restore", package_id=ds["id"], tag="spam")
    assert tags_seen_by(None, ds)["spam"]["count"] == 3


@pytest.mark.parametrize("role", ["member", "reader", "other_editor"])
def test_others_cannot_hide(world, role):
    with pytest.raises(logic.NotAuthorized):
        as_user(world[role], "crowdsource_tag_hide", package_id=world["ds"]["id"], tag="spam")
    with pytest.raises(logic.NotAuthorized):
        as_user(world[role], "crowdsource_tag_restore", package_id=world["ds"]["id"], tag="spam")
    with pytest.raises(logic.NotAuthorized):
        as_user(None, "crowdsource_tag_hide", package_id=world["ds"]["id"], tag="spam")


def test_hide_unknown_tag_or_dataset_is_not_found(world):
    with pytest.raises(logic.NotFound):
        as_user(world["editor"], "crowdsource_tag_hide", package_id=world["ds"]["id"],
                tag="nothing")
    with pytest.raises(logic.NotFound):
        as_user(world["editor"], "crowdsource_tag_hide", package_id="no-such-dataset", tag="spam")
    with pytest.raises(logic.ValidationError) as e:
        as_user(world["editor"], "crowdsource_tag_hide", package_id=world["ds"]["id"], tag="spam",
                reason="x" * 1001)
    assert "reason" in e.value.error_dict


def test_sysadmin_blocks_a_tag_everywhere(world):
    ds, sysadmin, reader = world["ds"], world["sysadmin"], world["reader"]
    block = as_user(sysadmin, "crowdsource_tag_block", tag="Spam", reason="abuse")
    assert (block["tag"], block["reason"]) == ("spam", "abuse") and block["created"]
    assert "spam" not in tags_seen_by(reader, ds)
    assert "spam" not in {t["tag"] for t in as_user(None, "crowdsource_tag_cloud")["results"]}
    facets = helpers.call_action("package_search", **{"facet.field": [INDEX_FIELD]})
    assert facets["facets"][INDEX_FIELD] == {"maps": 1}
    with pytest.raises(logic.ValidationError) as e:
        as_user(world["reader2"], "crowdsource_tag_add", package_id=ds["id"], tag=["ok", "spam"])
    assert "cannot be used" in str(e.value.error_dict["tag"])
    blocks = as_user(sysadmin, "crowdsource_tag_block_list")
    assert blocks["count"] == 1 and [b["tag"] for b in blocks["results"]] == ["spam"]
    lifted = as_user(sysadmin, "crowdsource_tag_unblock", tag="spam")
    assert (lifted["tag"], lifted["reason"]) == ("spam", "abuse")
    assert tags_seen_by(reader, ds)["spam"]["count"] == 2
    with pytest.raises(logic.NotFound):
        as_user(sysadmin, "crowdsource_tag_unblock", tag="spam")


@pytest.mark.parametrize("role", ["editor", "admin", "reader", None])
def test_only_sysadmins_block(world, role):
    user = world[role] if role else None
    for action in ("crowdsource_tag_block", "crowdsource_tag_unblock"):
        with pytest.raises(logic.NotAuthorized):
            as_user(user, action, tag="spam")
    with pytest.raises(logic.NotAuthorized):
        as_user(user, "crowdsource_tag_block_list")


def test_moderation_log(world):
    ds = world["ds"]
    as_user(world["editor"], "crowdsource_tag_hide", package_id=ds["id"], tag="spam", reason="ads")
    as_user(world["admin"], "crowdsource_tag_restore", package_id=ds["id"], tag="spam")
    as_user(world["sysadmin"], "crowdsource_tag_block", tag="rude", reason="abuse")
    log = as_user(world["editor"], "crowdsource_moderation_log_list")
    assert log["count"] == 2  # the site-wide block is not one of the org's decisions
    assert [(e["action"], e["actor"], e["reason"]) for e in log["results"]] == [
        ("restore", world["admin"]["name"], ""), ("hide", world["editor"]["name"], "ads"),
    ]
    everything = as_user(world["sysadmin"], "crowdsource_moderation_log_list", limit=1)
    assert everything["count"] == 3 and len(everything["results"]) == 1
    assert as_user(world["other_editor"], "crowdsource_moderation_log_list")["count"] == 0
    for user in (world["member"], world["reader"], None):
        with pytest.raises(logic.NotAuthorized):
            as_user(user, "crowdsource_moderation_log_list")
