"""Joining, leaving, requests to join, roles, the last owner, and the limits
of a community's moderators."""
import pytest
import sqlalchemy as sa
from ckan import logic, model
from ckan.tests import factories, helpers

from ckanext.crowdsource.community.model import member
from ckanext.crowdsource.tests.community.calls import community, joined
from ckanext.crowdsource.tests.community.conftest import audit
from ckanext.crowdsource.tests.helpers import as_user


def rows(community_id):
    model.Session.expire_all()
    found = model.Session.execute(sa.select(member.c.user_id, member.c.role, member.c.state)
                                  .where(member.c.community_id == community_id)).all()
    model.Session.commit()
    return {tuple(r) for r in found}


def test_joining_an_open_community_twice_is_one_membership(lib, sent):
    c = community(lib)
    sent.clear()
    first = as_user(lib["reader2"], "crowdsource_community_join", id=c["name"])
    assert (first["community_id"], first["user"], first["role"], first["state"]) == (
        c["id"], lib["reader2"]["name"], "member", "active")
    again = as_user(lib["reader2"], "crowdsource_community_join", id=c["id"])
    assert again == first
    assert (lib["reader2"]["id"], "member", "active") in rows(c["id"])
    assert [s[0] for s in sent] == ["community_joined"]
    assert sent[0][2] == {"community_id": c["id"], "user_id": lib["reader2"]["id"],
                          "member_id": lib["reader2"]["id"], "role": "member",
                          "state": "active"}
    assert ("community_member", "join", lib["reader2"]["id"]) in audit(c["id"])
    assert as_user(None, "crowdsource_community_show", id=c["id"])["member_count"] == 2


def test_a_request_to_join_waits_for_a_moderator(town, sent):
    c = town["request_c"]
    asked = as_user(town["reader"], "crowdsource_community_show", id=c["id"])
    assert asked["pending_count"] == 1 and asked["member_count"] == 2
    mine = as_user(town["reader2"], "crowdsource_community_show", id=c["id"])
    assert mine["my_membership"] == {"role": "member", "state": "pending"}
    assert "pending_count" not in mine
    assert as_user(town["reader2"], "crowdsource_community_join",
                   id=c["id"])["state"] == "pending"  # asking again: the same request
    waiting = as_user(town["reader"], "crowdsource_community_member_list", id=c["id"],
                      state="pending")
    assert [m["user"] for m in waiting["results"]] == [town["reader2"]["name"]]
    with pytest.raises(logic.ValidationError) as e:
        as_user(town["reader"], "crowdsource_community_member_set_role", id=c["id"],
                user_id=town["reader2"]["name"], role="moderator")
    assert list(e.value.error_dict) == ["user_id"]
    declined = as_user(town["reader"], "crowdsource_community_member_request_review",
                       id=c["id"], user_id=town["reader2"]["name"], decision="decline",
                       note="Local readers only")
    assert declined["state"] == "none" and declined["user"] == town["reader2"]["name"]
    with pytest.raises(logic.ValidationError) as e:
        as_user(town["reader"], "crowdsource_community_member_request_review", id=c["id"],
                user_id=town["reader2"]["name"], decision="approve")
    assert list(e.value.error_dict) == ["user_id"]
    as_user(town["reader2"], "crowdsource_community_join", id=c["id"])  # asks again
    approved = as_user(town["editor"], "crowdsource_community_member_request_review",
                       id=c["id"], user_id=town["reader2"]["id"], decision="approve")
    assert approved["state"] == "active"
    with pytest.raises(logic.ValidationError) as e:
        as_user(town["reader"], "crowdsource_community_member_request_review", id=c["id"],
                user_id=town["reader2"]["id"], decision="approve")
    assert list(e.value.error_dict) == ["state"]
    assert [s[0] for s in sent] == ["community_request_declined", "community_join_requested",
                                    "community_request_approved"]
    log = [(kind, action) for kind, action, who in audit(c["id"])
           if who == town["reader2"]["id"]]
    assert sorted(log) == sorted([("community_member", a) for a in
                                  ("request", "decline", "request", "approve")])


def test_a_waiting_request_becomes_a_membership_once_the_community_is_open(town):
    c = town["request_c"]
    as_user(town["reader"], "crowdsource_community_update", id=c["id"], join_policy="open")
    assert as_user(town["reader2"], "crowdsource_community_show",
                   id=c["id"])["my_membership"]["state"] == "pending"
    assert as_user(town["reader2"], "crowdsource_community_join",
                   id=c["id"])["state"] == "active"


def test_leaving_and_withdrawing(town, sent):
    c = town["request_c"]
    left = as_user(town["reader3"], "crowdsource_community_leave", id=c["name"])
    assert (left["state"], left["role"], left["user"]) == ("none", None, town["reader3"]["name"])
    assert as_user(town["reader3"], "crowdsource_community_leave", id=c["id"]) == left
    assert as_user(town["reader2"], "crowdsource_community_leave", id=c["id"])["state"] == "none"
    assert rows(c["id"]) == {(town["reader"]["id"], "owner", "active")}
    assert [(s[0], s[2]["state"]) for s in sent] == [("community_left", "active"),
                                                    ("community_left", "pending")]
    log = audit(c["id"])
    assert ("community_member", "leave", town["reader3"]["id"]) in log
    assert ("community_member", "withdraw", town["reader2"]["id"]) in log


def test_the_last_owner_hands_over_before_leaving(town):
    c = town["open_c"]
    for action, data in (
            ("crowdsource_community_leave", {}),
            ("crowdsource_community_member_set_role",
             {"user_id": town["reader"]["name"], "role": "member"}),
            ("crowdsource_community_member_set_role",
             {"user_id": town["reader"]["name"], "role": "none"})):
        with pytest.raises(logic.ValidationError) as e:
            as_user(town["reader"], action, id=c["id"], **data)
        assert list(e.value.error_dict) == ["last_owner"], action
    # staff cannot take the last owner away either
    with pytest.raises(logic.ValidationError) as e:
        as_user(town["sysadmin"], "crowdsource_community_member_set_role", id=c["id"],
                user_id=town["reader"]["name"], role="member")
    assert list(e.value.error_dict) == ["last_owner"]
    as_user(town["reader"], "crowdsource_community_member_set_role", id=c["id"],
            user_id=town["reader3"]["name"], role="owner")
    assert as_user(town["reader"], "crowdsource_community_leave", id=c["id"])["state"] == "none"
    with pytest.raises(logic.ValidationError) as e:
        as_user(town["reader3"], "crowdsource_community_leave", id=c["id"])
    assert list(e.value.error_dict) == ["last_owner"]


def test_a_deleted_user_is_no_owner_and_no_member(town):
    c = town["open_c"]
    as_user(town["reader"], "crowdsource_community_member_set_role", id=c["id"],
            user_id=town["reader3"]["name"], role="owner")
    helpers.call_action("user_delete", context={"user": town["sysadmin"]["name"]},
                        id=town["reader3"]["id"])
    with pytest.raises(logic.ValidationError) as e:
        as_user(town["reader"], "crowdsource_community_leave", id=c["id"])
    assert list(e.value.error_dict) == ["last_owner"]
    shown = as_user(None, "crowdsource_community_show", id=c["id"])
    assert shown["member_count"] == 2 and len(shown["moderators"]) == 1
    assert as_user(None, "crowdsource_community_member_list", id=c["id"])["count"] == 2


def test_roles_and_removal(town, sent):
    c = town["open_c"]
    made = as_user(town["reader"], "crowdsource_community_member_set_role", id=c["id"],
                   user_id=town["member"]["id"], role="moderator")
    assert (made["user"], made["role"], made["state"]) == (town["member"]["name"],
                                                           "moderator", "active")
    same = as_user(town["reader"], "crowdsource_community_member_set_role", id=c["id"],
                   user_id=town["member"]["id"], role="moderator")
    assert same == made
    listed = as_user(None, "crowdsource_community_member_list", id=c["id"])
    assert [(m["user"], m["role"]) for m in listed["results"]] == [
        (town["reader"]["name"], "owner"), (town["reader3"]["name"], "moderator"),
        (town["member"]["name"], "moderator")]
    moderators = as_user(None, "crowdsource_community_member_list", id=c["id"],
                         role="moderator", limit=1, offset=1)
    assert moderators["count"] == 2 and len(moderators["results"]) == 1
    gone = as_user(town["editor"], "crowdsource_community_member_set_role", id=c["id"],
                   user_id=town["member"]["name"], role="none")
    assert gone["state"] == "none"
    assert as_user(None, "crowdsource_community_show", id=c["id"])["member_count"] == 2
    assert [s[0] for s in sent] == ["community_role_changed", "community_member_removed"]
    assert sent[0][2]["previous_role"] == "member"
    log = audit(c["id"])
    assert ("community_member", "role_moderator", town["member"]["id"]) in log
    assert ("community_member", "remove", town["member"]["id"]) in log


@pytest.mark.parametrize("data,field", [
    ({"user_id": "nobody-at-all", "role": "member"}, "user_id"),
    ({"role": "member"}, "user_id"),  # not a member
    ({"user_id": "READER3", "role": "boss"}, "role"),
    ({"user_id": "READER3"}, "role"),
])
def test_bad_role_changes_name_the_field(town, data, field):
    data = {k: town["reader2"]["name"] if v == "READER3" else v for k, v in data.items()}
    data.setdefault("user_id", town["reader2"]["name"])
    with pytest.raises(logic.ValidationError) as e:
        as_user(town["reader"], "crowdsource_community_member_set_role",
                id=town["open_c"]["id"], **data)
    assert field in e.value.error_dict, e.value.error_dict


def test_moderators_have_no_power_outside_their_community(town):
    mod, c, other = town["reader3"], town["open_c"], town["request_c"]
    # reader3 moderates open_c and is a plain member of request_c
    joined(town, c, "reader2")
    as_user(town["reader"], "crowdsource_community_update", id=c["id"], join_policy="request")
    newcomer = factories.User()
    as_user(newcomer, "crowdsource_community_join", id=c["id"])
    assert as_user(mod, "crowdsource_community_member_list", id=c["id"],
                   state="pending")["count"] == 1
    assert as_user(mod, "crowdsource_community_update", id=c["id"],
                   scope={"tags": ["maps"]})["scope"] == {"tags": ["maps"]}
    refused = [
        ("crowdsource_community_update", c, {"title": "Mine now"}),
        ("crowdsource_community_update", c, {"join_policy": "open"}),
        ("crowdsource_community_member_set_role", c,
         {"user_id": town["reader2"]["name"], "role": "moderator"}),
        ("crowdsource_community_member_request_review", other,
         {"user_id": town["reader2"]["name"], "decision": "approve"}),
        ("crowdsource_community_member_list", other, {"state": "pending"}),
        ("crowdsource_community_update", other, {"scope": {"tags": ["maps"]}}),
        ("crowdsource_community_member_set_role", other,
         {"user_id": town["reader2"]["name"], "role": "member"}),
    ]
    for action, where, data in refused:
        with pytest.raises(logic.NotAuthorized):
            as_user(mod, action, id=where["id"], **data)
    with pytest.raises(logic.NotAuthorized):
        as_user(mod, "crowdsource_community_create", name="mine", title="Mine")
    p = as_user(town["reader2"], "crowdsource_community_propose", name="mine", title="Mine")
    with pytest.raises(logic.NotFound):  # nor do they see others' proposals
        as_user(mod, "crowdsource_community_review", id=p["id"], decision="approve")
    # nor anything of the library's: a comment on a dataset is staff's to hide
    post = as_user(town["reader2"], "crowdsource_post_create", package_id=town["ds"]["id"],
                   body="A comment")
    with pytest.raises(logic.NotAuthorized):
        as_user(mod, "crowdsource_moderation_decide", item_type="post", item_id=post["id"],
                decision="hide", reason="off topic")
    # in their own community they decide
    done = as_user(mod, "crowdsource_community_member_request_review", id=c["id"],
                   user_id=newcomer["name"], decision="approve")
    assert done["state"] == "active"


def test_taking_a_moderator_s_role_away_ends_it_at_once(town):
    c, mod = town["open_c"], town["reader3"]
    as_user(town["reader"], "crowdsource_community_update", id=c["id"], join_policy="request")
    joined(town, c, "reader2")
    as_user(town["reader"], "crowdsource_community_member_set_role", id=c["id"],
            user_id=mod["name"], role="member")
    for action, data in (
            ("crowdsource_community_member_request_review",
             {"user_id": town["reader2"]["name"], "decision": "approve"}),
            ("crowdsource_community_member_list", {"state": "pending"}),
            ("crowdsource_community_update", {"scope": {}})):
        with pytest.raises(logic.NotAuthorized):
            as_user(mod, action, id=c["id"], **data)
    assert "pending_count" not in as_user(mod, "crowdsource_community_show", id=c["id"])


def test_a_constraint_clash_names_the_field(town):
    """Should a second row of a reader in a community slip past the checks,
    the unique constraint refuses it under ``user_id``."""
    from ckanext.crowdsource.common.action import conflict

    c = town["open_c"]
    with pytest.raises(sa.exc.IntegrityError) as e:
        model.Session.execute(member.insert().values(
            id="second", community_id=c["id"], user_id=town["reader3"]["id"]))
    model.Session.rollback()
    assert list(conflict(e.value)) == ["user_id"]
