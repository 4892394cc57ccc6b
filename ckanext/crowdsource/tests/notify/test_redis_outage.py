"""The bell and the notifications need no Redis: with it stopped under a
served portal, a reply still notifies in its transaction, and the reader's
pages show the bell with the new count."""
import pytest
import requests
from bs4 import BeautifulSoup
from ckan.tests import factories, helpers

from ckanext.crowdsource.tests.common.test_redis_outage import OwnRedis
from ckanext.crowdsource.tests.served import serve

pytestmark = pytest.mark.served


@pytest.fixture
def own_redis():
    redis = OwnRedis()
    redis.start()
    yield redis
    redis.stop()


def token_of(user: dict) -> str:
    return helpers.call_action("api_token_create", context={"user": user["name"]},
                               user=user["name"], name="t")["token"]


def test_notifications_work_while_redis_is_down(clean_db, own_redis):
    ds = factories.Dataset(owner_org=factories.Organization()["id"], title="City Maps")
    asker, replier = factories.User(), factories.User()
    with serve(workers=1, **{"ckan.redis.url": own_redis.url}) as base:
        mine, theirs = requests.Session(), requests.Session()
        mine.headers["Authorization"] = token_of(asker)
        theirs.headers["Authorization"] = token_of(replier)

        def action(session: requests.Session, name: str, **data: object) -> dict:
            res = session.post(f"{base}/api/3/action/{name}", json=data)
            assert res.status_code == 200, res.text
            return res.json()["result"]

        post = action(mine, "crowdsource_post_create", package_id=ds["id"], body="1850?")
        own_redis.stop()
        action(theirs, "crowdsource_post_create", parent_id=post["id"], body="Yes")
        assert action(mine, "crowdsource_notification_count") == {"count": 1, "more": False}
        for path in ("/dataset/", "/crowdsource/notifications", "/crowdsource/notifications/bell",
                     "/crowdsource/notifications/settings"):
            res = mine.get(base + path)
            assert res.status_code == 200, path
            if path != "/crowdsource/notifications/settings":
                bell = BeautifulSoup(res.text, "html.parser").select_one("#cs-bell")
                assert bell.select_one(".cs-bell-count").text == "1", path
        done = action(mine, "crowdsource_notification_mark_read", all=True)
        assert done == {"marked": 1, "unread": 0}
