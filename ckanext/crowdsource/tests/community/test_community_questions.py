"""Questions asked within a community: its members ask, its list respects
private datasets, readers find what waits for an answer in their
communities, and the community shows its experts."""
import pytest
from bs4 import BeautifulSoup
from ckan import logic
from ckan.tests import helpers

from ckanext.crowdsource.tests.community.calls import joined
from ckanext.crowdsource.tests.helpers import as_user, log_in


def ask(town, who, c, **kw):
    data = {"title": "Where was the old mill?", "body": "On which map?",
            "community_id": c["id"], **kw}
    return as_user(town[who], "crowdsource_question_create", **data)


def listed(town, who, **kw):
    found = as_user(town[who] if who else None, "crowdsource_question_list", **kw)
    assert found["count"] == len(found["results"])
    return sorted(r["title"] for r in found["results"])


def answer(town, who, q):
    return as_user(town[who], "crowdsource_post_create", thread_id=q["id"], body="Here.")


def test_members_ask_within_a_community(town):
    q = ask(town, "member", town["open_c"])
    assert (q["subject_type"], q["subject_id"], q["community_id"], q["community_name"],
            q["subject_label"]) == ("community", town["open_c"]["id"], town["open_c"]["id"],
                                    town["open_c"]["name"], town["open_c"]["title"])
    on_dataset = ask(town, "reader3", town["open_c"], title="Who drew it?",
                     package_id=town["ds"]["name"])
    assert (on_dataset["subject_type"], on_dataset["package_id"],
            on_dataset["community_id"]) == ("dataset", town["ds"]["id"], town["open_c"]["id"])
    # it shows with the dataset's questions as well as the community's
    assert "Who drew it?" in listed(town, None, package_id=town["ds"]["id"])
    assert listed(town, None, community_id=town["open_c"]["name"]) == [
        "Where was the old mill?", "Who drew it?"]
    # anyone answers (members see it in their community; visitors read it)
    assert answer(town, "reader2", q)["kind"] == "answer"
    shown = as_user(None, "crowdsource_thread_show", id=q["id"])
    assert shown["community_title"] == town["open_c"]["title"]


def test_non_members_may_not_ask_within_it(town):
    for who in ("reader2", "editor", "other_editor"):  # reader2 only asked to join request_c
        with pytest.raises(logic.NotAuthorized):
            ask(town, who, town["request_c"] if who == "reader2" else town["open_c"])
    with pytest.raises(logic.NotAuthorized):
        ask(town, "reader2", town["open_c"], package_id=town["ds"]["id"])
    with pytest.raises(logic.NotAuthorized):
        as_user(None, "crowdsource_question_create", title="?", body="?",
                community_id=town["open_c"]["id"])
    as_user(town["reader3"], "crowdsource_community_leave", id=town["open_c"]["id"])
    with pytest.raises(logic.NotAuthorized):  # a member who left, at once
        ask(town, "reader3", town["open_c"])
    assert listed(town, None, community_id=town["open_c"]["id"]) == []


def test_bad_communities_are_named(town):
    for ref in ("nope", town["community"]["id"]):  # no group; a plain group
        with pytest.raises(logic.ValidationError) as e:
            ask(town, "member", {"id": ref})
        assert "community_id" in e.value.error_dict
        with pytest.raises(logic.NotFound):
            as_user(None, "crowdsource_question_list", community_id=ref)
    with pytest.raises(logic.ValidationError) as e:
        as_user(town["member"], "crowdsource_question_list", unanswered_in_my_communities="x")
    assert "unanswered_in_my_communities" in e.value.error_dict


def test_the_community_list_hides_questions_on_private_datasets(town):
    # "member" is a member of the organization too: they see its private dataset
    ask(town, "member", town["open_c"], title="About the rota",
        package_id=town["private"]["id"])
    ask(town, "member", town["open_c"], title="About the town")
    for outsider in (None, "reader2", "reader3", "other_editor"):
        assert listed(town, outsider, community_id=town["open_c"]["id"]) == ["About the town"]
    for insider in ("member", "editor", "sysadmin"):
        assert listed(town, insider, community_id=town["open_c"]["id"]) == [
            "About the rota", "About the town"]


def test_unanswered_in_my_communities(town):
    other = joined(town, _community(town), "reader2")
    ask(town, "member", town["open_c"], title="open in open_c")
    answered = ask(town, "member", town["open_c"], title="answered in open_c")
    answer(town, "reader2", answered)
    ask(town, "reader", town["request_c"], title="open in request_c")
    ask(town, "reader3", town["open_c"], title="reader3's own")
    ask(town, "reader2", other, title="elsewhere")
    as_user(town["reader"], "crowdsource_question_create", title="not in a community",
            body="?")
    assert listed(town, "reader3", unanswered_in_my_communities=True) == [
        "open in open_c", "open in request_c"]
    # reader2 only asked to join request_c: not theirs yet
    assert listed(town, "reader2", unanswered_in_my_communities=True) == []
    assert listed(town, None, unanswered_in_my_communities=True) == []


def _community(town):
    from ckanext.crowdsource.tests.community.calls import community

    return community(town, owner="reader")


def test_experts_are_members_with_accepted_answers(town):
    q1 = ask(town, "reader", town["open_c"], title="one")
    q2 = ask(town, "reader", town["open_c"], title="two")
    q3 = ask(town, "reader", town["open_c"], title="three")
    joined(town, town["open_c"], "editor")
    private = ask(town, "editor", town["open_c"], title="rota",
                  package_id=town["private"]["id"])
    elsewhere = ask(town, "reader", town["request_c"], title="elsewhere")
    for q, who in ((q1, "reader3"), (q2, "reader3"), (q3, "member"), (elsewhere, "member")):
        as_user(town["reader"], "crowdsource_answer_accept", id=answer(town, who, q)["id"])
    # not a member: answers do not make an expert of them
    outsider = ask(town, "reader", town["open_c"], title="four")
    as_user(town["reader"], "crowdsource_answer_accept",
            id=answer(town, "reader2", outsider)["id"])
    as_user(town["editor"], "crowdsource_answer_accept",
            id=answer(town, "member", private)["id"])

    def experts(who):
        shown = as_user(town[who] if who else None, "crowdsource_community_show",
                        id=town["open_c"]["name"])
        return [(e["user"], e["accepted_answers"]) for e in shown["experts"]]

    assert experts(None) == [(town["reader3"]["name"], 2), (town["member"]["name"], 1)]
    # the question on the private dataset counts for those who may see it
    # (a tie: the latest accepted answer first)
    assert experts("member") == [(town["member"]["name"], 2), (town["reader3"]["name"], 2)]
    # a member who leaves is no expert of it any more
    as_user(town["reader3"], "crowdsource_community_leave", id=town["open_c"]["id"])
    assert experts(None) == [(town["member"]["name"], 1)]


def test_deleting_and_purging_a_community_keeps_its_questions(town):
    about = ask(town, "member", town["open_c"], title="about the community")
    on_dataset = ask(town, "member", town["open_c"], title="on a dataset",
                     package_id=town["ds"]["id"])
    sysadmin = {"user": town["sysadmin"]["name"]}
    helpers.call_action("group_delete", context=dict(sysadmin), id=town["open_c"]["id"])
    shown = as_user(None, "crowdsource_thread_show", id=about["id"])
    assert (shown["subject_type"], shown["community_name"]) == (
        "community", town["open_c"]["name"])
    assert "about the community" in listed(town, None)
    helpers.call_action("group_purge", context=dict(sysadmin), id=town["open_c"]["id"])
    shown = as_user(None, "crowdsource_thread_show", id=about["id"])
    assert (shown["subject_type"], shown["community_id"], shown["title"]) == (
        "site", None, "about the community")
    assert as_user(None, "crowdsource_thread_show", id=on_dataset["id"])["community_id"] is None
    assert listed(town, None, site=True) == ["about the community"]
    assert answer(town, "reader2", about)["kind"] == "answer"


def test_a_community_question_has_its_page(app, town):
    q = ask(town, "member", town["open_c"], title="Where was the mill?")
    res = app.get(f"/crowdsource/questions/{q['id']}")
    assert res.status_code == 200
    body = res.get_data(as_text=True)
    assert "Where was the mill?" in body and town["open_c"]["title"] in body
    assert f"/crowdsource/community/{town['open_c']['name']}" in body
    listed_page = app.get("/crowdsource/questions")
    assert listed_page.status_code == 200 and "Where was the mill?" in listed_page.get_data(
        as_text=True)
    helpers.call_action("group_delete", context={"user": town["sysadmin"]["name"]},
                        id=town["open_c"]["id"])
    assert app.get(f"/crowdsource/questions/{q['id']}").status_code == 200


def test_its_moderators_close_its_questions_and_no_others(town):
    """reader3 moderates open_c: they close and reopen its questions, not
    those of another community or of no community, and no longer once
    they are a plain member again."""
    q = ask(town, "member", town["open_c"])
    elsewhere = ask(town, "reader3", town["request_c"], title="Rare books?")
    library = as_user(town["reader2"], "crowdsource_question_create", title="Opening hours?",
                      body="On Sundays?")
    assert as_user(town["reader3"], "crowdsource_question_close", id=q["id"])["status"] == "closed"
    assert as_user(town["reader3"], "crowdsource_question_reopen", id=q["id"])["status"] != "closed"
    for other in (elsewhere, library):
        with pytest.raises(logic.NotAuthorized):
            as_user(town["reader3"], "crowdsource_question_close", id=other["id"])
    with pytest.raises(logic.NotAuthorized):  # a plain member
        as_user(town["member"], "crowdsource_question_close", id=q["id"])
    as_user(town["reader"], "crowdsource_community_member_set_role", id=town["open_c"]["id"],
            user_id=town["reader3"]["name"], role="member")
    with pytest.raises(logic.NotAuthorized):  # at once
        as_user(town["reader3"], "crowdsource_question_close", id=q["id"])


def test_the_close_button_shows_to_its_moderators(app, town):
    q = ask(town, "member", town["open_c"])
    for who, shown in (("reader3", True), ("member", False)):
        log_in(app, town[who])
        page = BeautifulSoup(app.get(f"/crowdsource/questions/{q['id']}").body, "html.parser")
        assert (page.select_one(".cs-staff-controls") is not None) is shown, who
