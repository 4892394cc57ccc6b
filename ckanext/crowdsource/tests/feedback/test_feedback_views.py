"""Feedback in the portal: the dataset box, requests, the inbox, a conversation, exports."""
import csv
import io
import json

import pytest
from bs4 import BeautifulSoup
from ckan.tests import helpers

from ckanext.crowdsource.tests.helpers import as_user, log_in

HTMX = {"HX-Request": "true"}


def soup(html):
    return BeautifulSoup(html, "html.parser")


def token(user):
    return helpers.call_action("api_token_create", context={"user": user["name"]},
                               user=user["name"], name="t")["token"]


def test_the_dataset_box_rating_requests_and_form(app, lib):
    as_user(lib["reader"], "crowdsource_feedback_create", kind="praise", body="ok", rating=4,
            package_id=lib["ds"]["id"])
    as_user(lib["reader2"], "crowdsource_feedback_create", kind="request", title="1900 maps",
            body="please", package_id=lib["ds"]["id"])
    page = soup(app.get(f"/dataset/{lib['ds']['name']}").body)
    box = page.find(id="cs-feedback")
    assert "4.0 from 1 reader" in box.select_one(".cs-rating-summary").text
    assert [a.text for a in box.select(".cs-request > a")] == ["1900 maps"]
    assert box.select_one("form.cs-feedback-form") is None  # anonymous: a log-in link
    log_in(app, lib["reader3"])
    box = soup(app.get(f"/dataset/{lib['ds']['name']}").body).find(id="cs-feedback")
    form = box.select_one("form.cs-feedback-form")
    assert form.select_one("input[name=_csrf_token]") and form.select_one("input[name=website]")
    assert box.select_one(".cs-metoo") is not None
    res_page = soup(app.get(f"/dataset/{lib['ds']['name']}/resource/{lib['res']['id']}").body)
    assert res_page.select_one("#cs-feedback input[name=resource_id]")["value"] == \
        lib["res"]["id"]


def test_a_reader_sends_feedback_and_reads_the_answer(app, lib):
    log_in(app, lib["reader"])
    res = app.post("/crowdsource/feedback/do/send", data={
        "kind": "error", "rating": "2", "body": "Map 12 is missing",
        "package_id": lib["ds"]["id"]}, follow_redirects=False)
    assert res.status_code == 302 and "/crowdsource/feedback/" in res.headers["Location"]
    item_id = res.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    # the sender lands on what they sent, with what happens next, not on "Error"
    sent = soup(app.get(res.headers["Location"]).body)
    assert "the library has your error report" in sent.select_one(".cs-sent").text
    assert "My feedback" in sent.select_one(".cs-sent").text
    assert sent.select_one("h1").text.strip() == "Error report: Map 12 is missing"
    log_in(app, lib["reader2"])  # nobody else is told it was sent
    assert app.get(res.headers["Location"]).status_code == 404
    log_in(app, lib["editor"])
    assert soup(app.get(res.headers["Location"]).body).select_one(".cs-sent") is None
    log_in(app, lib["reader"])
    assert soup(app.get(f"/crowdsource/feedback/{item_id}").body).select_one(".cs-sent") is None
    as_user(lib["editor"], "crowdsource_feedback_set_status", id=item_id, status="acknowledged",
            reply="We will scan it")
    page = soup(app.get(f"/crowdsource/feedback/{item_id}").body)
    assert "We will scan it" in page.select_one(".cs-message-staff").text
    assert page.select_one(".cs-status-form") is None
    app.post("/crowdsource/feedback/do/reply", data={"id": item_id, "body": "Thanks!"})
    mine = soup(app.get("/crowdsource/feedback").body)  # readers land on their own
    assert [tr["data-feedback"] for tr in mine.select("tr[data-feedback]")] == [item_id]
    assert mine.select_one("input[type=checkbox]") is None


def test_the_honeypot_turns_robots_away(app, lib):
    log_in(app, lib["reader"])
    app.post("/crowdsource/feedback/do/send", data={
        "kind": "other", "body": "buy now", "package_id": lib["ds"]["id"],
        "website": "http://spam.example"})
    assert as_user(lib["editor"], "crowdsource_feedback_list")["count"] == 0


def test_staff_inbox_counts_filters_and_bulk_change(app, lib):
    a = as_user(lib["reader"], "crowdsource_feedback_create", kind="error", body="a",
                package_id=lib["ds"]["id"])
    b = as_user(lib["reader2"], "crowdsource_feedback_create", kind="suggestion", body="b",
                package_id=lib["ds2"]["id"])
    log_in(app, lib["editor"])
    page = soup(app.get("/crowdsource/feedback").body)
    assert "(2)" in page.select_one(".cs-status-counts a[data-status=new]").text
    assert len(page.select("tr[data-feedback]")) == 2
    only = soup(app.get("/crowdsource/feedback?kind=suggestion").body)
    assert [tr["data-feedback"] for tr in only.select("tr[data-feedback]")] == [b["id"]]
    app.post("/crowdsource/feedback/do/status", data={"id": [a["id"], b["id"]],
                                                       "status": "in_progress"})
    statuses = {as_user(lib["editor"], "crowdsource_feedback_show", id=i)["status"]
                for i in (a["id"], b["id"])}
    assert statuses == {"in_progress"}
    item = soup(app.get(f"/crowdsource/feedback/{a['id']}").body)
    options = [o["value"] for o in item.select(".cs-status-form select[name=status] option")]
    assert options == ["resolved", "declined"]


def test_exports_stream_the_filtered_inbox(app, lib):
    for n in range(3):
        as_user(lib["reader"], "crowdsource_feedback_create", kind="error", body=f"问题 {n}",
                package_id=lib["ds"]["id"])
    as_user(lib["reader"], "crowdsource_feedback_create", kind="praise", body="nice",
            package_id=lib["ds"]["id"])
    as_user(lib["reader"], "crowdsource_feedback_create", kind="error", body="not ours",
            package_id=lib["other"]["id"])
    headers = {"Authorization": token(lib["editor"])}  # scripts use an API token
    res = app.get("/crowdsource/feedback/export.csv?kind=error", headers=headers)
    assert res.status_code == 200 and res.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(res.get_data(as_text=True))))
    assert [r["body"] for r in rows] == ["问题 0", "问题 1", "问题 2"]
    res = app.get("/crowdsource/feedback/export.json", headers=headers)
    assert len(json.loads(res.get_data(as_text=True))) == 4
    assert app.get("/crowdsource/feedback/export.csv",
                   headers={"Authorization": token(lib["reader"])}).status_code == 403
    assert app.get("/crowdsource/feedback/export.xml", headers=headers).status_code == 404


def test_requests_page_and_me_too_through_htmx(app, lib):
    r = as_user(lib["reader"], "crowdsource_feedback_create", kind="request",
                title="Old newspapers", body="Please digitise them")
    page = soup(app.get("/crowdsource/requests").body)
    assert [a.text for a in page.select(".cs-request > a")] == ["Old newspapers"]
    assert page.select_one("form.cs-feedback-form") is None
    log_in(app, lib["reader2"])
    page = soup(app.get("/crowdsource/requests").body)
    assert page.select_one("form.cs-feedback-form select option[selected]")["value"] == \
        "request"
    res = app.post("/crowdsource/feedback/do/second", data={"id": r["id"], "second": "true"},
                   headers=HTMX)
    item = soup(res.body).select_one(f"#request-{r['id']}")
    assert item.select_one(".cs-seconds").text == "1"
    assert "✓" in item.select_one(".cs-metoo").text
    as_user(lib["sysadmin"], "crowdsource_feedback_set_status", id=r["id"],
            status="declined")  # a request to the whole library: sysadmins answer it
    res = app.post("/crowdsource/feedback/do/second", data={"id": r["id"], "second": "false"},
                   headers=HTMX)  # refused: the request as it stands, with why
    item = soup(res.body).select_one(f"#request-{r['id']}")
    assert "closed" in item.select_one(".alert").text and item.select_one(".cs-metoo") is None
    assert app.post("/crowdsource/feedback/do/nonsense", data={}).status_code == 404


@pytest.mark.parametrize("path", ["/crowdsource/feedback/nope",
                                  "/crowdsource/feedback/%00",
                                  "/crowdsource/requests?organization=nope"])
def test_missing_things_are_not_found(app, lib, path):
    assert app.get(path).status_code == 404
