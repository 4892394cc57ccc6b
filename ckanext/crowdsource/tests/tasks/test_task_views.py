"""The task board, a task's page with its htmx forms, the Tasks tab, the review queue."""
import pytest
from bs4 import BeautifulSoup
from ckan.tests import helpers

from ckanext.crowdsource.tests.helpers import as_user, log_in

HTMX = {"HX-Request": "true"}


def soup(html):
    return BeautifulSoup(html, "html.parser")


def section(html):
    found = soup(html).find(id="cs-task")
    assert found is not None, html[:3000]
    return found


def test_board_lists_open_tasks_with_slots_and_filters(app, lib, make_task):
    make_task(title="Tag the maps", capacity=2)
    make_task(title="Describe the loans", kind="describe", package_id=lib["ds2"]["id"])
    page = soup(app.get("/crowdsource/tasks").body)
    items = {li.select_one(".cs-task-link").text: li for li in page.select(".cs-task-item")}
    assert set(items) == {"Tag the maps", "Describe the loans"}
    assert "2 slots left" in items["Tag the maps"].text
    only = soup(app.get("/crowdsource/tasks?kind=describe").body)
    assert [a.text for a in only.select(".cs-task-link")] == ["Describe the loans"]
    assert page.select_one(".cs-my-tasks") is None  # anonymous


def test_dataset_tab_counts_and_staff_post_a_task(app, lib, make_task):
    make_task()
    page = soup(app.get(f"/dataset/{lib['ds']['name']}").body)
    assert "Tasks (1)" in [a.get_text(" ", strip=True) for a in page.select(".nav a")]
    tab = soup(app.get(f"/dataset/{lib['ds']['name']}/tasks").body)
    assert tab.select_one("form.cs-task-create") is None
    log_in(app, lib["editor"])
    tab = soup(app.get(f"/dataset/{lib['ds']['name']}/tasks").body)
    assert tab.select_one("form.cs-task-create input[name=_csrf_token]") is not None
    res = app.post("/crowdsource/tasks/do/create", data={
        "package_id": lib["ds"]["id"], "title": "Transcribe the legend", "kind": "transcribe",
        "instructions": "Type what the legend says", "capacity": "2"},
        follow_redirects=False)
    assert res.status_code == 302 and "/crowdsource/tasks/" in res.headers["Location"]
    assert as_user(None, "crowdsource_task_list")["count"] == 2
    res = app.post("/crowdsource/tasks/do/create", data={
        "package_id": lib["ds"]["id"], "title": "", "kind": "tag"}, follow_redirects=False)
    assert res.status_code == 302 and res.headers["Location"].endswith(
        f"/dataset/{lib['ds']['id']}/tasks")
    log_in(app, lib["reader"])
    res = app.post("/crowdsource/tasks/do/create", data={
        "package_id": lib["ds"]["id"], "title": "x", "kind": "tag"})
    assert res.status_code == 403


def test_reader_claims_saves_a_draft_and_hands_in_through_htmx(app, lib, make_task):
    t = make_task()
    log_in(app, lib["reader"])
    page = section(app.get(f"/crowdsource/tasks/{t['id']}").body)
    assert page.select_one("button.cs-claim") is not None
    res = app.post("/crowdsource/tasks/do/claim", data={"task_id": t["id"]}, headers=HTMX)
    page = section(res.body)
    claim_id = page.select_one("form.cs-work input[name=claim_id]")["value"]
    assert "left" in page.select_one(".cs-lease").text
    res = app.post("/crowdsource/tasks/do/work", data={
        "task_id": t["id"], "claim_id": claim_id, "tags": "古籍, atlas", "do": "draft"},
        headers=HTMX)
    assert section(res.body).select_one("#cs-work-tags")["value"] == "古籍, atlas"
    res = app.post("/crowdsource/tasks/do/work", data={
        "task_id": t["id"], "claim_id": claim_id, "tags": "<b>", "do": "submit"}, headers=HTMX)
    assert "not allowed" in section(res.body).select_one(".cs-error").text
    res = app.post("/crowdsource/tasks/do/work", data={
        "task_id": t["id"], "claim_id": claim_id, "tags": "古籍, atlas", "do": "submit"},
        headers=HTMX)
    assert "Handed in" in section(res.body).select_one(".cs-claim-state").text
    board = soup(app.get("/crowdsource/tasks").body)
    assert "Waiting for review" in board.select_one(".cs-my-tasks").text


def test_staff_review_with_a_diff_and_apply(app, lib, make_task):
    t = make_task(kind="describe")
    c = as_user(lib["reader"], "crowdsource_task_claim", id=t["id"])
    as_user(lib["reader"], "crowdsource_claim_submit", id=c["id"],
            result={"text": "Old maps.\nFrom 1850."})
    log_in(app, lib["editor"])
    queue = soup(app.get("/crowdsource/review").body)
    assert [li["data-claim"] for li in queue.select(".cs-review-list li")] == [c["id"]]
    page = section(app.get(f"/crowdsource/tasks/{t['id']}").body)
    row = page.select_one(f".cs-claim-row[data-claim='{c['id']}']")
    assert row.select_one(".cs-diff-add").text.strip() == "+ From 1850."
    res = app.post("/crowdsource/tasks/do/review", data={
        "task_id": t["id"], "claim_id": c["id"], "decision": "accept"}, headers=HTMX)
    page = section(res.body)
    assert page["data-state"] == "completed"
    res = app.post("/crowdsource/tasks/do/apply", data={
        "task_id": t["id"], "claim_id": c["id"], "as": "field"}, headers=HTMX)
    assert section(res.body).select_one(".cs-applied") is not None
    assert helpers.call_action("package_show", id=lib["ds"]["id"])["notes"] == \
        "Old maps.\nFrom 1850."
    log_in(app, lib["reader2"])
    assert app.get("/crowdsource/review").status_code == 403


def test_next_task_button_takes_the_reader_to_their_task(app, lib, make_task):
    t = make_task()
    log_in(app, lib["reader"])
    res = app.post("/crowdsource/tasks/do/next", data={}, follow_redirects=False)
    assert res.headers["Location"].endswith(f"/crowdsource/tasks/{t['id']}")
    res = app.post("/crowdsource/tasks/do/next", data={}, follow_redirects=False)
    assert res.headers["Location"].endswith("/crowdsource/tasks")


def test_private_task_pages_are_not_found_for_outsiders(app, lib):
    t = as_user(lib["editor"], "crowdsource_task_create", package_id=lib["private"]["id"],
                kind="tag", title="secret")
    assert app.get(f"/crowdsource/tasks/{t['id']}").status_code == 404
    assert "secret" not in app.get("/crowdsource/tasks").body


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999999999999999999"])
def test_bad_page_numbers_are_bad_requests(app, lib, page):
    log_in(app, lib["editor"])
    for path in ("/crowdsource/tasks", "/crowdsource/review", f"/dataset/{lib['ds']['id']}/tasks"):
        assert app.get(path, query_string={"page": page}).status_code == 400, path
    assert app.get("/crowdsource/review").status_code == 200


def test_a_nul_in_the_dataset_id_is_not_found(app, lib):
    assert app.get("/dataset/a%00b/tasks").status_code == 404
