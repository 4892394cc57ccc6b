"""Reader tags: add, remove, list; validation, permissions, search, the write path."""
import pytest
from ckan import logic
from ckan.tests import factories, helpers

from ckanext.crowdsource.search.schema import load_schema
from ckanext.crowdsource.tags.index import INDEX_FIELD
from ckanext.crowdsource.tests.helpers import as_user

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def setup():
    org = factories.Organization()
    member, editor = factories.User(), factories.User()
    for user, role in ((member, "member"), (editor, "editor")):
        helpers.call_action("organization_member_create", id=org["id"],
                            username=user["name"], role=role)
    return {
        "public": factories.Dataset(owner_org=org["id"], title="Old Maps"),
        "private": factories.Dataset(owner_org=org["id"], private=True, title="Staff Rota"),
        "reader": factories.User(),
        "reader2": factories.User(),
        "member": member,
        "editor": editor,
    }


def tags_of(user, ds, **paging):
    return as_user(user, "crowdsource_tag_list", package_id=ds["id"], **paging)


def test_add_and_list_count_each_reader_once(setup):
    ds, reader, reader2 = setup["public"], setup["reader"], setup["reader2"]
    as_user(reader, "crowdsource_tag_add", package_id=ds["name"], tag=["古籍", "Maps"])
    result = as_user(reader2, "crowdsource_tag_add", package_id=ds["id"], tag="maps")
    assert result == {"package_id": ds["id"], "count": 2, "results": [
        {"tag": "maps", "count": 2, "mine": True},
        {"tag": "古籍", "count": 1, "mine": False},
    ]}
    anonymous = tags_of(None, ds)
    assert anonymous["count"] == 2
    assert [(t["tag"], t["count"], t["mine"]) for t in anonymous["results"]] == [
        ("maps", 2, False), ("古籍", 1, False)
    ]


def test_list_pages(setup):
    ds = setup["public"]
    as_user(setup["reader"], "crowdsource_tag_add", package_id=ds["id"], tag=["a", "b", "c"])
    as_user(setup["reader2"], "crowdsource_tag_add", package_id=ds["id"], tag=["b"])
    page = tags_of(None, ds, limit=2)
    assert page["count"] == 3 and [t["tag"] for t in page["results"]] == ["b", "a"]
    rest = tags_of(None, ds, limit=2, offset=2)
    assert rest["count"] == 3 and [t["tag"] for t in rest["results"]] == ["c"]
    assert tags_of(None, ds, offset=5) == {"count": 3, "results": []}
    with pytest.raises(logic.ValidationError) as e:
        tags_of(None, ds, limit=-1)
    assert "limit" in e.value.error_dict


def test_add_is_idempotent_and_normalises(setup):
    ds, reader = setup["public"], setup["reader"]
    as_user(reader, "crowdsource_tag_add", package_id=ds["id"], tag=["  Rare   Books "])
    result = as_user(reader, "crowdsource_tag_add", package_id=ds["id"],
                     tag=["ＲＡＲＥ books", "rare books"])
    assert result["results"] == [{"tag": "rare books", "count": 1, "mine": True}]


def test_comma_separated_string(setup):
    result = as_user(setup["reader"], "crowdsource_tag_add", package_id=setup["public"]["id"],
                     tag="history, 地方志")
    assert sorted(t["tag"] for t in result["results"]) == ["history", "地方志"]


@pytest.mark.parametrize("tag,message", [
    ([""], "cannot be empty"),
    (["   "], "cannot be empty"),
    (["x" * 51], "longer than 50"),
    (["<script>"], "not allowed"),
    (["bad\x07bell"], "not allowed"),
    (["a&b"], "not allowed"),
    (["nul\x00"], "NUL"),
    (["\ud800"], "Unicode"),
    ([], "Give one tag"),
    ([42], "must be text"),
])
def test_bad_tags_are_validation_errors_naming_the_field(setup, tag, message):
    with pytest.raises(logic.ValidationError) as e:
        as_user(setup["reader"], "crowdsource_tag_add", package_id=setup["public"]["id"],
                tag=tag)
    assert message in str(e.value.error_dict["tag"])


def test_missing_fields_are_validation_errors():
    with pytest.raises(logic.ValidationError) as e:
        helpers.call_action("crowdsource_tag_add", tag=["x"])
    assert "package_id" in e.value.error_dict
    with pytest.raises(logic.ValidationError) as e:
        helpers.call_action("crowdsource_tag_add", package_id="x")
    assert "tag" in e.value.error_dict


@pytest.mark.parametrize("action,data", [
    ("crowdsource_tag_add", {"tag": ["x"]}),
    ("crowdsource_tag_remove", {"tag": "x"}),
    ("crowdsource_tag_list", {}),
    ("crowdsource_tag_hide", {"tag": "x"}),
    ("crowdsource_tag_restore", {"tag": "x"}),
    ("crowdsource_tag_promote", {"tag": "x"}),
])
def test_the_dataset_is_package_id_not_id(setup, action, data):
    ds = setup["public"]
    with pytest.raises(logic.ValidationError) as e:
        as_user(setup["editor"], action, id=ds["id"], **data)
    assert set(e.value.error_dict) == {"id", "package_id"}
    assert "Unknown parameter" in str(e.value.error_dict["id"])
    with pytest.raises(logic.ValidationError) as e:
        as_user(setup["editor"], action, package_id="bad\x00id", **data)
    assert "NUL" in str(e.value.error_dict["package_id"])


@pytest.mark.ckan_config("ckanext.crowdsource.tags.per_user_limit", 3)
def test_per_user_limit(setup):
    ds, reader = setup["public"], setup["reader"]
    as_user(reader, "crowdsource_tag_add", package_id=ds["id"], tag=["a", "b"])
    with pytest.raises(logic.ValidationError) as e:
        as_user(reader, "crowdsource_tag_add", package_id=ds["id"], tag=["c", "d"])
    assert "at most 3" in str(e.value.error_dict["tag"])
    # nothing was written by the refused call
    assert [t["tag"] for t in tags_of(reader, ds)["results"]] == ["a", "b"]
    as_user(reader, "crowdsource_tag_add", package_id=ds["id"], tag=["a", "c"])  # a is not new
    as_user(setup["reader2"], "crowdsource_tag_add", package_id=ds["id"], tag=["d"])  # per user


@pytest.mark.ckan_config("ckanext.crowdsource.common.writes_per_minute", 2)
def test_adding_tags_is_rate_limited(setup):
    ds, reader = setup["public"], setup["reader"]
    as_user(reader, "crowdsource_tag_add", package_id=ds["id"], tag="a")
    as_user(reader, "crowdsource_tag_remove", package_id=ds["id"], tag="a")
    with pytest.raises(logic.ValidationError) as e:
        as_user(reader, "crowdsource_tag_add", package_id=ds["id"], tag="b")
    assert "rate_limit" in e.value.error_dict
    assert tags_of(reader, ds)["count"] == 0
    # per user
    as_user(setup["reader2"], "crowdsource_tag_add", package_id=ds["id"], tag="b")


def test_writes_do_not_rebuild_the_index_themselves(setup, monkeypatch):
    import inspect

    from ckan.lib import search

    rebuild = search.rebuild

    def only_from_the_queue(*args, **kwargs):
        if not any(frame.function == "drain" for frame in inspect.stack()):
            raise AssertionError("an action rebuilt a dataset's index entry itself")
        return rebuild(*args, **kwargs)

    monkeypatch.setattr(search, "rebuild", only_from_the_queue)
    ds, reader = setup["public"], setup["reader"]
    as_user(reader, "crowdsource_tag_add", package_id=ds["id"], tag="地方文献")
    # the reindex queued by the write ran after the commit
    assert helpers.call_action("package_search", q="文献")["count"] == 1
    as_user(reader, "crowdsource_tag_remove", package_id=ds["id"], tag="地方文献")
    assert helpers.call_action("package_search", q="文献")["count"] == 0


def test_a_failed_add_leaves_nothing(setup, monkeypatch):
    from ckanext.crowdsource import events

    def fail(*args, **kwargs):
        raise RuntimeError("a receiver failed")

    ds, reader = setup["public"], setup["reader"]
    monkeypatch.setattr(events.tag_added, "send", fail)
    with pytest.raises(RuntimeError):
        as_user(reader, "crowdsource_tag_add", package_id=ds["id"], tag=["a", "b"])
    monkeypatch.undo()
    assert tags_of(reader, ds)["count"] == 0
    assert helpers.call_action("package_search", fq=f'{INDEX_FIELD}:"a"')["count"] == 0


def test_missing_dataset_is_not_found(setup):
    for action, data in (("crowdsource_tag_add", {"tag": ["x"]}),
                         ("crowdsource_tag_remove", {"tag": "x"}),
                         ("crowdsource_tag_list", {})):
        with pytest.raises(logic.NotFound):
            as_user(setup["reader"], action, package_id="no-such-dataset", **data)


def test_anonymous_cannot_add_or_remove(setup):
    ds = setup["public"]
    with pytest.raises(logic.NotAuthorized):
        as_user(None, "crowdsource_tag_add", package_id=ds["id"], tag=["x"])
    with pytest.raises(logic.NotAuthorized):
        as_user(None, "crowdsource_tag_remove", package_id=ds["id"], tag="x")


@pytest.mark.parametrize("role", ["reader", "member", "editor", "sysadmin"])
def test_every_logged_in_user_may_tag(setup, role):
    user = factories.Sysadmin() if role == "sysadmin" else setup[role]
    ds = setup["public"]
    result = as_user(user, "crowdsource_tag_add", package_id=ds["id"], tag="atlas")
    assert result["results"] == [{"tag": "atlas", "count": 1, "mine": True}]
    removed = as_user(user, "crowdsource_tag_remove", package_id=ds["id"], tag="atlas")
    assert removed["count"] == 0 and not removed["mine"]


def test_private_dataset_only_for_those_who_see_it(setup):
    ds, reader, member = setup["private"], setup["reader"], setup["member"]
    for action, data in (("crowdsource_tag_add", {"tag": ["x"]}),
                         ("crowdsource_tag_list", {}),
                         ("crowdsource_tag_remove", {"tag": "x"})):
        with pytest.raises(logic.NotAuthorized):
            as_user(reader, action, package_id=ds["id"], **data)
    with pytest.raises(logic.NotAuthorized):
        as_user(None, "crowdsource_tag_list", package_id=ds["id"])
    as_user(member, "crowdsource_tag_add", package_id=ds["id"], tag=["排班"])
    sysadmin = factories.Sysadmin()
    assert tags_of(sysadmin, ds)["results"][0]["tag"] == "排班"
    # and the tag leaks into no search a reader can run
    result = as_user(reader, "package_search", q="排班", include_private=True)
    assert result["count"] == 0
    facets = as_user(reader, "package_search", **{"facet.field": [INDEX_FIELD]})
    assert "排班" not in facets["facets"].get(INDEX_FIELD, {})


def test_remove_own_tag_only(setup):
    ds, reader, reader2 = setup["public"], setup["reader"], setup["reader2"]
    as_user(reader, "crowdsource_tag_add", package_id=ds["id"], tag=["maps"])
    as_user(reader2, "crowdsource_tag_add", package_id=ds["id"], tag=["maps"])
    with pytest.raises(logic.NotFound):
        as_user(setup["editor"], "crowdsource_tag_remove", package_id=ds["id"], tag="maps")
    removed = as_user(reader, "crowdsource_tag_remove", package_id=ds["id"], tag="MAPS")
    assert removed == {"id": f"{ds['id']}:maps", "package_id": ds["id"], "tag": "maps",
                       "count": 1, "mine": False, "hidden": False, "reason": ""}
    assert tags_of(reader, ds)["results"] == [{"tag": "maps", "count": 1, "mine": False}]
    with pytest.raises(logic.NotFound):
        as_user(reader, "crowdsource_tag_remove", package_id=ds["id"], tag="maps")


def test_reader_tags_are_searchable_and_a_facet(setup):
    ds, reader = setup["public"], setup["reader"]
    as_user(reader, "crowdsource_tag_add", package_id=ds["id"], tag=["地方文献"])
    found = helpers.call_action("package_search", q="文献", **{"facet.field": [INDEX_FIELD]})
    assert [r["name"] for r in found["results"]] == [ds["name"]]
    assert found["facets"][INDEX_FIELD] == {"地方文献": 1}
    found = helpers.call_action("package_search", fq=f'{INDEX_FIELD}:"地方文献"')
    assert found["count"] == 1
    as_user(reader, "crowdsource_tag_remove", package_id=ds["id"], tag="地方文献")
    assert helpers.call_action("package_search", q="文献")["count"] == 0


def test_index_field_is_valid_in_ckans_solr_schema():
    field = load_schema().field(INDEX_FIELD)
    assert field is not None and field.kind == "string" and field.multi
    assert load_schema().copied_to_text(INDEX_FIELD)


def test_signals_are_sent(setup):
    from ckanext.crowdsource import events

    seen = []

    def receiver(sender, **kw):
        seen.append((sender, kw["package_id"]))

    events.tag_added.connect(receiver)
    events.tag_removed.connect(receiver)
    try:
        ds = setup["public"]
        as_user(setup["reader"], "crowdsource_tag_add", package_id=ds["id"], tag=["a", "b"])
        as_user(setup["reader"], "crowdsource_tag_add", package_id=ds["id"], tag=["a"])  # not new
        as_user(setup["reader"], "crowdsource_tag_remove", package_id=ds["id"], tag="a")
    finally:
        events.tag_added.disconnect(receiver)
        events.tag_removed.disconnect(receiver)
    assert seen == [("a", ds["id"]), ("b", ds["id"]), ("a", ds["id"])]


def test_actions_through_the_api(app, setup):
    user = factories.UserWithToken()
    ds = setup["public"]
    res = app.post("/api/3/action/crowdsource_tag_add",
                   json={"package_id": ds["id"], "tag": ["maps"]},
                   headers={"Authorization": user["token"]})
    assert res.json["result"] == {"package_id": ds["id"], "count": 1,
                                  "results": [{"tag": "maps", "count": 1, "mine": True}]}
    # the reindex ran once the response was sent
    found = app.get("/api/3/action/package_search",
                    query_string={"fq": f'{INDEX_FIELD}:"maps"'}).json["result"]
    assert found["count"] == 1
    res = app.get("/api/3/action/crowdsource_tag_list", query_string={"package_id": ds["id"]})
    assert res.json["result"]["results"][0]["count"] == 1
    res = app.post("/api/3/action/crowdsource_tag_add",
                   json={"package_id": ds["id"], "tag": ["<b>"]},
                   headers={"Authorization": user["token"]}, status=409)
    assert "tag" in res.json["error"]
    res = app.post("/api/3/action/crowdsource_tag_add",
                   json={"id": ds["id"], "tag": ["maps"]},
                   headers={"Authorization": user["token"]}, status=409)
    assert "id" in res.json["error"] and "package_id" in res.json["error"]
    app.post("/api/3/action/crowdsource_tag_add", json={"package_id": ds["id"], "tag": ["x"]},
             status=403)
