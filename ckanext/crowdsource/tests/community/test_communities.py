"""Proposing, creating, reviewing, changing, showing and listing communities."""
import pytest
from ckan import logic, model
from ckan.tests import factories, helpers

from ckanext.crowdsource.tests.community.calls import community, joined, proposal
from ckanext.crowdsource.tests.community.conftest import audit
from ckanext.crowdsource.tests.helpers import as_user


def group_state(group_id):
    model.Session.expire_all()
    return model.Group.get(group_id).state


def test_a_reader_proposes_and_staff_approve(lib, sent):
    p = as_user(lib["reader2"], "crowdsource_community_propose", name="rare-books",
                title="古籍 Rare books", description="Old *books*", join_policy="request",
                scope={"tags": ["maps"], "reader_tags": ["古籍"]})
    assert (p["status"], p["name"], p["title"], p["join_policy"], p["proposed_by"]) == (
        "proposed", "rare-books", "古籍 Rare books", "request", lib["reader2"]["name"])
    assert p["scope"] == {"tags": ["maps"], "reader_tags": ["古籍"]}
    assert p["member_count"] == 0 and p["moderators"] == []
    # a CKAN group out of sight until it opens, made by the site user
    assert group_state(p["id"]) == "pending"
    assert "rare-books" not in helpers.call_action("group_list")
    admins = [m for m in model.Session.query(model.Member).filter_by(
        group_id=p["id"], table_name="user", state="active")]
    assert [model.User.get(m.table_id).name for m in admins] == ["crowdsource_test"]
    for who in (None, "reader", "reader3"):
        with pytest.raises(logic.NotFound):
            as_user(lib[who] if who else None, "crowdsource_community_show", id=p["id"])
    assert as_user(lib["reader2"], "crowdsource_community_show", id="rare-books")["id"] == p["id"]
    assert [c["id"] for c in as_user(lib["editor"], "crowdsource_community_list",
                                     status="proposed")["results"]] == [p["id"]]
    assert as_user(lib["reader"], "crowdsource_community_list", status="proposed")["count"] == 0
    assert as_user(None, "crowdsource_community_list")["count"] == 0

    done = as_user(lib["other_editor"], "crowdsource_community_review", id=p["id"],
                   decision="approve", note="Welcome")
    assert done["status"] == "active" and done["member_count"] == 1
    assert done["reviewed_by"] == lib["other_editor"]["name"] and done["review_note"] == "Welcome"
    assert done["moderators"] == [{"user": lib["reader2"]["name"],
                                   "display_name": lib["reader2"]["fullname"], "role": "owner"}]
    assert group_state(p["id"]) == "active"
    assert "rare-books" in helpers.call_action("group_list")
    shown = as_user(None, "crowdsource_community_show", id="rare-books")
    assert "review_note" not in shown and "pending_count" not in shown
    mine = as_user(lib["reader2"], "crowdsource_community_show", id=p["id"])
    assert mine["my_membership"] == {"role": "owner", "state": "active"}
    assert mine["review_note"] == "Welcome" and mine["pending_count"] == 0
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_community_review", id=p["id"], decision="decline")
    assert list(e.value.error_dict) == ["status"]
    assert [s[0] for s in sent] == ["community_proposed", "community_approved",
                                    "community_joined"]
    assert sent[2][2]["member_id"] == lib["reader2"]["id"] and sent[2][2]["role"] == "owner"
    assert audit(p["id"]) == sorted([("community", "approve", ""),
                                     ("community_member", "role_owner", lib["reader2"]["id"])])


def test_a_declined_proposal_is_gone_but_for_its_proposer_and_staff(lib, sent):
    p = proposal(lib)
    done = as_user(lib["editor"], "crowdsource_community_review", id=p["id"],
                   decision="decline", note="We have one on rare books")
    assert done["status"] == "declined" and done["review_note"] == "We have one on rare books"
    assert done["member_count"] == 0
    assert group_state(p["id"]) == "deleted"  # a sysadmin may purge it to free its name
    seen = as_user(lib["reader2"], "crowdsource_community_show", id=p["id"])
    assert seen["status"] == "declined" and seen["review_note"] == "We have one on rare books"
    with pytest.raises(logic.NotFound):
        as_user(lib["reader"], "crowdsource_community_show", id=p["id"])
    assert as_user(lib["reader2"], "crowdsource_community_list", status="declined")["count"] == 1
    assert as_user(lib["reader2"], "crowdsource_community_list")["count"] == 0
    for action, data in (("crowdsource_community_update", {"title": "Again"}),
                         ("crowdsource_community_review", {"decision": "approve"})):
        with pytest.raises(logic.ValidationError) as e:
            as_user(lib["editor"], action, id=p["id"], **data)
        assert list(e.value.error_dict) == ["status"]
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader2"], "crowdsource_community_join", id=p["id"])
    assert list(e.value.error_dict) == ["status"]
    assert [s[0] for s in sent] == ["community_proposed", "community_declined"]
    assert audit(p["id"]) == [("community", "decline", "")]


def test_a_proposal_waits_unless_it_cannot_be_joined(lib):
    p = proposal(lib)
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader2"], "crowdsource_community_join", id=p["id"])
    assert list(e.value.error_dict) == ["status"]
    with pytest.raises(logic.NotFound):
        as_user(lib["reader"], "crowdsource_community_join", id=p["id"])
    changed = as_user(lib["reader2"], "crowdsource_community_update", id=p["id"],
                      description="Books before 1911")
    assert changed["description"] == "Books before 1911"


@pytest.mark.ckan_config("ckanext.crowdsource.community.approval", "false")
def test_without_approval_a_proposal_opens_at_once(lib):
    p = proposal(lib)
    assert p["status"] == "active" and group_state(p["id"]) == "active"
    assert p["my_membership"] == {"role": "owner", "state": "active"}
    assert as_user(None, "crowdsource_community_list")["count"] == 1


@pytest.mark.ckan_config("ckanext.crowdsource.community.proposals_per_reader", 2)
def test_a_reader_has_so_many_proposals_waiting(lib):
    first = proposal(lib, "reader")
    proposal(lib, "reader")
    with pytest.raises(logic.ValidationError) as e:
        proposal(lib, "reader")
    assert list(e.value.error_dict) == ["proposals"]
    as_user(lib["editor"], "crowdsource_community_review", id=first["id"], decision="approve")
    assert proposal(lib, "reader")["status"] == "proposed"


@pytest.mark.parametrize("data,field", [
    ({"name": ""}, "name"),
    ({"name": "Local History"}, "name"),
    ({"name": "x"}, "name"),
    ({"name": "local-history"}, "name"),  # the library's group has it
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"description": "x\x00"}, "description"),
    ({"join_policy": "invite"}, "join_policy"),
    ({"scope": "not json"}, "scope"),
    ({"scope": ["maps"]}, "scope"),
    ({"scope": {"colour": "red"}}, "scope"),
    ({"scope": {"tags": ["x"]}}, "scope"),
    ({"scope": {"tags": [f"tag{n}" for n in range(21)]}}, "scope"),
    ({"scope": {"reader_tags": ["a;b"]}}, "scope"),
    ({"scope": {"organization": "no-such-org"}}, "scope"),
    ({"scope": {"q": 5}}, "scope"),
])
def test_bad_proposals_name_the_field(lib, data, field):
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["reader"], "crowdsource_community_propose",
                **{"name": "rare-books", "title": "Rare books", **data})
    assert field in e.value.error_dict, e.value.error_dict
    assert as_user(lib["editor"], "crowdsource_community_list", status="proposed")["count"] == 0
    assert "rare-books" not in helpers.call_action("group_list", all_fields=False)


def test_staff_turn_an_existing_group_into_a_community(lib, sent):
    group = lib["community"]
    in_group = factories.Dataset(owner_org=lib["org"]["id"], groups=[{"id": group["id"]}])
    made = as_user(lib["other_editor"], "crowdsource_community_create", id=group["name"],
                   title="地方史 Local history", owner=lib["reader"]["id"],
                   scope={"organization": lib["org"]["name"]})
    assert (made["id"], made["name"], made["status"], made["title"]) == (
        group["id"], "local-history", "active", "地方史 Local history")
    assert made["scope"] == {"organization": lib["org"]["id"]}  # kept by id
    assert made["moderators"][0]["user"] == lib["reader"]["name"]
    assert helpers.call_action("group_show", id=group["id"])["title"] == "地方史 Local history"
    assert helpers.call_action("group_show", id=group["id"])["package_count"] == 1
    assert [s[0] for s in sent] == ["community_created", "community_joined"]
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_community_create", id=group["id"])
    assert list(e.value.error_dict) == ["id"]
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_community_create", id=lib["org"]["id"])
    assert list(e.value.error_dict) == ["id"]
    with pytest.raises(logic.NotFound):
        as_user(lib["editor"], "crowdsource_community_create", id="no-such-group")
    assert in_group["id"]


@pytest.mark.parametrize("data,field", [
    ({"id": "local-history", "name": "other-name", "title": "x"}, "name"),
    ({"name": "new-one"}, "title"),
    ({"title": "New one"}, "name"),
    ({"name": "new-one", "title": "New", "owner": "nobody-at-all"}, "owner"),
    ({"name": "new-one", "title": "New", "join_policy": "closed"}, "join_policy"),
])
def test_bad_creations_name_the_field(lib, data, field):
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_community_create", **data)
    assert field in e.value.error_dict, e.value.error_dict


def test_staff_create_a_new_community_without_an_owner(lib):
    made = as_user(lib["editor"], "crowdsource_community_create", name="data-journalism",
                   title="数据新闻 Data journalism")
    assert made["status"] == "active" and made["moderators"] == [] and made["member_count"] == 0
    assert made["my_membership"] is None and made["pending_count"] == 0
    assert helpers.call_action("group_show", id="data-journalism")["state"] == "active"


def test_owners_change_their_community(lib, sent):
    c = community(lib)
    changed = as_user(lib["reader"], "crowdsource_community_update", id=c["name"],
                      title="地方史", description="The **town**", join_policy="request",
                      scope={"tags": "maps, atlas", "q": "old  town",
                             "organization": lib["org"]["id"]})
    assert (changed["title"], changed["description"], changed["join_policy"]) == (
        "地方史", "The **town**", "request")
    assert changed["scope"] == {"tags": ["maps", "atlas"], "q": "old town",
                                "organization": lib["org"]["id"]}
    group = helpers.call_action("group_show", id=c["id"])
    assert (group["title"], group["description"]) == ("地方史", "The **town**")
    assert changed["dataset_search"]["fq"] == (
        f'groups:"{c["name"]}" OR (tags:("maps" OR "atlas") AND owner_org:"{lib["org"]["id"]}"'
        ' AND text:"old" AND text:"town")')
    cleared = as_user(lib["reader"], "crowdsource_community_update", id=c["id"], scope={})
    assert cleared["scope"] == {} and cleared["dataset_search"]["fq"] == f'groups:"{c["name"]}"'
    assert [s[0] for s in sent][-2:] == ["community_updated", "community_updated"]
    assert sent[-2][2]["fields"] == ["description", "join_policy", "scope", "title"]


def test_the_subject_filter_finds_the_datasets_each_caller_may_see(lib):
    c = community(lib, scope={"tags": ["maps"], "reader_tags": ["Atlas"]})
    assert c["scope"] == {"tags": ["maps"], "reader_tags": ["atlas"]}
    in_group = factories.Dataset(owner_org=lib["other_org"]["id"], groups=[{"id": c["id"]}])
    hidden = factories.Dataset(owner_org=lib["org"]["id"], private=True,
                               tags=[{"name": "maps"}])
    readers_atlas = factories.Dataset(owner_org=lib["other_org"]["id"])
    as_user(lib["reader2"], "crowdsource_tag_add", package_id=readers_atlas["id"], tag="atlas")
    factories.Dataset(owner_org=lib["org"]["id"], tags=[{"name": "music"}])
    fq = as_user(None, "crowdsource_community_show", id=c["id"])["dataset_search"]["fq"]
    assert fq == (f'groups:"{c["name"]}" OR ((tags:("maps") OR vocab_crowd_tags:("atlas")))')

    def found(who=None):
        context = {"user": lib[who]["name"] if who else "", "ignore_auth": False}
        return sorted(d["id"] for d in helpers.call_action(
            "package_search", context=context, fq=fq, include_private=True)["results"])

    assert found() == sorted([lib["ds"]["id"], in_group["id"], readers_atlas["id"]])
    assert found("member") == sorted([lib["ds"]["id"], in_group["id"], readers_atlas["id"],
                                      hidden["id"]])


def test_show_and_list(lib):
    a = community(lib, title="Astronomy")
    b = joined(lib, community(lib, owner="reader2", title="Botany",
                              description="Plants of the region"), "reader3", "reader")
    c = community(lib, owner=None, title="Cartography")
    everyone = as_user(None, "crowdsource_community_list")
    assert [r["title"] for r in everyone["results"]] == ["Astronomy", "Botany", "Cartography"]
    assert [r["member_count"] for r in everyone["results"]] == [1, 3, 0]
    assert everyone["count"] == 3 and everyone["results"][0]["my_membership"] is None
    # a reader's own communities first
    mine_first = as_user(lib["reader3"], "crowdsource_community_list")["results"]
    assert [r["id"] for r in mine_first] == [b["id"], a["id"], c["id"]]
    assert mine_first[0]["my_membership"] == {"role": "member", "state": "active"}
    mine = as_user(lib["reader"], "crowdsource_community_list", mine=True)
    assert [r["id"] for r in mine["results"]] == [a["id"], b["id"]]
    assert as_user(None, "crowdsource_community_list", mine=True)["count"] == 0
    by_members = as_user(None, "crowdsource_community_list", sort="members")["results"]
    assert [r["id"] for r in by_members] == [b["id"], a["id"], c["id"]]
    newest = as_user(None, "crowdsource_community_list", sort="newest")["results"]
    assert {r["id"] for r in newest} == {a["id"], b["id"], c["id"]}
    assert [r["id"] for r in as_user(None, "crowdsource_community_list",
                                     q="region")["results"]] == [b["id"]]
    assert as_user(None, "crowdsource_community_list", q="100%")["count"] == 0
    page = as_user(None, "crowdsource_community_list", limit=2, offset=2, sort="name")
    assert page["count"] == 3 and [r["id"] for r in page["results"]] == [c["id"]]
    with pytest.raises(logic.ValidationError) as e:
        as_user(None, "crowdsource_community_list", limit=1000)
    assert "limit" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(None, "crowdsource_community_list", status="gone", sort="best")
    assert {"status", "sort"} <= set(e.value.error_dict)
    shown = as_user(None, "crowdsource_community_show", id=b["name"])
    assert [m["user"] for m in shown["moderators"]] == [lib["reader2"]["name"]]
    assert shown["member_count"] == 3


def test_a_deleted_group_s_community_is_no_longer_listed(lib):
    c = joined(lib, community(lib), "reader2")
    helpers.call_action("group_delete", context={"user": lib["sysadmin"]["name"]}, id=c["id"])
    assert as_user(None, "crowdsource_community_list")["count"] == 0
    assert as_user(lib["reader2"], "crowdsource_community_list", mine=True)["count"] == 0
    for user, action, data in (
            (None, "crowdsource_community_show", {}),
            (lib["reader3"], "crowdsource_community_join", {}),
            (lib["reader2"], "crowdsource_community_leave", {}),
            (None, "crowdsource_community_member_list", {}),
            (lib["reader"], "crowdsource_community_update", {"title": "x"})):
        with pytest.raises(logic.NotFound):
            as_user(user, action, id=c["id"], **data)


def test_a_second_community_row_for_a_group_names_the_id(lib):
    """Should two staff turn the same group into a community at the same
    moment, the primary key refuses the second under ``id``."""
    import sqlalchemy as sa

    from ckanext.crowdsource.common.action import conflict
    from ckanext.crowdsource.community.model import community as table

    c = community(lib)
    with pytest.raises(sa.exc.IntegrityError) as e:
        model.Session.execute(table.insert().values(id=c["id"]))
    model.Session.rollback()
    assert list(conflict(e.value)) == ["id"]
