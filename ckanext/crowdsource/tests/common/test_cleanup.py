"""A purged dataset takes its reader tags, discussion and flags with it."""
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

from ckanext.crowdsource.tests.helpers import as_user

TABLES = ("crowdsource_tag", "crowdsource_thread", "crowdsource_post", "crowdsource_vote",
          "crowdsource_post_revision", "crowdsource_flag")


def rows(table):
    return model.Session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()


@pytest.mark.usefixtures("clean_db")
def test_purging_a_dataset_removes_its_contributions_and_keeps_the_log():
    org = factories.Organization()
    readers = [factories.User() for _ in range(2)]
    doomed, kept = (factories.Dataset(owner_org=org["id"]) for _ in range(2))
    for ds in (doomed, kept):
        as_user(readers[0], "crowdsource_tag_add", package_id=ds["id"], tag="maps")
        p = as_user(readers[0], "crowdsource_post_create", package_id=ds["id"], body="hi")
        as_user(readers[0], "crowdsource_post_update", id=p["id"], body="hello")
        as_user(readers[1], "crowdsource_post_vote", id=p["id"], vote=1)
        as_user(readers[1], "crowdsource_flag_create", item_type="post", item_id=p["id"],
                reason="?")
    as_user(readers[0], "crowdsource_question_create", package_id=doomed["id"], title="q",
            body="?")
    before = {t: rows(t) for t in TABLES}
    sysadmin = factories.Sysadmin()
    helpers.call_action("crowdsource_moderation_decide", context={"user": sysadmin["name"]},
                        item_type="tag", item_id=f"{doomed['id']}:maps", decision="hide")
    helpers.call_action("dataset_purge", context={"user": sysadmin["name"]},
                        id=doomed["name"])
    after = {t: rows(t) for t in TABLES}
    assert after == {"crowdsource_tag": 1, "crowdsource_thread": 1, "crowdsource_post": 1,
                     "crowdsource_vote": 1, "crowdsource_post_revision": 1,
                     "crowdsource_flag": 1}, (before, after)
    assert rows("crowdsource_moderation_log") == 1
    assert as_user(None, "crowdsource_thread_show", package_id=kept["id"])["count"] == 1
