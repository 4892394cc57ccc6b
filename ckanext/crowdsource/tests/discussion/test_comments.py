"""Comments and replies: post, thread, edit with history, soft delete."""
import pytest
from ckan import logic
from ckan.tests import helpers

from ckanext.crowdsource.tests.helpers import as_user


def comment(user, lib, body="First!", **kw):
    return as_user(user, "crowdsource_post_create", package_id=lib["ds"]["name"],
                   body=body, **kw)


def thread(user, lib, **kw):
    return as_user(user, "crowdsource_thread_show", package_id=lib["ds"]["id"], **kw)


def test_a_dataset_discussion_starts_with_its_first_comment(lib):
    empty = thread(None, lib)
    assert empty["id"] is None and empty["posts"] == [] and empty["count"] == 0
    post = comment(lib["reader"], lib, "Where is the **1850** map?")
    assert post["kind"] == "comment" and post["state"] == "published" and post["mine"]
    assert post["author"]["name"] == lib["reader"]["name"]
    shown = thread(None, lib)
    assert shown["id"] == post["thread_id"] and shown["count"] == 1
    assert shown["posts"][0]["body"] == "Where is the **1850** map?"
    assert not shown["posts"][0]["mine"]
    # the second comment joins the same thread
    assert comment(lib["reader2"], lib)["thread_id"] == post["thread_id"]


def test_replies_nest_under_their_parent_at_any_depth(lib):
    top = comment(lib["reader"], lib, "top")
    reply = comment(lib["reader2"], lib, "reply", parent_id=top["id"])
    deeper = comment(lib["reader"], lib, "deeper", parent_id=reply["id"])
    comment(lib["reader3"], lib, "deepest", parent_id=deeper["id"])
    shown = thread(None, lib)
    assert shown["count"] == 1
    root = shown["posts"][0]
    assert root["reply_count"] == 3
    chain = [root["body"]]
    node = root
    while node["replies"]:
        node = node["replies"][0]
        chain.append(node["body"])
    assert chain == ["top", "reply", "deeper", "deepest"]


def test_comments_on_a_resource_have_their_own_thread(lib):
    on_res = comment(lib["reader"], lib, "about the csv", resource_id=lib["res"]["id"])
    on_ds = comment(lib["reader"], lib, "about the dataset")
    assert on_res["thread_id"] != on_ds["thread_id"]
    shown = as_user(None, "crowdsource_thread_show", resource_id=lib["res"]["id"])
    assert [p["body"] for p in shown["posts"]] == ["about the csv"]
    listed = as_user(None, "crowdsource_thread_list", package_id=lib["ds"]["id"])
    assert listed["count"] == 2
    assert {(t["subject_type"], t["posts"]) for t in listed["results"]} == {
        ("resource", 1), ("dataset", 1)}


def test_sorting_and_paging(lib):
    for n in range(5):
        comment(lib["reader"], lib, f"c{n}")
    newest = thread(None, lib, limit=2)
    assert newest["count"] == 5 and [p["body"] for p in newest["posts"]] == ["c4", "c3"]
    oldest = thread(None, lib, sort="oldest", limit=2, offset=2)
    assert [p["body"] for p in oldest["posts"]] == ["c2", "c3"]
    with pytest.raises(logic.ValidationError) as e:
        thread(None, lib, limit=1000)
    assert "limit" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        thread(None, lib, sort="best")
    assert "sort" in e.value.error_dict


def test_edit_is_marked_and_history_is_kept_for_staff(lib):
    post = comment(lib["reader"], lib, "teh map")
    edited = as_user(lib["reader"], "crowdsource_post_update", id=post["id"], body="the map")
    assert edited["body"] == "the map" and edited["edited"]
    history = as_user(lib["editor"], "crowdsource_post_history", id=post["id"])
    assert history["count"] == 1
    assert [h["body"] for h in history["results"]] == ["teh map"]
    assert history["results"][0]["author"]["name"] == lib["reader"]["name"]
    as_user(lib["reader"], "crowdsource_post_update", id=post["id"], body="the maps")
    paged = as_user(lib["editor"], "crowdsource_post_history", id=post["id"], limit=1)
    assert paged["count"] == 2 and [h["body"] for h in paged["results"]] == ["the map"]
    for who in ("reader", "reader2", "other_editor"):
        with pytest.raises(logic.NotAuthorized):
            as_user(lib[who], "crowdsource_post_history", id=post["id"])


def test_only_the_author_edits(lib):
    post = comment(lib["reader"], lib)
    for who in ("reader2", "editor", "sysadmin"):
        with pytest.raises(logic.NotAuthorized):
            as_user(lib[who], "crowdsource_post_update", id=post["id"], body="mine now")
    with pytest.raises(logic.NotAuthorized):
        as_user(None, "crowdsource_post_update", id=post["id"], body="x")


def test_soft_delete_keeps_the_place_of_the_post_and_its_replies(lib):
    top = comment(lib["reader"], lib, "question about scale")
    comment(lib["reader2"], lib, "1:5000", parent_id=top["id"])
    deleted = as_user(lib["reader"], "crowdsource_post_delete", id=top["id"])
    assert (deleted["id"], deleted["state"], deleted["deleted_by"]) == (
        top["id"], "deleted", "author")
    shown = thread(None, lib)["posts"][0]
    assert shown["state"] == "deleted" and shown["deleted_by"] == "author"
    assert shown["body"] == "" and shown["author"] is None
    assert shown["replies"][0]["body"] == "1:5000"
    # staff still read what it said
    assert thread(lib["editor"], lib)["posts"][0]["body"] == "question about scale"
    with pytest.raises(logic.ValidationError) as e:
        comment(lib["reader3"], lib, "late", parent_id=top["id"])
    assert "parent_id" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader"], "crowdsource_post_update", id=top["id"], body="back")
    assert "state" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader"], "crowdsource_post_delete", id=top["id"])
    assert "state" in e.value.error_dict


def test_staff_delete_any_post_and_it_is_logged(lib):
    post = comment(lib["reader"], lib)
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["reader2"], "crowdsource_post_delete", id=post["id"])
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["other_editor"], "crowdsource_post_delete", id=post["id"])
    deleted = as_user(lib["editor"], "crowdsource_post_delete", id=post["id"],
                      reason="off topic")
    assert deleted["body"] == "First!"  # staff still read it
    assert thread(None, lib)["posts"][0]["deleted_by"] == "staff"
    log = as_user(lib["admin"], "crowdsource_moderation_log_list")["results"]
    assert (log[0]["item_type"], log[0]["action"], log[0]["reason"]) == (
        "post", "delete", "off topic")


@pytest.mark.parametrize("data,field", [
    ({"body": ""}, "body"),
    ({"body": "   "}, "body"),
    ({"body": "x" * 10001}, "body"),
    ({"body": "nul\x00byte"}, "body"),
    ({"body": "lone \ud800 surrogate"}, "body"),
    ({"body": ["a list"]}, "body"),
    ({}, "body"),
    ({"body": "x", "resource_id": "bad\x00id"}, "resource_id"),
    ({"body": "x", "parent_id": {"a": "dict"}}, "parent_id"),
])
def test_bad_posts_are_validation_errors_naming_the_field(lib, data, field):
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"], **data)
    assert field in e.value.error_dict


def test_a_post_with_unknown_keys_is_refused_not_put_in_the_site_discussion(lib):
    """It once answered 200 and put the comment in the site-wide discussion."""
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader"], "crowdsource_post_create", subject_type="dataset",
                subject_id=lib["ds"]["id"], body="about the maps")
    assert {"subject_type", "subject_id"} <= set(e.value.error_dict)
    assert thread(None, lib)["count"] == 0
    assert as_user(None, "crowdsource_thread_list", package_id=lib["ds"]["id"])["count"] == 0
    with pytest.raises(logic.ValidationError) as e:
        comment(lib["reader"], lib, "typo", parnet_id="x")
    assert list(e.value.error_dict) == ["parnet_id"]


def test_a_post_goes_to_one_place(lib):
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader"], "crowdsource_post_create", body="nowhere")
    assert "package_id" in e.value.error_dict
    top = comment(lib["reader"], lib, "top")
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader2"], "crowdsource_post_create", parent_id=top["id"],
                package_id=lib["ds2"]["id"], body="elsewhere")
    assert "package_id" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        comment(lib["reader2"], lib, "elsewhere", parent_id=top["id"],
                resource_id=lib["res"]["id"])
    assert "resource_id" in e.value.error_dict
    q = as_user(lib["reader"], "crowdsource_question_create", package_id=lib["ds"]["id"],
                title="Scale?", body="?")
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader2"], "crowdsource_post_create", parent_id=top["id"],
                thread_id=q["id"], body="elsewhere")
    assert "thread_id" in e.value.error_dict
    reply = as_user(lib["reader2"], "crowdsource_post_create", parent_id=top["id"],
                    thread_id=top["thread_id"], body="here")
    assert (reply["parent_id"], reply["thread_id"]) == (top["id"], top["thread_id"])


@pytest.mark.ckan_config("ckanext.crowdsource.discussion.body_max_length", 20)
def test_the_length_bound_is_configurable(lib):
    with pytest.raises(logic.ValidationError) as e:
        comment(lib["reader"], lib, "x" * 21)
    assert "20" in str(e.value.error_dict["body"])


def test_missing_things_are_not_found(lib):
    with pytest.raises(logic.NotFound):
        as_user(lib["reader"], "crowdsource_post_create", package_id="nope", body="x")
    with pytest.raises(logic.NotFound):
        as_user(lib["reader"], "crowdsource_post_create", parent_id="nope", body="x")
    with pytest.raises(logic.NotFound):
        as_user(lib["reader"], "crowdsource_post_create", resource_id="nope", body="x")
    with pytest.raises(logic.NotFound):
        as_user(None, "crowdsource_post_show", id="nope")
    with pytest.raises(logic.NotFound):
        as_user(None, "crowdsource_thread_show", id="nope")
    with pytest.raises(logic.NotFound):
        as_user(lib["editor"], "crowdsource_post_history", id="nope")
    with pytest.raises(logic.NotFound):
        as_user(lib["reader"], "crowdsource_post_update", id="nope", body="x")
    with pytest.raises(logic.NotFound):
        as_user(lib["reader"], "crowdsource_post_delete", id="nope")


def test_anonymous_users_read_but_do_not_post(lib):
    comment(lib["reader"], lib)
    assert thread(None, lib)["count"] == 1
    with pytest.raises(logic.NotAuthorized):
        comment(None, lib)


def test_private_datasets_discussions_are_for_those_who_see_them(lib):
    as_user(lib["member"], "crowdsource_post_create", package_id=lib["private"]["id"],
            body="rota question")
    for who in (None, "reader", "other_editor"):
        user = lib[who] if who else None
        with pytest.raises(logic.NotAuthorized):
            as_user(user, "crowdsource_thread_show", package_id=lib["private"]["id"])
        with pytest.raises(logic.NotAuthorized):
            as_user(user, "crowdsource_thread_list", package_id=lib["private"]["id"])
    with pytest.raises(logic.NotAuthorized):
        as_user(lib["reader"], "crowdsource_post_create", package_id=lib["private"]["id"],
                body="let me in")
    assert as_user(lib["editor"], "crowdsource_thread_show",
                   package_id=lib["private"]["id"])["count"] == 1


def test_the_http_api(lib, app):
    token = helpers.call_action("api_token_create", context={"user": lib["reader"]["name"]},
                                user=lib["reader"]["name"], name="t")["token"]
    res = app.post("/api/3/action/crowdsource_post_create",
                   json={"package_id": lib["ds"]["name"], "body": "古籍 question"},
                   headers={"Authorization": token})
    assert res.status_code == 200, res.body
    res = app.get("/api/3/action/crowdsource_thread_show", query_string={
        "package_id": lib["ds"]["name"]})
    assert res.json["result"]["posts"][0]["body"] == "古籍 question"
    res = app.post("/api/3/action/crowdsource_post_create",
                   json={"package_id": lib["ds"]["name"], "body": ""},
                   headers={"Authorization": token})
    assert res.status_code == 409 and "body" in res.json["error"]
    res = app.post("/api/3/action/crowdsource_post_create",
                   json={"package_id": lib["ds"]["name"], "body": "x"})
    assert res.status_code == 403


@pytest.mark.parametrize("data,field", [
    ({"replies": "many"}, "replies"),
    ({"replies": -1}, "replies"),
    ({"limit": "x"}, "limit"),
    ({"offset": -3}, "offset"),
    ({"sort": "loudest"}, "sort"),
    ({"root_id": "a\x00"}, "root_id"),
    ({"thread_id": "x"}, "thread_id"),
])
def test_bad_thread_show_input_names_the_field(lib, data, field):
    with pytest.raises(logic.ValidationError) as e:
        thread(None, lib, **data)
    assert field in e.value.error_dict


def test_a_thread_is_named_one_way(lib):
    post = comment(lib["reader"], lib)
    assert as_user(None, "crowdsource_thread_show", id=post["thread_id"])["count"] == 1
    with pytest.raises(logic.ValidationError) as e:
        as_user(None, "crowdsource_thread_show", id=post["thread_id"],
                package_id=lib["ds"]["id"])
    assert "id" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(None, "crowdsource_thread_show")
    assert "id" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(None, "crowdsource_thread_list", package_id=lib["ds"]["id"], kind="chat")
    assert "kind" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(None, "crowdsource_thread_list")
    assert "package_id" in e.value.error_dict
    with pytest.raises(logic.NotFound):
        as_user(None, "crowdsource_thread_list", package_id="nope")


def test_post_actions_return_the_post(lib):
    post = comment(lib["reader"], lib, "v1")
    assert as_user(None, "crowdsource_post_show", id=post["id"]) == {**post, "mine": False}
    edited = as_user(lib["reader"], "crowdsource_post_update", id=post["id"], body="v2")
    assert (edited["id"], edited["body"]) == (post["id"], "v2")
    same = as_user(lib["reader"], "crowdsource_post_update", id=post["id"], body="v2")
    assert same == edited  # nothing changed: no new version either
    assert as_user(lib["editor"], "crowdsource_post_history", id=post["id"])["count"] == 1
