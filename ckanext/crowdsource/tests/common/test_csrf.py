"""CKAN 2.12 exempts a view from CSRF checks for the rest of a worker's life
once a request reaches it with an API token; this extension's forms keep
checking the token of cookie-authenticated requests all the same."""
import re

import pytest
import requests
from ckan.tests import factories, helpers

from ckanext.crowdsource.tests.served import serve

pytestmark = pytest.mark.served
PASSWORD = "correct-horse-42"


def logged_in_session(base: str, name: str) -> requests.Session:
    """A browser-like session: the login form with its CSRF token, then the cookie."""
    session = requests.Session()
    page = session.get(f"{base}/user/login").text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
    res = session.post(f"{base}/user/login", data={
        "login": name, "password": PASSWORD, "_csrf_token": token})
    assert res.ok and f"/user/{name}" in res.text
    return session


def test_forms_keep_csrf_after_a_token_request_reached_the_same_view(clean_db):
    reader = factories.User(password=PASSWORD)
    ds = factories.Dataset(owner_org=factories.Organization()["id"])
    api_token = helpers.call_action("api_token_create", context={"user": reader["name"]},
                                    user=reader["name"], name="script")["token"]
    with serve(workers=1) as base:  # one worker: every request reaches the same process
        form = f"{base}/dataset/{ds['name']}/reader-tags/add"
        browser = logged_in_session(base, reader["name"])

        assert browser.post(form, data={"tag": "maps"}).status_code == 400

        # a script with an API token reaches the same view: CKAN now exempts it
        scripted = requests.post(form, data={"tag": "atlas"},
                                 headers={"Authorization": api_token})
        assert scripted.status_code < 500

        forged = browser.post(form, data={"tag": "forged"})
        assert forged.status_code == 400
        tags = helpers.call_action("crowdsource_tag_list", package_id=ds["id"])
        assert "forged" not in str(tags)
