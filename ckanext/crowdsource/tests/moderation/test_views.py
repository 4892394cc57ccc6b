"""The moderation queue page and its decision forms."""
import pytest
from bs4 import BeautifulSoup

from ckanext.crowdsource.tests.helpers import log_in, log_out
from ckanext.crowdsource.tests.moderation.notes import flag

pytestmark = pytest.mark.usefixtures("clean_db")


def rows_of(html):
    page = BeautifulSoup(html, "html.parser")
    return {tr["data-item"]: tr for tr in page.select("table.moderation-queue tbody tr")}


def test_staff_see_the_queue_with_a_form_per_item(app, lib, notes):
    flagged = notes.add(lib["ds"]["id"], "Flagged note")
    waiting = notes.add(lib["ds"]["id"], "Waiting note", state="pending")
    notes.add(lib["other"]["id"], "Elsewhere", state="hidden")
    flag(lib["reader"], flagged, "ads")
    log_in(app, lib["editor"])
    res = app.get("/crowdsource/moderation")
    assert res.status_code == 200
    page = BeautifulSoup(res.body, "html.parser")
    assert "Moderation queue" in page.title.text
    assert page.select_one(".breadcrumb .active a")["href"] == "/crowdsource/moderation"
    rows = rows_of(res.body)
    assert set(rows) == {f"note:{flagged}", f"note:{waiting}"}
    review = rows[f"note:{flagged}"].select_one("form")
    assert review["action"] == "/crowdsource/moderation/review"
    assert {b["value"] for b in review.select("button[name=decision]")} == {"clear", "uphold"}
    assert "ads" in rows[f"note:{flagged}"].text
    decide = rows[f"note:{waiting}"].select_one("form")
    assert decide["action"] == "/crowdsource/moderation/decide"
    assert {b["value"] for b in decide.select("button[name=decision]")} == {"approve", "hide"}

    only_waiting = rows_of(app.get("/crowdsource/moderation?status=pending").body)
    assert set(only_waiting) == {f"note:{waiting}"}
    assert set(rows_of(app.get("/crowdsource/moderation?status=nonsense").body)) == set(rows)


def test_a_decision_from_the_queue(app, lib, notes):
    waiting = notes.add(lib["ds"]["id"], "Waiting note", state="pending")
    flagged = notes.add(lib["ds"]["id"], "Flagged note")
    flag(lib["reader"], flagged, "ads")
    log_in(app, lib["editor"])
    res = app.post("/crowdsource/moderation/decide", follow_redirects=False, data={
        "item_type": "note", "item_id": waiting, "decision": "approve", "status": "pending"})
    assert res.status_code == 302
    assert res.headers["Location"].endswith("/crowdsource/moderation?status=pending")
    assert notes.state(waiting)[0] == "published"
    res = app.post("/crowdsource/moderation/review", data={
        "item_type": "note", "item_id": flagged, "decision": "uphold", "reason": "ads"})
    assert res.status_code == 200 and "Hidden" in res.body
    assert notes.state(flagged) == ("hidden", "ads")
    # a decision that no longer fits is told, not a failure
    res = app.post("/crowdsource/moderation/decide", data={
        "item_type": "note", "item_id": waiting, "decision": "approve"})
    assert res.status_code == 200 and "not waiting for approval" in res.body
    res = app.post("/crowdsource/moderation/decide", data={
        "item_type": "note", "item_id": "nope", "decision": "hide"})
    assert res.status_code == 200 and "Item not found" in res.body


def test_readers_cannot_moderate(app, lib, notes):
    n = notes.add(lib["ds"]["id"])
    assert app.get("/crowdsource/moderation", status=403)
    log_in(app, lib["reader"])
    assert app.get("/crowdsource/moderation", status=403)
    app.post("/crowdsource/moderation/decide", status=403,
             data={"item_type": "note", "item_id": n, "decision": "hide"})
    assert notes.state(n)[0] == "published"
    log_out(app)


def test_a_page_beyond_the_end_is_empty(app, lib, notes):
    log_in(app, lib["editor"])
    res = app.get("/crowdsource/moderation?page=99")
    assert res.status_code == 200 and "Nothing is waiting" in res.body
    app.get("/crowdsource/moderation?page=99999999999", status=400)
