"""Feedback on the shared write path and in the one API grammar: every action
succeeds as ``calls.py`` makes it, refuses unknown keys and unsafe text; a
write leaves nothing behind when it fails; the rate limits; who may do what
(DESIGN section 6)."""
import pytest
import sqlalchemy as sa
from ckan import logic, model

from ckanext.crowdsource.common import ratelimit
from ckanext.crowdsource.feedback.model import feedback, message, rating, second
from ckanext.crowdsource.tests.feedback.calls import CALLS
from ckanext.crowdsource.tests.helpers import as_user

WRITES = ("crowdsource_feedback_create", "crowdsource_feedback_reply",
          "crowdsource_feedback_set_status", "crowdsource_feedback_set_status_bulk",
          "crowdsource_request_second")
LISTS = ("crowdsource_feedback_list", "crowdsource_request_list")


def snapshot() -> dict:
    """Every row the feedback capability keeps, and the reindex queue."""
    model.Session.rollback()
    tables = (feedback, message, second, rating,
              sa.table("crowdsource_reindex", sa.column("package_id")))
    return {t.name: sorted(map(tuple, model.Session.execute(sa.select(t)).all()), key=repr)
            for t in tables}


def send(lib, who="reader", **kw):
    data = {"kind": "error", "body": "Map 12 is missing", "package_id": lib["ds"]["id"], **kw}
    return as_user(lib[who] if who else None, "crowdsource_feedback_create", **data)


@pytest.mark.parametrize("action", sorted(CALLS))
def test_every_action_succeeds_as_calls_makes_it(lib, action):
    user, data = CALLS[action](lib)
    out = as_user(user, action, **data)
    assert isinstance(out, dict)
    if action in LISTS or action.endswith("_bulk"):
        assert set(out) == {"count", "results"} and isinstance(out["results"], list)
        assert out["count"] >= len(out["results"]) > 0
    elif action in WRITES or action.endswith("_show"):
        assert out["id"] and out["status"]  # the feedback it acted on


@pytest.mark.parametrize("action", sorted(CALLS))
def test_every_action_refuses_unknown_keys(lib, action):
    user, data = CALLS[action](lib)
    before = snapshot()
    with pytest.raises(logic.ValidationError) as e:
        as_user(user, action, **data, subject_type="dataset")
    assert list(e.value.error_dict) == ["subject_type"]
    assert snapshot() == before


@pytest.mark.parametrize("action", WRITES)
def test_a_failure_after_the_first_write_leaves_nothing(lib, action):
    user, data = CALLS[action](lib)
    before = snapshot()
    engine = model.Session.get_bind()
    seen = []

    def fail_after_first_write(conn, cursor, statement, *args):
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            seen.append(statement)
            raise RuntimeError("the database went away")

    sa.event.listen(engine, "after_cursor_execute", fail_after_first_write)
    try:
        with pytest.raises(RuntimeError):
            as_user(user, action, **data)
    finally:
        sa.event.remove(engine, "after_cursor_execute", fail_after_first_write)
    assert seen
    assert snapshot() == before


@pytest.mark.usefixtures("clean_redis")
@pytest.mark.ckan_config("ckanext.crowdsource.common.writes_per_minute", 3)
@pytest.mark.parametrize("action", WRITES)
def test_writes_are_rate_limited(lib, action):
    user, data = CALLS[action](lib)
    for _ in range(3):  # the user's minute is used up
        ratelimit._over(("user", user["id"]), 3, 60)
    before = snapshot()
    with pytest.raises(logic.ValidationError) as e:
        as_user(user, action, **data)
    assert list(e.value.error_dict) == ["rate_limit"]
    assert snapshot() == before


@pytest.mark.usefixtures("clean_redis")
@pytest.mark.ckan_config("ckanext.crowdsource.common.writes_per_minute", 1)
@pytest.mark.ckan_config("ckanext.crowdsource.feedback.anonymous", True)
@pytest.mark.ckan_config("ckanext.crowdsource.feedback.anonymous_per_hour", 0)
def test_anonymous_senders_have_the_address_limit_not_the_user_limit(lib):
    for n in range(3):
        send(lib, who=None, contact_email=f"a{n}@example.org")
    send(lib)
    with pytest.raises(logic.ValidationError) as e:
        send(lib)
    assert "rate_limit" in e.value.error_dict


@pytest.mark.ckan_config("ckanext.crowdsource.feedback.anonymous", True)
@pytest.mark.ckan_config("ckanext.crowdsource.feedback.anonymous_per_hour", 1)
def test_without_redis_feedback_is_still_saved(lib, monkeypatch):
    def down():
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(ratelimit, "connect_to_redis", down)
    for n in range(2):
        assert send(lib, who=None, contact_email=f"a{n}@example.org")["anonymous"]
    assert send(lib)["author"]["name"] == lib["reader"]["name"]


@pytest.mark.parametrize("action,data,field", [
    ("crowdsource_feedback_create", {"body": "nul \x00 byte"}, "body"),
    ("crowdsource_feedback_create", {"title": "lone \ud800"}, "title"),
    ("crowdsource_feedback_create", {"package_id": "x\x00"}, "package_id"),
    ("crowdsource_feedback_create", {"organization": ["a"]}, "organization"),
    ("crowdsource_feedback_create", {"rating": "five"}, "rating"),
    ("crowdsource_feedback_show", {"id": "x\x00"}, "id"),
    ("crowdsource_feedback_list", {"package_id": "\ud800"}, "package_id"),
    ("crowdsource_feedback_list", {"since": "yesterday"}, "since"),
    ("crowdsource_feedback_list", {"limit": "many"}, "limit"),
    ("crowdsource_request_list", {"sort": "loudest"}, "sort"),
    ("crowdsource_request_second", {"id": {"a": 1}}, "id"),
    ("crowdsource_feedback_export", {"limit": 5001}, "limit"),
    ("crowdsource_rating_summary", {"package_id": ""}, "package_id"),
])
def test_bad_input_is_a_validation_error_naming_the_field(lib, action, data, field):
    user, base = CALLS[action](lib)
    with pytest.raises(logic.ValidationError) as e:
        as_user(user, action, **{**base, **data})
    assert field in e.value.error_dict


def test_a_resource_of_another_dataset_is_refused(lib):
    with pytest.raises(logic.ValidationError) as e:
        send(lib, package_id=lib["ds2"]["id"], resource_id=lib["res"]["id"])
    assert "resource_id" in e.value.error_dict
    assert send(lib, package_id=lib["ds"]["name"],
                resource_id=lib["res"]["id"])["subject_type"] == "resource"


def test_a_deferred_commit_leaves_the_commit_to_the_caller(lib):
    before = snapshot()
    context = {"user": lib["reader"]["name"], "ignore_auth": False, "defer_commit": True}
    out = logic.get_action("crowdsource_feedback_create")(context, {
        "kind": "error", "body": "x", "package_id": lib["ds"]["id"], "rating": 2})
    assert model.Session.execute(sa.select(feedback.c.id)).scalars().all() == [out["id"]]
    model.Session.rollback()
    assert snapshot() == before


@pytest.mark.usefixtures("clean_redis")
def test_the_inbox_counts_follow_each_change(lib):
    count = lambda: as_user(  # noqa: E731
        lib["editor"], "crowdsource_feedback_summary")["by_status"]
    assert count() == {}
    first = send(lib)
    assert count() == {"new": 1}
    as_user(lib["editor"], "crowdsource_feedback_set_status", id=first["id"],
            status="acknowledged")
    assert count() == {"acknowledged": 1}
    assert as_user(lib["editor"], "crowdsource_feedback_list")["count"] == 1


# DESIGN section 6: "send feedback", "see / answer feedback"
@pytest.mark.parametrize("who,allowed", [
    (None, False), ("reader", True), ("member", True), ("editor", True), ("sysadmin", True)])
def test_who_may_send_feedback(lib, who, allowed):
    if allowed:
        assert send(lib, who=who)["status"] == "new"
    else:
        with pytest.raises(logic.NotAuthorized):
            send(lib, who=who, contact_email="a@example.org")


@pytest.mark.ckan_config("ckanext.crowdsource.feedback.anonymous", True)
def test_anonymous_may_send_when_the_site_allows(lib):
    assert send(lib, who=None, contact_email="a@example.org")["anonymous"]


@pytest.mark.parametrize("who,sees,answers,moves", [
    (None, False, False, False),
    ("reader2", False, False, False),   # another reader
    ("reader", True, True, False),      # the author
    ("member", False, False, False),    # members are not staff
    ("other_editor", False, False, False),  # staff of another organization
    ("editor", True, True, True),
    ("admin", True, True, True),
    ("sysadmin", True, True, True),
])
def test_who_may_see_answer_and_move_feedback(lib, who, sees, answers, moves):
    f = send(lib)
    user = lib[who] if who else None
    cells = (("crowdsource_feedback_show", {}, sees),
             ("crowdsource_feedback_reply", {"body": "hello"}, answers),
             ("crowdsource_feedback_set_status", {"status": "acknowledged"}, moves))
    for action, data, allowed in cells:
        if allowed:
            assert as_user(user, action, id=f["id"], **data)["id"] == f["id"]
        else:
            with pytest.raises(logic.NotAuthorized):
                as_user(user, action, id=f["id"], **data)


@pytest.mark.parametrize("who,sees,seconds", [
    (None, True, False), ("reader2", True, True), ("reader", True, False),
    ("editor", True, True)])
def test_requests_are_public_and_seconded_by_others(lib, who, sees, seconds):
    r = send(lib, kind="request", title="Maps of 1900")
    user = lib[who] if who else None
    shown = as_user(user, "crowdsource_feedback_show", id=r["id"])
    assert shown["title"] == "Maps of 1900"
    assert ("messages" in shown) == (who in ("reader", "editor"))
    if seconds:
        assert as_user(user, "crowdsource_request_second", id=r["id"])["seconds"] == 1
    else:
        with pytest.raises(logic.NotAuthorized):
            as_user(user, "crowdsource_request_second", id=r["id"])


@pytest.mark.parametrize("who,inbox,export", [
    (None, False, False), ("reader", False, False), ("member", False, False),
    ("editor", True, True), ("sysadmin", True, True)])
def test_who_may_read_the_inbox_and_export_it(lib, who, inbox, export):
    send(lib)
    user = lib[who] if who else None
    for action, allowed in (("crowdsource_feedback_list", inbox),
                            ("crowdsource_feedback_summary", inbox),
                            ("crowdsource_feedback_export", export)):
        if allowed:
            assert as_user(user, action)["count"] == 1
        else:
            with pytest.raises(logic.NotAuthorized):
                as_user(user, action)
