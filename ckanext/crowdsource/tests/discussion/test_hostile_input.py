"""Hostile input to every discussion action, page and form: refused with 400
or 404 (or rendered with a sane default), never a 5xx, and the next request
still succeeds.

Values: NUL bytes, lone surrogates (in the API as Python text; in forms and
addresses as the UTF-8 bytes of one, which is all HTTP can carry), 1 MB
strings, huge, negative and non-numeric numbers, unknown ids, and ids of
things the user may not see (a private dataset, another reader's hidden post,
a post in a private dataset).
"""
import urllib.parse
import uuid

import pytest
from ckan import logic

from ckanext.crowdsource.common.validators import OFFSET_MAX
from ckanext.crowdsource.discussion import views
from ckanext.crowdsource.tests.database import saved_state
from ckanext.crowdsource.tests.discussion.calls import CALLS
from ckanext.crowdsource.tests.helpers import as_user, log_in

HTMX = {"HX-Request": "true"}
MB = "x" * 2**20
SURROGATE = "\ud800"
SURROGATE_BYTES = "%ED%A0%80"  # a lone surrogate as UTF-8 would write it
HUGE = "99999999999999999999"
REFUSED = (logic.ValidationError, logic.NotFound, logic.NotAuthorized)
pytestmark = pytest.mark.ckan_config("ckanext.crowdsource.common.writes_per_minute", 0)


@pytest.fixture
def talk(lib, request):
    """A comment, a question with an answer, a hidden post and a post in the
    private dataset (made once, put back for the next tests: ``saved_state``)."""
    return saved_state(request, lambda: made_talk(lib))


def made_talk(lib):
    ds = lib["ds"]["id"]
    comment = as_user(lib["reader2"], "crowdsource_post_create", package_id=ds, body="c")
    question = as_user(lib["reader2"], "crowdsource_question_create", package_id=ds,
                       title="Scale?", body="?")
    answer = as_user(lib["reader3"], "crowdsource_post_create", thread_id=question["id"],
                     body="1:5000")
    hidden = as_user(lib["reader3"], "crowdsource_post_create", package_id=ds, body="spam")
    as_user(lib["editor"], "crowdsource_moderation_decide", item_type="post",
            item_id=hidden["id"], decision="hide")
    private = as_user(lib["member"], "crowdsource_post_create",
                      package_id=lib["private"]["id"], body="staff only")
    return {**lib, "comment": comment, "question": question, "answer": answer,
            "hidden": hidden, "private_post": private}


# --- pages: page numbers, sorts and ids in the address ------------------------

@pytest.mark.parametrize("page", [HUGE, "-1", "0", "abc", "1e3", "9" * 5000])
def test_a_page_number_no_list_can_have_is_refused(app, talk, page):
    ds, q = talk["ds"]["name"], talk["question"]["id"]
    log_in(app, talk["reader"])
    for url in (f"/dataset/{ds}/discussion", f"/dataset/{ds}/questions",
                "/crowdsource/questions", f"/crowdsource/questions/{q}"):
        res = app.get(f"{url}?page={page}")
        assert res.status_code == 400, (url, res.status_code)
        assert "The page must be a whole number from 1 to" in res.body
        # the worker is fine: the next request succeeds
        assert app.get(url).status_code == 200
    log_in(app, talk["editor"])
    history = f"/crowdsource/posts/{talk['comment']['id']}/history"
    assert app.get(f"{history}?page={page}").status_code == 400
    assert app.get(history).status_code == 200


def test_the_last_page_a_list_can_have_is_empty_not_an_error(app, talk):
    most = OFFSET_MAX // 20 + 1  # the test configuration's page size: 20
    res = app.get(f"/dataset/{talk['ds']['name']}/discussion?page={most}")
    assert res.status_code == 200 and "cs-discussion" in res.body
    assert app.get(f"/crowdsource/questions?page={most}").status_code == 200
    assert app.get(f"/dataset/{talk['ds']['name']}/discussion?page={most + 1}"
                   ).status_code == 400


@pytest.mark.parametrize("query", ["sort=bad", f"page={HUGE}", "page=abc", "page=-3",
                                   "sort=%00", "sort=top&page=2", f"sort={SURROGATE_BYTES}"])
def test_the_resource_page_shows_its_discussion_whatever_the_address_says(app, talk, query):
    as_user(talk["reader"], "crowdsource_post_create", resource_id=talk["res"]["id"],
            body="the csv has a typo")
    url = f"/dataset/{talk['ds']['name']}/resource/{talk['res']['id']}"
    res = app.get(f"{url}?{query}")
    assert res.status_code == 200, res.status_code
    assert "cs-discussion" in res.body
    assert app.get(url).status_code == 200


@pytest.mark.parametrize("bad", ["a%00b", SURROGATE_BYTES, "x" * 5000, "nope",
                                 str(uuid.uuid4())])
def test_ids_in_the_address_that_name_nothing_are_not_found(app, talk, bad):
    log_in(app, talk["editor"])
    for url in (f"/crowdsource/posts/{bad}/replies", f"/crowdsource/posts/{bad}/history",
                f"/crowdsource/questions/{bad}", f"/dataset/{bad}/discussion",
                f"/dataset/{bad}/questions"):
        res = app.get(url)
        assert res.status_code in (400, 404), (url, res.status_code)
    assert app.get("/crowdsource/questions").status_code == 200


def test_pages_of_things_the_user_may_not_see_are_not_found(app, talk):
    log_in(app, talk["reader"])
    private = talk["private_post"]
    for url in (f"/crowdsource/posts/{private['id']}/replies",
                f"/crowdsource/posts/{talk['hidden']['id']}/replies",
                f"/crowdsource/posts/{talk['comment']['id']}/history",
                f"/crowdsource/questions/{private['thread_id']}",
                f"/dataset/{talk['private']['name']}/discussion",
                f"/dataset/{talk['private']['name']}/questions"):
        assert app.get(url).status_code == 404, url


@pytest.mark.parametrize("query", ["status=bad", "status=%00", "unanswered=%00",
                                   f"site={SURROGATE_BYTES}", "status=" + "x" * 5000,
                                   "sort=bad", "status=open&status=closed"])
def test_question_lists_refuse_bad_filters(app, talk, query):
    for url in ("/crowdsource/questions", f"/dataset/{talk['ds']['name']}/questions"):
        assert app.get(f"{url}?{query}").status_code in (200, 400), (url, query)


# --- the vote form (and the state every form carries) --------------------------

STATES = {
    "page=abc": {"view": "discussion", "package_id": "{ds}", "page": "abc"},
    "page=huge": {"view": "discussion", "package_id": "{ds}", "page": HUGE},
    "sort=bad": {"view": "discussion", "package_id": "{ds}", "sort": "bad"},
    "unknown thread_id": {"view": "question", "thread_id": "nope"},
    "empty thread_id": {"view": "question", "thread_id": ""},
    "no thread_id": {"view": "question"},
    "unknown package_id": {"view": "discussion", "package_id": "nope"},
    "empty package_id": {"view": "discussion", "package_id": ""},
    "NUL package_id": {"view": "discussion", "package_id": "a\x00b"},
    "private package_id": {"view": "discussion", "package_id": "{private}"},
    "discussion as question": {"view": "question", "thread_id": "{thread}"},
    "thread of a discussion": {"view": "discussion", "thread_id": "{thread}"},
    "bad view": {"view": "nope", "came_from": "//evil.example"},
}


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize("state", sorted(STATES))
def test_the_vote_form_with_a_bad_state_still_votes(app, talk, state, htmx):
    values = {"ds": talk["ds"]["id"], "private": talk["private"]["id"],
              "thread": talk["comment"]["thread_id"]}
    data = {k: v.format(**values) for k, v in STATES[state].items()}
    log_in(app, talk["reader"])
    res = app.post("/crowdsource/posts/vote", data={**data, "id": talk["comment"]["id"],
                                                    "vote": "1"},
                   headers=HTMX if htmx else {}, follow_redirects=False)
    assert res.status_code in (200, 302), res.status_code
    if not htmx:
        location = urllib.parse.urlsplit(res.headers["Location"])
        assert location.netloc in ("", "localhost"), location  # never elsewhere
        assert app.get(res.headers["Location"]).status_code < 500
    assert as_user(None, "crowdsource_post_show", id=talk["comment"]["id"])["score"] == 1


# --- every form, every field ------------------------------------------------------

def _forms(t):
    """verb -> (who, a form that succeeds)."""
    ds, q = t["ds"]["id"], t["question"]["id"]
    on_comment = {"view": "discussion", "package_id": ds, "id": t["comment"]["id"]}
    on_answer = {"view": "question", "thread_id": q, "id": t["answer"]["id"]}
    return {
        "comment": ("reader", {"view": "discussion", "package_id": ds, "body": "hi"}),
        "ask": ("reader", {"package_id": ds, "title": "Why?", "body": "Because."}),
        "edit": ("reader2", {**on_comment, "body": "edited"}),
        "delete": ("reader2", {**on_comment, "reason": "mine"}),
        "vote": ("reader", {**on_comment, "vote": "1"}),
        "flag": ("reader", {**on_comment, "reason": "spam"}),
        "hide": ("editor", {**on_comment, "reason": "spam"}),
        "restore": ("editor", dict(on_comment)),
        "approve": ("editor", dict(on_comment)),
        "accept": ("reader2", {**on_answer, "accept": "true"}),
        "verify": ("editor", {**on_answer, "verified": "true"}),
        "close": ("editor", {"view": "question", "thread_id": q, "reason": "done"}),
        "reopen": ("editor", {"view": "question", "thread_id": q}),
    }


def _values(t, field):
    """Hostile values for one form field (the surrogate as its UTF-8 bytes)."""
    common = ["a\x00b", SURROGATE, MB, ""]
    if field in ("body", "title", "reason", "came_from"):
        return common + ["//evil.example", "{{ 7*7 }}"]
    if field in ("vote", "page", "sort", "accept", "verified", "view"):
        return common + ["abc", "-1", HUGE, "2", "[1]"]
    return common + [str(uuid.uuid4()), t["private"]["id"], t["other"]["id"],
                     t["hidden"]["id"], t["private_post"]["id"], t["private_post"]["thread_id"],
                     t["comment"]["thread_id"], t["question"]["id"], t["answer"]["id"]]


def _encode(form):
    def quote(value):
        if value is SURROGATE or (isinstance(value, str) and SURROGATE in value):
            return SURROGATE_BYTES
        return urllib.parse.quote(value, safe="")
    return "&".join(f"{k}={quote(v)}" for k, v in form.items())


FIELDS = ("id", "body", "title", "reason", "vote", "accept", "verified", "parent_id",
          "thread_id", "package_id", "resource_id", "view", "sort", "page", "came_from")


@pytest.mark.parametrize("verb", views.VERBS)
def test_every_form_field_refuses_hostile_values_safely(app, talk, verb):
    who, good = _forms(talk)[verb]
    log_in(app, talk[who])
    failures = []
    for field in FIELDS:
        # each value once, as htmx and as a plain form post in turn: both ways
        # of answering meet every field's refusals and its successes
        for n, value in enumerate(_values(talk, field)):
            headers = HTMX if (n + FIELDS.index(field)) % 2 else {}
            form = {**good, field: value}
            res = app.post(f"/crowdsource/posts/{verb}", data=_encode(form),
                           content_type="application/x-www-form-urlencoded",
                           headers=headers, follow_redirects=False)
            if res.status_code >= 500:
                failures.append((field, repr(value)[:40], bool(headers), res.status_code))
            elif res.status_code in (301, 302, 303):
                target = urllib.parse.urlsplit(res.headers["Location"])
                assert target.netloc in ("", "localhost"), (field, value, target)
    assert not failures, failures
    assert app.get(f"/dataset/{talk['ds']['name']}/discussion").status_code == 200


# --- every action, every key -------------------------------------------------------

def _api_values(t):
    return [None, 1, -1, 2**63, 10**30, 1.5, True, [], ["x"], {}, {"a": 1}, "a\x00b",
            SURROGATE, "ab" + SURROGATE, MB, "", str(uuid.uuid4()), t["private"]["id"],
            t["other"]["id"], t["hidden"]["id"], t["private_post"]["id"],
            t["private_post"]["thread_id"], t["question"]["id"], t["answer"]["id"]]


@pytest.mark.parametrize("action", sorted(CALLS))
def test_every_action_key_refuses_hostile_values_safely(talk, action):
    who, good = CALLS[action](talk)
    keys = set(good) | {"id", "package_id", "resource_id", "thread_id", "parent_id", "root_id",
                        "limit", "offset", "replies", "sort", "body", "title", "reason",
                        "vote", "accept", "verified", "status", "unanswered",
                        "unanswered_days", "site", "user_id", "kind"}
    unexpected = []
    for key in sorted(keys):
        for value in _api_values(talk) + ["__missing__"]:
            data = {k: v for k, v in good.items() if k != key}
            if value != "__missing__":
                data[key] = value
            try:
                as_user(who, action, **data)
            except REFUSED:
                pass
            except Exception as e:  # noqa: BLE001 - what the test looks for
                unexpected.append((key, repr(value)[:40], type(e).__name__, str(e)[:200]))
    assert not unexpected, unexpected


# --- numbers without an upper bound -----------------------------------------------

@pytest.mark.parametrize(("action", "key"), [
    ("crowdsource_question_list", "unanswered_days"),
    ("crowdsource_question_list", "limit"),
    ("crowdsource_question_list", "offset"),
    ("crowdsource_thread_show", "replies"),
    ("crowdsource_thread_show", "limit"),
    ("crowdsource_thread_show", "offset"),
    ("crowdsource_thread_list", "limit"),
    ("crowdsource_thread_list", "offset"),
    ("crowdsource_post_history", "limit"),
    ("crowdsource_post_history", "offset"),
])
@pytest.mark.parametrize("number", [10**30, 2**63, str(10**30), -1, "-1", float("inf"), "NaN"])
def test_numbers_are_bounded(talk, action, key, number):
    who, good = CALLS[action](talk)
    if action == "crowdsource_question_list":
        good = {**good, "unanswered": True}
    with pytest.raises(logic.ValidationError) as e:
        as_user(who, action, **{**good, key: number})
    assert list(e.value.error_dict) == [key]


def test_unanswered_days_reaches_back_a_century_at_most(talk):
    listed = as_user(None, "crowdsource_question_list", unanswered=True, unanswered_days=36500)
    assert listed["count"] == 0
    with pytest.raises(logic.ValidationError) as e:
        as_user(None, "crowdsource_question_list", unanswered=True, unanswered_days=10**30)
    assert "between 0 and 36500" in e.value.error_dict["unanswered_days"][0]


# --- every page, every query parameter --------------------------------------------

QUERY_VALUES = ["%00", SURROGATE_BYTES, "x" * 5000, HUGE, "-1", "abc", "", "1&{key}=2"]


def test_every_page_refuses_hostile_query_parameters_safely(app, talk):
    ds, q = talk["ds"]["name"], talk["question"]["id"]
    comment = talk["comment"]["id"]
    log_in(app, talk["editor"])  # staff: the history page opens
    pages = [f"/dataset/{ds}/discussion", f"/dataset/{ds}/questions", "/crowdsource/questions",
             f"/crowdsource/questions/{q}", f"/crowdsource/posts/{comment}/replies",
             f"/crowdsource/posts/{comment}/history",
             f"/dataset/{ds}/resource/{talk['res']['id']}"]
    failures = []
    for url in pages:
        assert app.get(url).status_code == 200, url
        for key in ("page", "sort", "status", "unanswered", "site", "root_id"):
            for value in QUERY_VALUES:
                res = app.get(f"{url}?{key}={value.format(key=key)}")
                if res.status_code not in (200, 400, 404):
                    failures.append((url, key, value[:20], res.status_code))
    assert not failures, failures
    assert app.get(pages[0]).status_code == 200


def test_came_from_never_leads_off_the_site(app, talk):
    log_in(app, talk["reader"])
    for target in ("//evil.example", "/\\evil.example", "\\\\evil.example",
                   "http://evil.example/", "javascript:alert(1)", " //evil.example"):
        res = app.post("/crowdsource/posts/ask", follow_redirects=False, data={
            "title": "", "body": "x", "came_from": target})
        assert res.status_code == 302
        location = urllib.parse.urlsplit(res.headers["Location"])
        assert location.netloc in ("", "localhost"), location
        assert location.scheme in ("", "http", "https") and not location.path.startswith(
            ("//", "/\\")), location
