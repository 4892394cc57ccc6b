"""A purged group takes its community rows with it; the audit log stays."""
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers

from ckanext.crowdsource.tests.community.calls import community, joined, proposal
from ckanext.crowdsource.tests.helpers import as_user


def counts():
    model.Session.expire_all()
    found = {t: model.Session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
             for t in ("crowdsource_community", "crowdsource_community_member")}
    model.Session.commit()
    return found


def test_purging_a_group_removes_its_community_and_members(lib):
    doomed = joined(lib, community(lib), "reader2", "reader3")
    kept = joined(lib, community(lib), "reader2")
    assert counts() == {"crowdsource_community": 2, "crowdsource_community_member": 5}
    sysadmin = {"user": lib["sysadmin"]["name"]}
    helpers.call_action("group_purge", context=dict(sysadmin), id=doomed["name"])
    assert counts() == {"crowdsource_community": 1, "crowdsource_community_member": 2}
    assert as_user(None, "crowdsource_community_show", id=kept["id"])["member_count"] == 2
    assert as_user(None, "crowdsource_community_list")["count"] == 1
    log = model.Session.execute(sa.text(
        "SELECT count(*) FROM crowdsource_moderation_log WHERE item_id LIKE :c"),
        {"c": f"{doomed['id']}:%"}).scalar()
    assert log == 3  # its owner and two joins: the audit log keeps them


def test_purging_a_declined_proposal_frees_its_name(lib):
    p = proposal(lib)
    as_user(lib["editor"], "crowdsource_community_review", id=p["id"], decision="decline")
    helpers.call_action("group_purge", context={"user": lib["sysadmin"]["name"]}, id=p["id"])
    assert counts() == {"crowdsource_community": 0, "crowdsource_community_member": 0}
    again = as_user(lib["reader2"], "crowdsource_community_propose", name=p["name"],
                    title="Rare books, again")
    assert again["status"] == "proposed" and again["id"] != p["id"]


def test_purging_another_group_or_an_organization_leaves_communities_alone(lib):
    c = joined(lib, community(lib), "reader2")
    helpers.call_action("group_purge", context={"user": lib["sysadmin"]["name"]},
                        id=lib["community"]["id"])
    assert counts() == {"crowdsource_community": 1, "crowdsource_community_member": 2}
    assert as_user(None, "crowdsource_community_show", id=c["id"])["member_count"] == 2
