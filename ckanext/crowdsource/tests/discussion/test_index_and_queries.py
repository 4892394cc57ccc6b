"""Discussion in dataset search, and a page of posts in a constant number of queries."""
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers

from ckanext.crowdsource.discussion.index import NEEDS_HELP, NUM_COMMENTS, NUM_QUESTIONS
from ckanext.crowdsource.search.schema import load_schema
from ckanext.crowdsource.tests.helpers import as_user


def names(**kw):
    return [r["name"] for r in helpers.call_action("package_search", **kw)["results"]]


def test_index_fields_are_valid_in_ckans_solr_schema():
    schema = load_schema()
    for name in (NUM_COMMENTS, NUM_QUESTIONS, NEEDS_HELP):
        assert schema.field(name) is not None, name
    assert schema.field(NEEDS_HELP).multi


def test_open_questions_put_a_dataset_under_needs_help(lib):
    fq = f'{NEEDS_HELP}:"questions"'
    assert names(fq=fq) == []
    q = as_user(lib["reader"], "crowdsource_question_create", package_id=lib["ds"]["id"],
                title="Scale?", body="?")
    assert names(fq=fq) == [lib["ds"]["name"]]
    facets = helpers.call_action("package_search", **{"facet.field": [NEEDS_HELP]})
    items = facets["search_facets"][NEEDS_HELP]["items"]
    assert [(i["name"], i["display_name"], i["count"]) for i in items] == [
        ("questions", "Open questions", 1)]
    a = as_user(lib["reader2"], "crowdsource_post_create", thread_id=q["id"], body="1:5000")
    as_user(lib["reader"], "crowdsource_answer_accept", id=a["id"])
    assert names(fq=fq) == []


def test_comment_and_question_counts_are_indexed(lib):
    for n in range(2):
        as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                body=f"c{n}")
    as_user(lib["reader"], "crowdsource_post_create", resource_id=lib["res"]["id"], body="r")
    as_user(lib["reader"], "crowdsource_question_create", package_id=lib["ds"]["id"],
            title="q", body="?")
    assert names(fq=f"{NUM_COMMENTS}:3") == [lib["ds"]["name"]]
    assert names(fq=f"{NUM_QUESTIONS}:1") == [lib["ds"]["name"]]


def test_private_datasets_questions_stay_out_of_search(lib):
    as_user(lib["member"], "crowdsource_question_create", package_id=lib["private"]["id"],
            title="internal", body="?")
    search = {"fq": f'{NEEDS_HELP}:"questions"', "include_private": True}
    assert as_user(None, "package_search", **search)["count"] == 0
    assert as_user(lib["other_editor"], "package_search", **search)["count"] == 0
    assert as_user(lib["editor"], "package_search", **search)["count"] == 1


class Statements:
    def __init__(self):
        self.count = 0

    def __call__(self, *args):
        self.count += 1


def statements_for(call):
    # a fresh session: whether a dataset is still in the last one's identity
    # map (a weak cache) would otherwise decide whether it is read again
    model.Session.remove()
    counter = Statements()
    engine = model.meta.engine
    sa.event.listen(engine, "before_cursor_execute", counter)
    try:
        call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", counter)
    return counter.count


def seed(lib, comments, replies):
    """Comments from three readers, each with a chain of replies, and votes."""
    ds = lib["ds"]["id"]
    readers = [lib["reader"], lib["reader2"], lib["reader3"]]
    for n in range(comments):
        top = as_user(readers[n % 3], "crowdsource_post_create", package_id=ds, body=f"c{n}")
        parent = top
        for m in range(replies):
            parent = as_user(readers[(n + m + 1) % 3], "crowdsource_post_create",
                             parent_id=parent["id"], body=f"r{n}.{m}")
        as_user(readers[(n + 1) % 3], "crowdsource_post_vote", id=top["id"], vote=1)


@pytest.mark.ckan_config("ckanext.crowdsource.common.writes_per_minute", 0)
def test_a_page_of_posts_costs_the_same_number_of_queries_however_big(lib):
    def page():
        return as_user(lib["reader"], "crowdsource_thread_show",
                       package_id=lib["ds"]["id"], limit=20)

    seed(lib, 2, 1)
    small = statements_for(page)
    seed(lib, 20, 3)
    large = statements_for(page)
    assert page()["count"] == 22
    assert sum(1 + p["reply_count"] for p in page()["posts"]) == 20 * 4
    assert large == small, (small, large)
