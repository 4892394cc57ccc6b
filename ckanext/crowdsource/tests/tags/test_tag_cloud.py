"""Tag clouds and "datasets with this reader tag": counts only what the caller can see."""
import pytest
from ckan import logic
from ckan.tests import factories, helpers

from ckanext.crowdsource.tests.helpers import as_user

pytestmark = pytest.mark.usefixtures("clean_db")



@pytest.fixture
def tagged():
    city = factories.Organization(name="city")
    uni = factories.Organization(name="uni")
    member = factories.User()
    helpers.call_action("organization_member_create", id=city["id"],
                        username=member["name"], role="member")
    readers = [factories.User() for _ in range(3)]
    a = factories.Dataset(name="ds-a", owner_org=city["id"])
    b = factories.Dataset(name="ds-b", owner_org=uni["id"])
    c = factories.Dataset(name="ds-c", owner_org=uni["id"])
    secret = factories.Dataset(name="secret", owner_org=city["id"], private=True)
    for reader in readers:
        as_user(reader, "crowdsource_tag_add", package_id=a["id"], tag=["地方志", "maps"])
    as_user(readers[0], "crowdsource_tag_add", package_id=b["id"], tag="地方志")
    as_user(readers[0], "crowdsource_tag_add", package_id=c["id"], tag="地方志, theses")
    as_user(member, "crowdsource_tag_add", package_id=secret["id"], tag=["地方志", "internal"])
    return {"member": member, "reader": readers[0]}


def cloud(user, **params):
    return as_user(user, "crowdsource_tag_cloud", **params)["results"]


def test_site_cloud_counts_visible_datasets(tagged):
    assert as_user(tagged["reader"], "crowdsource_tag_cloud") == {"count": 3, "results": [
        {"tag": "地方志", "count": 3}, {"tag": "maps", "count": 1}, {"tag": "theses", "count": 1},
    ]}
    member_view = cloud(tagged["member"])
    assert {"tag": "地方志", "count": 4} in member_view
    assert {"tag": "internal", "count": 1} in member_view
    assert as_user(None, "crowdsource_tag_cloud", limit=1) == {
        "count": 1, "results": [{"tag": "地方志", "count": 3}]}


def test_organization_cloud(tagged):
    assert cloud(None, organization="uni") == [
        {"tag": "地方志", "count": 2}, {"tag": "theses", "count": 1},
    ]
    with pytest.raises(logic.NotFound):
        cloud(None, organization="no-such-org")
    with pytest.raises(logic.ValidationError) as e:
        cloud(None, organization="uni\x00")
    assert "organization" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        cloud(None, offset=1)  # a cloud is the top tags: no pages
    assert "offset" in e.value.error_dict


def test_datasets_with_a_tag_paged_and_private_only_for_members(tagged):
    page = as_user(None, "crowdsource_tag_datasets", tag="地方志", limit=2)
    assert page["count"] == 3 and len(page["results"]) == 2
    rest = as_user(None, "crowdsource_tag_datasets", tag="地方志", limit=2, offset=2)
    names = {r["name"] for r in page["results"] + rest["results"]}
    assert names == {"ds-a", "ds-b", "ds-c"}
    member = as_user(tagged["member"], "crowdsource_tag_datasets", tag="地方志")
    assert member["count"] == 4
    assert as_user(tagged["reader"], "crowdsource_tag_datasets", tag="INTERNAL")["count"] == 0


@pytest.mark.ckan_config("ckanext.crowdsource.common.list_limit_max", 10)
def test_paging_and_tag_validation(tagged):
    with pytest.raises(logic.ValidationError) as e:
        as_user(None, "crowdsource_tag_datasets", tag="maps", limit=11)
    assert "limit" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(None, "crowdsource_tag_cloud", limit=-1)
    assert "limit" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(None, "crowdsource_tag_datasets", tag="<x>")
    assert "tag" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        as_user(None, "crowdsource_tag_datasets")
    assert "tag" in e.value.error_dict


def test_clouds_are_kept_per_visibility_and_dropped_on_any_change(tagged):
    anonymous = cloud(None)
    member_view = cloud(tagged["member"])
    assert anonymous != member_view  # kept apart: the member sees a private dataset
    assert cloud(tagged["reader"]) == anonymous
    # any reindex (here: a reader adds a tag) drops every kept cloud
    ds = helpers.call_action("package_show", id="ds-b")
    as_user(tagged["reader"], "crowdsource_tag_add", package_id=ds["id"], tag="atlas")
    assert {"tag": "atlas", "count": 1} in cloud(None)
    assert {"tag": "atlas", "count": 1} in cloud(tagged["member"])
    # and so does deleting a dataset
    helpers.call_action("package_delete", context={"user": tagged["member"]["name"],
                                                   "ignore_auth": True}, id="ds-b")
    assert {"tag": "atlas", "count": 1} not in cloud(None)


def _drop_from_index_quietly(name):
    """Change the index without the hook that drops kept clouds."""
    from ckan.lib.search.common import make_connection

    make_connection().delete(q=f'name:"{name}"')


def test_kept_cloud_survives_a_quiet_index_change(tagged):
    before = cloud(None)
    _drop_from_index_quietly("ds-c")
    assert cloud(None) == before


@pytest.mark.ckan_config("ckanext.crowdsource.tags.cloud_cache_seconds", 0)
def test_cloud_keeping_can_be_turned_off(tagged):
    assert "theses" in {t["tag"] for t in cloud(None)}
    _drop_from_index_quietly("ds-c")
    assert "theses" not in {t["tag"] for t in cloud(None)}
