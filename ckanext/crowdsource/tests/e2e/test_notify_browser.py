"""Notifications in a real browser (htmx, CSRF on): a reader asks, another
answers, and the asker's bell counts it without a reload; the asker opens
the notification, goes to the question and accepts the answer, and the
answerer is told; marking read in place lowers the bell."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from ckanext.crowdsource.tests.e2e.library import city_library, log_in, waiter
from ckanext.crowdsource.tests.helpers import as_user
from ckanext.crowdsource.tests.served import serve

pytestmark = pytest.mark.e2e


@pytest.fixture
def library(clean_db):
    lib = city_library("asker", "helper", name="old-maps", title="老地图 Old Maps",
                       fullnames={"helper": "Helen Helper"})
    lib["question"] = as_user(lib["asker"], "crowdsource_question_create",
                              package_id=lib["ds"]["id"], title="Which scale?",
                              body="The maps of the old town")
    return lib


def bell_label(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, "#cs-bell a").get_attribute("aria-label")


def test_the_bell_rises_without_a_reload_and_leads_to_the_answer(library, browser):
    wait = waiter(browser, 20)
    # a server of its own, whose pages ask for the bell every second
    with serve(**{"ckanext.crowdsource.notify.poll_seconds": "1"}) as base:
        log_in(browser, base, "asker", wait)
        browser.get(f"{base}/dataset/old-maps")
        assert bell_label(browser) == "Notifications, none unread"
        browser.execute_script("window.csNotReloaded = true")

        answer = as_user(library["helper"], "crowdsource_post_create",
                         thread_id=library["question"]["id"], body="1:5000, says the legend.")
        wait.until(lambda b: bell_label(b) == "Notifications, 1 unread")
        assert browser.find_element(By.CSS_SELECTOR, "#cs-bell .cs-bell-count").text == "1"
        assert browser.execute_script("return window.csNotReloaded") is True

        browser.find_element(By.CSS_SELECTOR, "#cs-bell a").click()
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".cs-notification")))
        item = browser.find_element(By.CSS_SELECTOR, ".cs-notification")
        assert "Helen Helper answered your question Which scale?" in item.text

        # marked read in place: the bell follows
        item.find_element(By.CSS_SELECTOR, "button.cs-mark-read").click()
        wait.until(lambda b: bell_label(b) == "Notifications, none unread")
        assert "Read" in browser.find_element(By.CSS_SELECTOR, ".cs-notification-state").text

        browser.find_element(By.CSS_SELECTOR, ".cs-notification-link").click()
        wait.until(ec.presence_of_element_located((By.ID, "cs-question")))
        assert f"#post-{answer['id']}" in browser.current_url
        browser.find_element(By.CSS_SELECTOR, f"#post-{answer['id']} .cs-accept").click()
        wait.until(lambda b: "cs-accepted" in b.find_element(
            By.ID, f"post-{answer['id']}").get_attribute("class"))

        told = as_user(library["helper"], "crowdsource_notification_list")["results"]
        assert [n["kind"] for n in told] == ["answer_accepted"]
