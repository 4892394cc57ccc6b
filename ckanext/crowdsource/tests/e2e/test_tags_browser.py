"""Readers tag a dataset and staff hide a tag, in a real browser (htmx, CSRF on)."""
import pytest
from ckan.tests import factories
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec

from ckanext.crowdsource.tests.e2e.library import city_library, log_in, waiter
from ckanext.crowdsource.tests.helpers import as_user

pytestmark = pytest.mark.e2e

TAG = "善本"


@pytest.fixture
def library(clean_db):
    lib = city_library("reader1", "reader2", name="ancient-books", title="市图书馆古籍目录")
    factories.Dataset(name="loans", title="Loan Statistics", owner_org=lib["org"]["id"])
    as_user(lib["reader2"], "crowdsource_tag_add", package_id=lib["ds"]["id"], tag=["spam", "rare"])
    return lib["ds"]


# The contrast of an element's text with its own background (WCAG's formula).
CONTRAST = """
const style = getComputedStyle(arguments[0]);
const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
const lum = c => { const [r, g, b] = c.map(v => { v /= 255;
  return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))];
return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
"""


def tag_item(tag):
    return (By.CSS_SELECTOR, f"#reader-tags li[data-tag='{tag}']")


def test_reader_tags_and_staff_hides(library, served_ckan, browser):
    wait = waiter(browser)
    page = served_ckan + "/dataset/ancient-books"

    # anonymous: the cloud and a log-in link, no form
    browser.get(page)
    assert browser.find_element(*tag_item("spam"))
    assert browser.find_elements(By.CSS_SELECTOR, "#reader-tags .reader-tags-login a")
    assert not browser.find_elements(By.CSS_SELECTOR, "#reader-tags form")

    # a reader adds a Chinese tag through the htmx form (CSRF on) and sees it as theirs
    log_in(browser, served_ckan, "reader1", wait)
    browser.get(page)
    box = browser.find_element(By.ID, "reader-tag-input")
    box.send_keys(TAG, Keys.ENTER)
    added = wait.until(ec.presence_of_element_located(tag_item(TAG)))
    assert "mine" in added.get_attribute("class")
    count = added.find_element(By.CSS_SELECTOR, ".reader-tag-count")
    assert count.text == "1"
    assert browser.execute_script(CONTRAST, count) >= 4.5  # readable on its badge
    assert browser.current_url == page  # swapped in place, no page load

    # it links to the /dataset facet, which finds the dataset
    added.find_element(By.CSS_SELECTOR, "a.reader-tag-name").click()
    wait.until(ec.url_contains("vocab_crowd_tags="))
    results = browser.find_elements(By.CSS_SELECTOR, ".dataset-item .dataset-heading a")
    assert [a.text for a in results] == ["市图书馆古籍目录"]

    # and removes it again
    browser.get(page)
    browser.find_element(*tag_item(TAG)).find_element(
        By.CSS_SELECTOR, ".reader-tag-remove").click()
    wait.until(ec.invisibility_of_element_located(tag_item(TAG)))
    assert not browser.find_elements(*tag_item(TAG))

    # staff hide a tag with a reason given in the prompt
    log_in(browser, served_ckan, "staff1", wait)
    browser.get(page)
    browser.find_element(*tag_item("spam")).find_element(
        By.CSS_SELECTOR, ".reader-tag-hide").click()
    prompt = wait.until(ec.alert_is_present())
    prompt.send_keys("advertising")
    prompt.accept()
    wait.until(lambda b: "is-hidden" in b.find_element(*tag_item("spam")).get_attribute("class"))
    assert "advertising" in browser.find_element(*tag_item("spam")).text

    # it is gone for everybody else
    log_in(browser, served_ckan, "reader1", wait)
    browser.get(page)
    assert browser.find_elements(*tag_item("rare"))
    assert not browser.find_elements(*tag_item("spam"))
    browser.delete_all_cookies()
    browser.get(page)
    assert not browser.find_elements(*tag_item("spam"))
