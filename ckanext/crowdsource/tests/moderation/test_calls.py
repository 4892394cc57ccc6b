"""The calls of ``calls.py`` succeed, each returning the shape its action promises."""
import pytest
from ckan.tests import helpers

from ckanext.crowdsource.tests.moderation.calls import CALLS

pytestmark = pytest.mark.usefixtures("clean_db")

ITEM = {"item_type", "item_id", "package_id", "label", "hidden", "pending", "flags"}
SHAPES = {
    "crowdsource_flag_create": {"id", "item_type", "item_id", "package_id", "user_id",
                                "reason", "state", "created", "item_flags", "item_hidden"},
    "crowdsource_flag_review": ITEM,
    "crowdsource_moderation_decide": ITEM,
    "crowdsource_moderation_list": {"count", "results"},
    "crowdsource_moderation_log_list": {"count", "results"},
}


@pytest.mark.parametrize("action", sorted(CALLS))
def test_each_call_succeeds(lib, action):
    user, data = CALLS[action](lib)
    result = helpers.call_action(action, context={"user": user["name"] if user else "",
                                                  "ignore_auth": False}, **data)
    assert set(result) == SHAPES[action]
    if "count" in result:
        assert result["count"] == len(result["results"]) == 1
    elif action != "crowdsource_flag_create":
        assert result["item_id"] == data["item_id"] and result["hidden"]
