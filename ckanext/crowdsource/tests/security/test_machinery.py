"""The bad-input suite's own parts can see what they are meant to see: a
suite whose generator made no hostile value, whose snapshots missed a write
or whose judge passed a 500 would pass for the wrong reason."""
from __future__ import annotations

import json

import pytest
import requests
import sqlalchemy as sa
from ckan import model

from ckanext.crowdsource.discussion import views as discussion_views

from . import forms, hostile
from .probe import Tables, judge_api, judge_page, traceback_excerpt

CALL = {"id": "abc", "limit": 5, "tag": ["maps"], "result": {"text": "Old maps"}}


def labels(variants: list[hostile.Variant]) -> set[str]:
    return {v.label for v in variants}


def test_the_generator_makes_every_kind_for_every_key():
    schema = {"id": [], "limit": [], "tag": [], "result": [], "offset": []}
    made = hostile.for_call(CALL, schema, lambda key, value: [("unknown_id", "u-1")])
    found = labels(made)
    for key in ("id", "limit", "tag", "result", "offset"):
        for kind in ("int", "float", "list", "dict", "bool", "null", "nul", "lone_surrogate",
                     "1mb_string", "2**63", "10**30", "-1", "deep_json_100"):
            assert f"{key}={kind}" in found, f"{key}={kind}"
    for key in ("id", "limit", "tag", "result"):
        assert f"{key}=missing" in found
    assert "offset=missing" not in found  # not in the valid call: nothing to remove
    assert {"id=unknown_id", "limit=NaN", "limit='abc'", "offset=Infinity",
            "tag.0=element_nul", "result.text=nul", "result.zz_unknown=unknown_key",
            "zz_unknown=unknown_key", "<body>=empty_body", "id=deep_json_1000"} <= found
    assert "tag=unknown_id" not in found  # a tag names no object


def test_the_bodies_carry_what_json_parsing_lets_through():
    made = {v.label: v for v in hostile.for_call(CALL, {}, lambda k, v: [])}
    assert b'"a\\ud800bc"' in made["id=lone_surrogate"].body(CALL)
    assert json.loads(made["id=nul"].body(CALL))["id"] == "a\x00bc"
    assert json.loads(made["limit=NaN"].body(CALL))["limit"] != 0  # NaN parses
    assert len(made["id=1mb_string"].body(CALL)) > hostile.MB
    deep = made["id=deep_json_1000"].body(CALL)
    assert deep.count(b"[") > hostile.DEEP_REFUSED  # and the tag list
    with pytest.raises(RecursionError):
        json.loads(deep)
    assert json.loads(made["tag=deep_json_100"].body(CALL))["tag"]
    assert "id" not in json.loads(made["id=missing"].body(CALL))
    assert json.loads(made["<body>=empty_body"].body(CALL)) == {}
    assert CALL["id"] == "abc"  # the valid call itself is left as it was


def test_the_views_are_read_for_their_fields_and_verbs():
    names, choices = forms.read_by(discussion_views.act)
    assert {"id", "thread_id", "package_id", "page", "sort", "view", "body"} <= set(names)
    assert {"comment", "vote", "edit", "close"} <= set(choices["verb"])


def answer(status: int, body: object) -> requests.Response:
    res = requests.Response()
    res.status_code = status
    res._content = json.dumps(body).encode() if not isinstance(body, bytes) else body
    return res


def test_the_judge():
    error = {"success": False, "error": {"__type": "Validation Error", "id": ["Missing"]}}
    assert judge_api(answer(409, error)).outcome == "refused"
    assert judge_api(answer(409, error)).fields == {"id"}
    assert judge_api(answer(200, {"success": True, "result": {}})).outcome == "accepted"
    assert judge_api(answer(500, {"success": False})).outcome == "defect"
    assert judge_api(answer(409, b"<html>conflict</html>")).outcome == "defect"
    # CKAN 2.11 refuses a list of objects with its own 400 "Integrity Error"
    assert judge_api(answer(400, {"success": False, "error": {
        "__type": "Integrity Error"}})).outcome == "refused"
    assert judge_api(answer(400, {"success": False, "error": {
        "__type": "Something Else"}})).outcome == "defect"
    assert judge_api(answer(400, {"success": False, "error": {
        "__type": "Bad request"}})).outcome == "refused"
    assert judge_page(answer(502, b"")).outcome == "defect"
    assert judge_page(answer(404, b"")).outcome == "refused"


def test_the_traceback_names_the_extension_frame():
    log = ("ERROR [ckan] boom\nTraceback (most recent call last):\n"
           '  File "/x/site-packages/flask/app.py", line 917, in full_dispatch_request\n'
           "    rv = self.dispatch_request()\n"
           '  File "/work/main/ckanext/crowdsource/common/views.py", line 43, in dataset_page\n'
           "    return package_show(id)\n"
           '  File "/x/site-packages/sqlalchemy/engine/default.py", line 952, in do_execute\n'
           "    cursor.execute(statement, parameters)\n"
           "ValueError: A string literal cannot contain NUL (0x00) characters.\n")
    signature, excerpt = traceback_excerpt(log)
    assert signature == "ValueError at ckanext/crowdsource/common/views.py:43 dataset_page"
    assert "NUL" in excerpt


@pytest.mark.usefixtures("clean_db")
def test_a_snapshot_sees_a_committed_write_and_a_dataset_queued_for_reindex():
    tables = Tables()
    try:
        assert "crowdsource_tag_block" in tables.names and "package" in tables.names
        before = tables.snapshot()
        model.Session.execute(sa.text(
            "INSERT INTO crowdsource_tag_block (tag, actor_id) VALUES ('x', 'someone')"))
        model.Session.commit()
        queued = tables.snapshot()
        assert tables.changes(before, queued) == ["crowdsource_tag_block (0 rows -> 1)"]
        model.Session.execute(sa.text(
            "INSERT INTO crowdsource_reindex (package_id) VALUES ('p')"))
        model.Session.commit()
        after = tables.snapshot()
        assert tables.changes(queued, after) == ["crowdsource_reindex (0 rows -> 1)"]
        # a worker draining the queue after its answer is not the call's write
        assert tables.changes(after, queued) == []
    finally:
        tables.close()
        model.Session.remove()
