"""Votes; flags, hiding and pre-moderation through the moderation core; rate limits."""
import pytest
from ckan import logic
from ckan.tests import helpers

from ckanext.crowdsource.tests.helpers import as_user


@pytest.fixture
def posts(lib):
    q = as_user(lib["reader"], "crowdsource_question_create", package_id=lib["ds"]["id"],
                title="Scale?", body="What scale are the maps?")
    a = as_user(lib["reader2"], "crowdsource_post_create", thread_id=q["id"], body="1:5000")
    c = as_user(lib["reader2"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                body="Lovely maps")
    return {**lib, "q": q, "answer": a, "comment": c}


def vote(user, post, value):
    return as_user(user, "crowdsource_post_vote", id=post["id"], vote=value)


def score(user, post, value):
    """The post's score and the user's vote after the user votes."""
    voted = vote(user, post, value)
    assert voted["id"] == post["id"]
    return voted["score"], voted["my_vote"]


def flag_hides(user, post):
    """Whether the user's flag hid the post (``item_hidden``; ``hidden`` in
    the flag action's earlier shape)."""
    result = as_user(user, "crowdsource_flag_create", item_type="post", item_id=post["id"],
                     reason="rude")
    return result.get("item_hidden", result.get("hidden"))


def test_one_vote_per_user_which_can_change_or_be_withdrawn(posts):
    a = posts["answer"]
    assert score(posts["reader"], a, 1) == (1, 1)
    assert score(posts["reader"], a, 1) == (1, 1)  # again: no change
    assert score(posts["reader3"], a, "1") == (2, 1)
    assert score(posts["reader"], a, -1) == (0, -1)
    assert score(posts["reader"], a, 0) == (1, 0)
    shown = as_user(posts["reader3"], "crowdsource_post_show", id=a["id"])
    assert shown["score"] == 1 and shown["my_vote"] == 1


def test_comments_are_only_voted_up(posts):
    assert vote(posts["reader"], posts["comment"], 1)["score"] == 1
    with pytest.raises(logic.ValidationError) as e:
        vote(posts["reader"], posts["comment"], -1)
    assert "vote" in e.value.error_dict


@pytest.mark.parametrize("value", [2, "up", None, True, 1.5, [1], ""])
def test_bad_votes_name_the_field(posts, value):
    with pytest.raises(logic.ValidationError) as e:
        vote(posts["reader"], posts["answer"], value)
    assert "vote" in e.value.error_dict


def test_nobody_votes_on_their_own_post_or_anonymously(posts):
    with pytest.raises(logic.NotAuthorized):
        vote(posts["reader2"], posts["answer"], 1)
    sysadmin_post = as_user(posts["sysadmin"], "crowdsource_post_create",
                            thread_id=posts["q"]["id"], body="from the sysadmin")
    with pytest.raises(logic.NotAuthorized):
        vote(posts["sysadmin"], sysadmin_post, 1)
    with pytest.raises(logic.NotAuthorized):
        vote(None, posts["answer"], 1)
    with pytest.raises(logic.NotFound):
        as_user(posts["reader"], "crowdsource_post_vote", id="nope", vote=1)


def test_flags_hide_a_post_at_the_threshold_and_it_reaches_the_queue(posts):
    c = posts["comment"]
    for who in ("reader", "reader3"):
        assert not flag_hides(posts[who], c)
    queue = as_user(posts["editor"], "crowdsource_moderation_list", status="flagged")
    assert [(i["item_type"], i["item_id"], i["flags"]) for i in queue["results"]] == [
        ("post", c["id"], 2)]
    assert queue["results"][0]["label"] == "Lovely maps"
    assert queue["results"][0]["url"].endswith(f"#post-{c['id']}")
    assert flag_hides(posts["member"], c)
    # hidden from readers, shown to its author with the reason, and to staff
    anon = as_user(None, "crowdsource_thread_show", package_id=posts["ds"]["id"])
    assert anon["count"] == 0
    mine = as_user(posts["reader2"], "crowdsource_thread_show", package_id=posts["ds"]["id"])
    assert mine["posts"][0]["state"] == "hidden" and "flagged" in mine["posts"][0]["reason"]
    with pytest.raises(logic.NotFound):
        as_user(posts["reader"], "crowdsource_post_show", id=c["id"])
    assert as_user(posts["editor"], "crowdsource_post_show", id=c["id"])["state"] == "hidden"
    as_user(posts["editor"], "crowdsource_flag_review", item_type="post", item_id=c["id"],
            decision="clear")
    assert as_user(None, "crowdsource_thread_show", package_id=posts["ds"]["id"])["count"] == 1


def test_staff_hide_and_restore_posts_with_a_reason(posts):
    a = posts["answer"]
    decide = dict(item_type="post", item_id=a["id"])
    for who in ("reader", "reader2", "member", "other_editor"):
        with pytest.raises(logic.NotAuthorized):
            as_user(posts[who], "crowdsource_moderation_decide", decision="hide", **decide)
    as_user(posts["editor"], "crowdsource_moderation_decide", decision="hide",
            reason="wrong and rude", **decide)
    assert as_user(None, "crowdsource_thread_show", id=posts["q"]["id"])["count"] == 0
    queue = as_user(posts["admin"], "crowdsource_moderation_list", status="hidden")
    assert queue["results"][0]["item_id"] == a["id"] and queue["results"][0]["hidden"]
    with pytest.raises(logic.ValidationError) as e:
        as_user(posts["editor"], "crowdsource_moderation_decide", decision="hide", **decide)
    assert {"state", "decision"} & set(e.value.error_dict)  # keyed on the condition
    with pytest.raises(logic.NotFound):  # readers do not learn of hidden posts
        vote(posts["reader"], a, 1)
    with pytest.raises(logic.ValidationError) as e:  # staff see it, but it takes no votes
        vote(posts["admin"], a, 1)
    assert "state" in e.value.error_dict
    as_user(posts["editor"], "crowdsource_moderation_decide", decision="restore", **decide)
    assert as_user(None, "crowdsource_thread_show", id=posts["q"]["id"])["count"] == 1
    log = as_user(posts["editor"], "crowdsource_moderation_log_list", item_type="post")
    assert [entry["action"] for entry in log["results"]] == ["restore", "hide"]


def test_a_hidden_reply_with_visible_replies_stays_as_a_placeholder(posts):
    c = posts["comment"]
    reply = as_user(posts["reader3"], "crowdsource_post_create", parent_id=c["id"], body="spam")
    as_user(posts["reader"], "crowdsource_post_create", parent_id=reply["id"], body="what?")
    lonely = as_user(posts["reader3"], "crowdsource_post_create", parent_id=c["id"],
                     body="more spam")
    for p in (reply, lonely):
        as_user(posts["editor"], "crowdsource_moderation_decide", item_type="post",
                item_id=p["id"], decision="hide")
    top = as_user(None, "crowdsource_thread_show", package_id=posts["ds"]["id"])["posts"][0]
    assert len(top["replies"]) == 1
    placeholder = top["replies"][0]
    assert placeholder["state"] == "hidden" and placeholder["body"] == ""
    assert placeholder["author"] is None and placeholder["replies"][0]["body"] == "what?"
    staff_view = as_user(posts["editor"], "crowdsource_thread_show",
                         package_id=posts["ds"]["id"])["posts"][0]
    assert len(staff_view["replies"]) == 2


@pytest.mark.ckan_config("ckanext.crowdsource.discussion.premoderation_posts", 1)
def test_premoderation_holds_new_readers_posts_until_staff_approve(lib):
    held = as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                   body="my first post")
    assert held["state"] == "pending"
    assert as_user(None, "crowdsource_thread_show", package_id=lib["ds"]["id"])["count"] == 0
    assert as_user(lib["reader"], "crowdsource_thread_show",
                   package_id=lib["ds"]["id"])["posts"][0]["state"] == "pending"
    staff_post = as_user(lib["editor"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                         body="welcome")
    assert staff_post["state"] == "published"
    queue = as_user(lib["editor"], "crowdsource_moderation_list", status="pending")
    assert [i["item_id"] for i in queue["results"]] == [held["id"]]
    assert queue["results"][0]["pending"]
    with pytest.raises(logic.NotFound):  # a post they cannot see: not even its existence
        as_user(lib["reader2"], "crowdsource_moderation_decide", item_type="post",
                item_id=held["id"], decision="approve")
    as_user(lib["editor"], "crowdsource_moderation_decide", item_type="post",
            item_id=held["id"], decision="approve")
    assert as_user(None, "crowdsource_thread_show", package_id=lib["ds"]["id"])["count"] == 2
    with pytest.raises(logic.ValidationError):
        as_user(lib["editor"], "crowdsource_moderation_decide", item_type="post",
                item_id=held["id"], decision="approve")
    # one published post: the next one is not held
    assert as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                   body="second")["state"] == "published"


@pytest.mark.ckan_config("ckanext.crowdsource.common.writes_per_minute", 3)
def test_writes_are_rate_limited_per_user(lib, clean_redis):
    for n in range(3):
        as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                body=f"post {n}")
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader"], "crowdsource_question_create", package_id=lib["ds"]["id"],
                title="one more", body="?")
    assert "rate_limit" in e.value.error_dict
    # others, and sysadmins, are not held back by it
    as_user(lib["reader2"], "crowdsource_post_create", package_id=lib["ds"]["id"], body="hi")
    for n in range(4):
        as_user(lib["sysadmin"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                body=f"script {n}")
    assert as_user(None, "crowdsource_thread_show", package_id=lib["ds"]["id"])["count"] == 8
    assert helpers  # the limit is counted in Redis, shared by every web worker


def test_a_hidden_comment_with_replies_keeps_its_place_without_its_text(posts):
    c = posts["comment"]
    as_user(posts["reader"], "crowdsource_post_create", parent_id=c["id"], body="I agree")
    as_user(posts["editor"], "crowdsource_moderation_decide", item_type="post",
            item_id=c["id"], decision="hide", reason="personal data")
    shown = as_user(posts["reader3"], "crowdsource_thread_show", package_id=posts["ds"]["id"])
    assert shown["count"] == 1
    top = shown["posts"][0]
    assert (top["state"], top["body"], top["author"]) == ("hidden", "", None)
    assert "reason" not in top
    assert top["replies"][0]["body"] == "I agree"
