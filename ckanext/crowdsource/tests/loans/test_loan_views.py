"""The loan pages: the record page, the dataset page's box, my loans, the
loan desk, the staff form, and the buttons."""
import csv
import io

import pytest

from ckanext.crowdsource.tests.helpers import as_user, log_in, log_out

pytestmark = pytest.mark.ckan_config("ckanext.crowdsource.common.writes_per_minute", "0")


def test_record_page_shows_the_record_but_no_resources(app, lib, lendable):
    ds = lendable(copies=2)
    body = app.get(f"/crowdsource/loans/item/{ds['name']}").get_data(as_text=True)
    assert "Rare Maps" in body and "<em>rare</em>" in body
    assert "2 of 2 copies free" in body and "Log in to borrow" in body
    assert "rare.pdf" not in body and "example.org/rare" not in body
    log_in(app, lib["reader"])
    body = app.get(f"/crowdsource/loans/item/{ds['name']}").get_data(as_text=True)
    assert "Borrow</button>" in body
    assert app.get(f"/dataset/{ds['name']}").status_code == 404


def test_record_page_of_a_dataset_not_lendable(app, lib):
    assert app.get(f"/crowdsource/loans/item/{lib['private']['name']}").status_code == 404
    assert app.get("/crowdsource/loans/item/no-such").status_code == 404


def test_borrowing_through_the_button_opens_the_dataset_page(app, lib, lendable):
    ds = lendable(copies=1)
    log_in(app, lib["reader"])
    res = app.post("/crowdsource/loans/do/borrow", data={
        "package_id": ds["id"], "came_from": f"/dataset/{ds['name']}"},
        follow_redirects=False)
    assert res.status_code == 302 and res.headers["Location"].endswith(f"/dataset/{ds['name']}")
    body = app.get(f"/dataset/{ds['name']}").get_data(as_text=True)
    assert "rare.pdf" in body and "Return</button>" in body and "Renew</button>" in body
    mine = app.get("/crowdsource/loans").get_data(as_text=True)
    assert "Rare Maps" in mine and "On loan" in mine
    log_in(app, lib["reader2"])
    # a button on a Chinese page brings the reader back to the Chinese page
    res = app.post("/zh_Hans_CN/crowdsource/loans/do/borrow", data={
        "package_id": ds["id"], "came_from": f"/crowdsource/loans/item/{ds['name']}"},
        follow_redirects=False)
    assert res.headers["Location"].endswith(f"/zh_Hans_CN/crowdsource/loans/item/{ds['name']}")
    mine = app.get("/crowdsource/loans").get_data(as_text=True)
    assert "You are number 1 in the queue." in mine


def test_the_loan_desk(app, lib, lendable):
    ds = lendable(needs_approval=True)
    asked = as_user(lib["reader"], "crowdsource_loan_request", package_id=ds["id"])
    log_in(app, lib["editor"])
    body = app.get("/crowdsource/loans/manage").get_data(as_text=True)
    assert "Requests to approve (1)" in body and asked["id"] in body
    res = app.post("/crowdsource/loans/do/approve", data={"id": asked["id"]},
                   follow_redirects=False)
    assert res.status_code == 302
    assert as_user(lib["reader"], "crowdsource_loan_show", id=asked["id"])["state"] == "active"
    log_in(app, lib["reader"])
    assert app.get("/crowdsource/loans/manage").status_code == 403
    assert app.post("/crowdsource/loans/do/revoke", data={"id": asked["id"]}).status_code == 403
    log_out(app)
    assert app.get("/crowdsource/loans/manage").status_code == 403
    assert app.get("/crowdsource/loans", follow_redirects=False).status_code == 302


def test_the_desk_keeps_the_history_and_exports_every_loan_safely(app, lib, lendable):
    ds = lendable(needs_approval=True, copies=3)
    asked = [as_user(lib[who], "crowdsource_loan_request", package_id=ds["id"])
             for who in ("reader", "reader2")]
    as_user(lib["editor"], "crowdsource_loan_decline", id=asked[0]["id"],
            reason="=HYPERLINK(\"http://evil.example\")")
    as_user(lib["editor"], "crowdsource_loan_approve", id=asked[1]["id"])
    found = as_user(lib["editor"], "crowdsource_loan_list", desk=True, ended=True)
    assert [loan["id"] for loan in found["results"]] == [asked[0]["id"]]
    log_in(app, lib["editor"])
    body = app.get("/crowdsource/loans/manage").get_data(as_text=True)
    assert "History (1)" in body and "On loan (1)" in body
    res = app.get(f"/crowdsource/loans/manage?organization={lib['org']['name']}&format=csv")
    assert res.status_code == 200 and res.mimetype == "text/csv"
    assert "attachment" in res.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(res.get_data(as_text=True))))
    assert sorted((r["id"], r["state"], r["dataset"]) for r in rows) == sorted(
        [(asked[0]["id"], "declined", ds["name"]), (asked[1]["id"], "active", ds["name"])])
    declined = next(r for r in rows if r["state"] == "declined")
    assert declined["reason"] == "'=HYPERLINK(\"http://evil.example\")"  # never a formula
    assert declined["reader"] == lib["reader"]["name"]
    log_in(app, lib["reader"])
    assert app.get("/crowdsource/loans/manage?format=csv").status_code == 403


def test_staff_verify_readers_at_the_desk(app, lib, lendable):
    ds = lendable(eligibility="verified")
    log_in(app, lib["editor"])
    res = app.post("/crowdsource/loans/do/verify", data={
        "user_id": lib["reader"]["name"], "came_from": "/crowdsource/loans/manage"},
        follow_redirects=False)
    assert res.status_code == 302
    body = app.get("/crowdsource/loans/manage").get_data(as_text=True)
    assert "Verified readers (1)" in body and f"({lib['reader']['name']})" in body
    log_in(app, lib["reader"])
    assert "Borrow</button>" in app.get(
        f"/crowdsource/loans/item/{ds['name']}").get_data(as_text=True)
    assert app.post("/crowdsource/loans/do/verify",
                    data={"user_id": lib["reader2"]["name"]}).status_code == 403
    log_in(app, lib["editor"])
    app.post("/crowdsource/loans/do/unverify", data={"user_id": lib["reader"]["id"]})
    assert "Verified readers (0)" in app.get("/crowdsource/loans/manage").get_data(as_text=True)
    log_in(app, lib["reader"])
    assert "You may not borrow this dataset." in app.get(
        f"/crowdsource/loans/item/{ds['name']}").get_data(as_text=True)


def test_the_staff_form(app, lib):
    log_in(app, lib["editor"])
    page = app.get(f"/crowdsource/loans/lend/{lib['private']['name']}")
    assert page.status_code == 200 and "Loans need staff approval" in page.get_data(as_text=True)
    res = app.post(f"/crowdsource/loans/lend/{lib['private']['name']}", data={
        "copies": "2", "loan_days": "7", "renewals": "0", "eligibility": "registered"},
        follow_redirects=False)
    assert res.status_code == 302
    shown = as_user(lib["reader"], "crowdsource_lendable_show",
                    package_id=lib["private"]["id"])
    assert (shown["copies"], shown["loan_days"], shown["renewals"]) == (2, 7, 0)
    body = app.post(f"/crowdsource/loans/lend/{lib['private']['name']}",
                    data={"copies": "-3"}).get_data(as_text=True)
    assert "alert-danger" in body
    log_in(app, lib["member"])  # sees the dataset, is not its staff
    assert app.get(f"/crowdsource/loans/lend/{lib['private']['name']}").status_code == 404


def test_resource_download_follows_the_loan(app, lib, lendable):
    ds = lendable()
    url = f"/dataset/{ds['id']}/resource/{ds['resources'][0]['id']}/download"
    log_in(app, lib["reader"])
    assert app.get(url, follow_redirects=False).status_code == 403  # CKAN refuses so
    loan = as_user(lib["reader"], "crowdsource_loan_request", package_id=ds["id"])
    res = app.get(url, follow_redirects=False)
    assert res.status_code == 302 and res.headers["Location"] == "http://example.org/rare.pdf"
    as_user(lib["reader"], "crowdsource_loan_return", id=loan["id"])
    assert app.get(url, follow_redirects=False).status_code == 403  # CKAN refuses so
