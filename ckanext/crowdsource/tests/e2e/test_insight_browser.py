"""The staff dashboard in a real browser: a librarian switches period and
organization with the form, opens a figure's table, downloads its CSV and
finds the same numbers; in Chinese on a phone it fits the screen and passes
axe's checks."""
from __future__ import annotations

import csv
import io

import pytest
from ckan.tests import factories, helpers
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from ckanext.crowdsource.tests.e2e.library import city_library, log_in, waiter
from ckanext.crowdsource.tests.e2e.test_access_browser import (  # noqa: F401 - a fixture
    axe_source,
    check,
)
from ckanext.crowdsource.tests.helpers import as_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def library(clean_db):
    lib = city_library("reader1", "reader2", name="old-maps", title="老地图 Old Maps")
    county = factories.Organization(name="county-archive", title="County Archive")
    helpers.call_action("organization_member_create", id=county["id"], username="staff1",
                        role="editor")
    lib["county_ds"] = factories.Dataset(owner_org=county["id"], title="Parish records")
    for reader, tag in (("reader1", "maps"), ("reader2", "maps"), ("reader1", "老地图")):
        as_user(lib[reader], "crowdsource_tag_add", package_id=lib["ds"]["id"], tag=tag)
    as_user(lib["reader2"], "crowdsource_tag_add", package_id=lib["county_ds"]["id"],
            tag="parish")
    return lib


def table_rows(browser, metric):
    figure = browser.find_element(By.ID, f"insight-{metric}")
    details = figure.find_element(By.TAG_NAME, "details")
    if not details.get_attribute("open"):
        figure.find_element(By.TAG_NAME, "summary").click()
    heads = [th.text for th in figure.find_elements(By.CSS_SELECTOR, "thead th")]
    rows = [[c.text for c in tr.find_elements(By.CSS_SELECTOR, "th, td")]
            for tr in figure.find_elements(By.CSS_SELECTOR, "tbody tr")]
    return heads, rows


def downloaded(browser, metric):
    href = browser.find_element(By.CSS_SELECTOR, f"#insight-{metric} a[download]") \
        .get_attribute("href")
    text = browser.execute_async_script(
        "const done = arguments[1];"
        "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text()).then(done);",
        href)
    return list(csv.reader(io.StringIO(text)))


def choose(browser, wait, period, organization):
    Select(browser.find_element(By.ID, "insight-period")).select_by_value(period)
    Select(browser.find_element(By.ID, "insight-organization")).select_by_value(organization)
    browser.find_element(By.CSS_SELECTOR, ".cs-insight-form button[type=submit]").click()
    wait.until(lambda b: f"organization={organization}" in b.current_url)


def test_a_librarian_reads_the_dashboard_and_downloads_the_same_numbers(
        library, served_ckan, browser, axe_source):  # noqa: F811
    wait, base = waiter(browser), served_ckan
    log_in(browser, base, "staff1", wait)
    browser.get(base + "/dataset")
    browser.find_element(By.CSS_SELECTOR, "a[href='/crowdsource/stats']")  # the staff menu
    browser.get(base + "/crowdsource/stats")

    choose(browser, wait, "7d", "city-library")
    heads, rows = table_rows(browser, "contributions")
    assert browser.find_element(By.CSS_SELECTOR, "#insight-contributions table").is_displayed()
    tags = heads.index("Tags")
    assert sum(int(r[tags]) for r in rows) == 3
    assert len(rows) == 7
    sheet = downloaded(browser, "contributions")
    assert sheet[0][0] == "bucket" and len(sheet) == len(rows) + 1
    assert [r[1:] for r in sheet[1:]] == [r[1:] for r in rows]  # the same numbers

    choose(browser, wait, "30d", "county-archive")
    heads, rows = table_rows(browser, "contributions")
    assert len(rows) == 30 and sum(int(r[heads.index("Tags")]) for r in rows) == 1
    assert [r[1:] for r in downloaded(browser, "contributions")[1:]] == [r[1:] for r in rows]

    browser.set_script_timeout(60)
    found = check(browser, base, ["/crowdsource/stats?period=90d"], axe_source, "staff")
    assert not found, "\n".join(found)
