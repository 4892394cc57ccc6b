"""The loan pages: the record page, the dataset page's box, my loans, the
loan desk, the staff form, and the buttons."""
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
    app.post("/crowdsource/loans/do/borrow", data={"package_id": ds["id"]})
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
