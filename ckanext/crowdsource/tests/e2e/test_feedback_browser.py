"""Feedback from a reader to the library and back, in a real browser (CSRF on)."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from ckanext.crowdsource.tests.e2e.library import city_library, click, log_in, waiter
from ckanext.crowdsource.tests.helpers import as_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def library(clean_db):
    lib = city_library("reader1", "reader2", name="old-maps", title="老地图 Old Maps")
    lib["request"] = as_user(lib["reader1"], "crowdsource_feedback_create", kind="request",
                             title="Maps of 1900", body="Please scan them",
                             package_id=lib["ds"]["id"])
    return lib


def fill(browser, css, text):
    box = browser.find_element(By.CSS_SELECTOR, css)
    box.clear()
    box.send_keys(text)


def test_error_report_answered_and_resolved_and_a_request_seconded(library, served_ckan,
                                                                   browser):
    # pages are replaced after each post: an element may go stale while waiting
    wait = waiter(browser)
    base = served_ckan

    # a reader reports an error on the dataset, with a rating
    log_in(browser, base, "reader1", wait)
    browser.get(f"{base}/dataset/old-maps")
    click(browser, "details.cs-feedback-open summary")
    click(browser, "#cs-fb-kind option[value=error]")
    click(browser, "label[for=cs-fb-rating-2]")
    fill(browser, "#cs-fb-body", "地图 12 缺失 Map 12 is missing")
    click(browser, "button.cs-feedback-send")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".cs-feedback-item")))
    item_url = browser.current_url
    assert "★★☆☆☆" in browser.find_element(By.CSS_SELECTOR, ".cs-stars").text

    # staff find it in the inbox, acknowledge it and reply
    log_in(browser, base, "staff1", wait)
    browser.get(f"{base}/crowdsource/feedback")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Map 12 is missing").click()
    click(browser, "#cs-status option[value=acknowledged]")
    fill(browser, "#cs-status-reply", "Thank you, we will scan it again")
    click(browser, "button.cs-status-send")
    wait.until(lambda b: b.find_element(By.CSS_SELECTOR, ".cs-feedback-item")
               .get_attribute("data-status") == "acknowledged")

    # the reader reads the reply and answers
    log_in(browser, base, "reader1", wait)
    browser.get(item_url)
    assert "we will scan it again" in browser.find_element(
        By.CSS_SELECTOR, ".cs-message-staff").text
    fill(browser, "#cs-reply", "It is the harbour sheet")
    click(browser, "button.cs-reply-send")
    wait.until(lambda b: "harbour sheet" in b.find_element(By.CSS_SELECTOR,
                                                            ".cs-conversation").text)

    # staff resolve it
    log_in(browser, base, "staff1", wait)
    browser.get(item_url)
    click(browser, "#cs-status option[value=resolved]")
    click(browser, "button.cs-status-send")
    wait.until(lambda b: b.find_element(By.CSS_SELECTOR, ".cs-feedback-item")
               .get_attribute("data-status") == "resolved")

    # another reader says "me too" to the public request, in place
    log_in(browser, base, "reader2", wait)
    browser.get(f"{base}/crowdsource/requests")
    request_id = library["request"]["id"]
    click(browser, f"#request-{request_id} .cs-metoo")
    wait.until(lambda b: b.find_element(By.CSS_SELECTOR, f"#request-{request_id} .cs-seconds")
               .text == "1")
    assert browser.current_url.endswith("/crowdsource/requests")
