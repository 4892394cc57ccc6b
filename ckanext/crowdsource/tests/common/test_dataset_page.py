"""The dataset page's crowd parts (tab counts, rating, public requests, and
for anonymous visitors the reader tags) are kept in Redis for everyone who
may see the dataset: every write shows at once, each reader's own marks are
put on top, a page costs the same queries however much there is, and with
Redis down the page is whole."""
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from ckan import model
from redis.exceptions import ConnectionError as RedisDown

from ckanext.crowdsource.common import cache
from ckanext.crowdsource.tests.helpers import as_user, log_in, log_out

pytestmark = pytest.mark.usefixtures("clean_db")


def page(app, ds):
    return BeautifulSoup(app.get(f"/dataset/{ds['name']}").body, "html.parser")


def tabs(soup):
    return [a.text.strip() for a in soup.select(".nav-tabs a, .nav a")
            if "(" in a.text]


def test_every_write_shows_at_once(app, lib):
    ds, reader = lib["ds"], lib["reader"]
    before = page(app, ds)  # anonymous: now kept
    assert before.select("#reader-tags li.reader-tag") == []
    assert "Discussion (0)" in tabs(before) and "Tasks (0)" in tabs(before)
    assert "No ratings yet." in before.select_one(".cs-rating-summary").text

    as_user(reader, "crowdsource_tag_add", package_id=ds["id"], tag="old maps")
    as_user(reader, "crowdsource_post_create", package_id=ds["id"], body="Useful.")
    as_user(lib["editor"], "crowdsource_task_create", package_id=ds["id"], kind="tag",
            title="Tag the sheets")
    as_user(reader, "crowdsource_feedback_create", package_id=ds["id"], kind="praise",
            body="Good.", rating=5)
    as_user(lib["reader2"], "crowdsource_feedback_create", package_id=ds["id"],
            kind="request", title="The 1900 sheets", body="Please.")

    after = page(app, ds)
    assert [li["data-tag"] for li in after.select("#reader-tags li.reader-tag")] == ["old maps"]
    assert "Discussion (1)" in tabs(after) and "Tasks (1)" in tabs(after)
    assert "5.0 from 1 reader" in after.select_one(".cs-rating-summary").text
    assert [a.text for a in after.select(".cs-request > a")] == ["The 1900 sheets"]


def test_each_reader_sees_their_own_me_too_on_the_kept_requests(app, lib):
    ds = lib["ds"]
    request = as_user(lib["reader2"], "crowdsource_feedback_create", package_id=ds["id"],
                      kind="request", title="The 1900 sheets", body="Please.")
    as_user(lib["reader"], "crowdsource_request_second", id=request["id"])
    assert page(app, ds).select(".cs-metoo") == []  # anonymous: kept, no buttons

    log_in(app, lib["reader"])
    button = page(app, ds).select_one(".cs-metoo")
    assert "✓" in button.text and "btn-success" in button["class"]
    log_in(app, lib["reader3"])
    button = page(app, ds).select_one(".cs-metoo")
    assert "✓" not in button.text and "btn-outline-success" in button["class"]
    log_in(app, lib["reader2"])  # their own request: nothing to second
    assert page(app, ds).select(".cs-metoo") == []
    log_out(app)


def test_own_hidden_tag_and_the_staff_view_are_not_the_kept_ones(app, lib):
    ds = lib["ds"]
    as_user(lib["reader"], "crowdsource_tag_add", package_id=ds["id"], tag=["maps", "rude"])
    as_user(lib["editor"], "crowdsource_tag_hide", package_id=ds["id"], tag="rude",
            reason="Not a subject")
    assert [li["data-tag"] for li in page(app, ds).select("#reader-tags li")] == ["maps"]
    log_in(app, lib["reader"])
    assert {li["data-tag"] for li in page(app, ds).select("#reader-tags li")} == {"maps", "rude"}
    log_in(app, lib["editor"])
    assert page(app, ds).select_one("#reader-tags li[data-tag=rude] .reader-tag-restore")
    log_in(app, lib["reader2"])
    assert [li["data-tag"] for li in page(app, ds).select("#reader-tags li")] == ["maps"]
    log_out(app)


def statements(app, ds):
    """The statements of one page about contributions (the search index's
    are the dataset search's, cached on their own)."""
    found = []

    def count(_conn, _cursor, statement, *_args):
        if "crowdsource_" in statement and "crowdsource_search" not in statement:
            found.append(statement)

    sa.event.listen(model.ensure_engine(), "before_cursor_execute", count)
    try:
        app.get(f"/dataset/{ds['name']}")
    finally:
        sa.event.remove(model.ensure_engine(), "before_cursor_execute", count)
    return len(found)


def test_a_page_costs_the_same_queries_however_much_it_shows(app, lib):
    ds, readers = lib["ds"], [lib["reader"], lib["reader2"], lib["reader3"]]
    as_user(readers[0], "crowdsource_tag_add", package_id=ds["id"], tag="maps")
    as_user(readers[1], "crowdsource_feedback_create", package_id=ds["id"], kind="request",
            title="Request 0", body="Please.")
    log_in(app, readers[2])
    page(app, ds)
    few = statements(app, ds)
    assert few  # the reader's own: their tags, flags, "me too"s (the rest is kept)
    for n, reader in enumerate(readers):
        as_user(reader, "crowdsource_tag_add", package_id=ds["id"],
                tag=[f"tag {n} {i}" for i in range(6)])
        as_user(reader, "crowdsource_post_create", package_id=ds["id"], body=f"Comment {n}")
        request = as_user(reader, "crowdsource_feedback_create", package_id=ds["id"],
                          kind="request", title=f"Request {n + 1}", body="Please.")
        for other in readers:
            if other is not reader:
                as_user(other, "crowdsource_request_second", id=request["id"])
    page(app, ds)
    assert len(page(app, ds).select("#reader-tags li")) == 19
    assert statements(app, ds) == few
    log_out(app)


def test_with_redis_down_the_page_is_whole(app, lib, monkeypatch):
    ds = lib["ds"]
    as_user(lib["reader"], "crowdsource_tag_add", package_id=ds["id"], tag="maps")
    as_user(lib["reader2"], "crowdsource_feedback_create", package_id=ds["id"],
            kind="request", title="The 1900 sheets", body="Please.")

    def down():
        raise RedisDown("Redis is down")

    monkeypatch.setattr(cache, "_redis", down)
    for user in (None, lib["reader3"]):
        if user:
            log_in(app, user)
        shown = page(app, ds)
        assert [li["data-tag"] for li in shown.select("#reader-tags li")] == ["maps"]
        assert [a.text for a in shown.select(".cs-request > a")] == ["The 1900 sheets"]
        assert "Discussion (0)" in tabs(shown)
    log_out(app)
