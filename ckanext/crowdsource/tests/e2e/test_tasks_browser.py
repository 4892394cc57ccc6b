"""A task from posting to the catalogue, in a real browser (htmx, CSRF on)."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from ckanext.crowdsource.tests.e2e.library import city_library, log_in, waiter

pytestmark = pytest.mark.e2e


@pytest.fixture
def library(clean_db):
    return city_library("reader1", name="old-maps", title="老地图 Old Maps",
                        notes="Scanned maps.")["ds"]


def section(browser):
    return browser.find_element(By.ID, "cs-task")


def wait_for_text(wait, text):
    wait.until(lambda b: text in b.find_element(By.ID, "cs-task").text)


def test_post_claim_draft_submit_changes_accept_apply(library, served_ckan, browser):
    wait = waiter(browser)
    base = served_ckan

    # staff post a describing task on the dataset's Tasks tab
    log_in(browser, base, "staff1", wait)
    browser.get(f"{base}/dataset/old-maps/tasks")
    browser.find_element(By.CSS_SELECTOR, "details.cs-post-task summary").click()
    browser.find_element(By.ID, "cs-task-title").send_keys("Describe the maps")
    browser.find_element(By.CSS_SELECTOR, "#cs-task-kind option[value=describe]").click()
    browser.find_element(By.ID, "cs-task-instructions").send_keys("Who drew them, and when?")
    browser.find_element(By.CSS_SELECTOR, "form.cs-task-create button[type=submit]").click()
    wait.until(ec.presence_of_element_located((By.ID, "cs-task")))
    task_url = browser.current_url

    # a reader finds it on the board and takes it
    log_in(browser, base, "reader1", wait)
    browser.get(f"{base}/crowdsource/tasks")
    browser.find_element(By.LINK_TEXT, "Describe the maps").click()
    browser.find_element(By.CSS_SELECTOR, "button.cs-claim").click()
    wait.until(ec.presence_of_element_located((By.ID, "cs-work-text")))
    assert browser.current_url == task_url  # swapped in place
    assert "left" in section(browser).find_element(By.CSS_SELECTOR, ".cs-lease").text

    # saves a draft, which is there when the page is opened again
    box = browser.find_element(By.ID, "cs-work-text")
    box.send_keys("Scanned maps.\n1850")
    browser.find_element(By.CSS_SELECTOR, "button.cs-save-draft").click()
    wait.until(ec.staleness_of(box))  # the section came back from the server
    browser.get(task_url)
    assert browser.find_element(By.ID, "cs-work-text").get_attribute("value") == \
        "Scanned maps.\n1850"
    browser.find_element(By.CSS_SELECTOR, "button.cs-submit").click()
    wait_for_text(wait, "Handed in")

    # staff see the diff and ask for changes
    log_in(browser, base, "staff1", wait)
    browser.get(task_url)
    assert "+ 1850" in section(browser).find_element(By.CSS_SELECTOR, ".cs-diff").text
    section(browser).find_element(By.CSS_SELECTOR, ".cs-task-form-review input[name=note]") \
        .send_keys("Say who drew them")
    section(browser).find_element(By.CSS_SELECTOR, "button.cs-changes").click()
    wait.until(lambda b: b.find_element(By.CSS_SELECTOR, ".cs-claim-row")
               .get_attribute("data-state") == "claimed")

    # the reader sees the note and hands in again
    log_in(browser, base, "reader1", wait)
    browser.get(task_url)
    assert "Say who drew them" in section(browser).find_element(
        By.CSS_SELECTOR, ".cs-review-note").text
    box = browser.find_element(By.ID, "cs-work-text")
    box.clear()
    box.send_keys("Scanned maps.\nDrawn in 1850 by the city surveyor.")
    browser.find_element(By.CSS_SELECTOR, "button.cs-submit").click()
    wait_for_text(wait, "Handed in")

    # staff accept and apply; the dataset shows the new description
    log_in(browser, base, "staff1", wait)
    browser.get(task_url)
    section(browser).find_element(By.CSS_SELECTOR, "button.cs-accept-claim").click()
    wait.until(lambda b: b.find_element(By.ID, "cs-task").get_attribute("data-state")
               == "completed")
    section(browser).find_element(By.CSS_SELECTOR, "button.cs-apply").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#cs-task .cs-applied")))
    browser.get(f"{base}/dataset/old-maps")
    assert "Drawn in 1850 by the city surveyor." in browser.find_element(
        By.CSS_SELECTOR, ".notes").text
