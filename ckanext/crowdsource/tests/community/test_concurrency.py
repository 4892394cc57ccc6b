"""Many readers at once against a CKAN served by four worker processes: a
hundred readers ask to join an on-request community, each twice at the same
moment, and each has exactly one request."""
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

from ckanext.crowdsource.community.model import member
from ckanext.crowdsource.tests.served import post_all, readers_with_tokens, serve, statuses

pytestmark = pytest.mark.served
WORKERS = 4
READERS = 100


@pytest.mark.usefixtures("clean_db")
def test_100_readers_join_an_on_request_community_twice_at_once():
    staff = factories.Sysadmin()
    c = helpers.call_action("crowdsource_community_create", context={"user": staff["name"]},
                            name="rare-books", title="古籍 Rare books", join_policy="request")
    tokens = readers_with_tokens(READERS)
    with serve(workers=WORKERS) as base:
        results = post_all(base, "crowdsource_community_join",
                           [{"id": c["name"]}] * (2 * READERS), tokens + tokens)
    assert statuses(results) == {200: 2 * READERS}, statuses(results)
    answers = [body["result"] for _status, body in results]
    assert {a["state"] for a in answers} == {"pending"}
    by_reader = {}
    for a in answers:
        by_reader.setdefault(a["user"], set()).add(a["id"])
    assert len(by_reader) == READERS
    assert all(len(ids) == 1 for ids in by_reader.values())  # both answers: the same request
    model.Session.expire_all()
    rows = model.Session.execute(
        sa.select(member.c.user_id, member.c.state).where(member.c.community_id == c["id"])
    ).all()
    assert len(rows) == READERS and len({r.user_id for r in rows}) == READERS
    assert {r.state for r in rows} == {"pending"}
    logged = model.Session.execute(sa.text(
        "SELECT count(*) FROM crowdsource_moderation_log WHERE item_type = 'community_member'"
        " AND action = 'request' AND item_id LIKE :c"), {"c": f"{c['id']}:%"}).scalar()
    assert logged == READERS  # one request each in the audit log too
    shown = helpers.call_action("crowdsource_community_show", context={"user": staff["name"]},
                                id=c["id"])
    assert shown["pending_count"] == READERS and shown["member_count"] == 0
