"""A community from proposal to work inside it, in a real browser: a reader
proposes it, staff approve, two readers join, staff post a task for it, a
member claims it and a reader outside it is refused, a member asks a
question inside it and another member answers."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from ckanext.crowdsource.tests.e2e.library import city_library, log_in, waiter

pytestmark = pytest.mark.e2e


def press(browser, css: str):
    """Click as a reader would: the element scrolled to the middle first."""
    element = browser.find_element(By.CSS_SELECTOR, css)
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()
    return element


@pytest.fixture
def library(clean_db):
    return city_library("reader1", "reader2", "reader3", "reader4", name="old-maps",
                        title="老地图 Old Maps", notes="Scanned maps.")


def test_propose_approve_join_work_and_ask(library, served_ckan, browser):
    wait = waiter(browser)
    base = served_ckan

    # a reader proposes a community from the list of communities
    log_in(browser, base, "reader1", wait)
    browser.get(f"{base}/crowdsource/communities")
    browser.find_element(By.ID, "cs-propose-title").send_keys("地方史 Local history")
    browser.find_element(By.ID, "cs-propose-name").send_keys("local-history")
    browser.find_element(By.ID, "cs-propose-description").send_keys("The town's past")
    press(browser, "button.cs-propose-button")
    wait.until(lambda b: "/crowdsource/community/local-history" in b.current_url)

    # staff approve it from the list's proposals waiting
    log_in(browser, base, "staff1", wait)
    browser.get(f"{base}/crowdsource/communities")
    approve = press(browser, "button.cs-approve")
    wait.until(ec.staleness_of(approve))

    # two readers join (the proposer is its owner already)
    for reader in ("reader2", "reader3"):
        log_in(browser, base, reader, wait)
        browser.get(f"{base}/crowdsource/community/local-history")
        press(browser, "button.cs-join-button")
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "button.cs-leave")))

    # staff post a task on the dataset, for the community
    log_in(browser, base, "staff1", wait)
    browser.get(f"{base}/dataset/old-maps/tasks")
    press(browser, "details.cs-post-task summary")
    browser.find_element(By.ID, "cs-task-title").send_keys("Describe the maps")
    press(browser, "#cs-task-kind option[value=describe]")
    press(browser, "#cs-task-community option[value=local-history]")
    press(browser, "form.cs-task-create button[type=submit]")
    wait.until(ec.presence_of_element_located((By.ID, "cs-task")))
    task_url = browser.current_url

    # a reader outside the community is told to join; a member takes the task
    log_in(browser, base, "reader4", wait)
    browser.get(task_url)
    assert "地方史 Local history" in browser.find_element(By.CSS_SELECTOR, ".cs-members-only").text
    assert not browser.find_elements(By.CSS_SELECTOR, "button.cs-claim")
    log_in(browser, base, "reader2", wait)
    browser.get(task_url)
    press(browser, "button.cs-claim")
    wait.until(ec.presence_of_element_located((By.ID, "cs-work-text")))

    # the community's page lists the task
    browser.get(f"{base}/crowdsource/community/local-history")
    assert "Describe the maps" in browser.find_element(By.TAG_NAME, "body").text

    # a member asks inside the community, another member answers
    browser.get(f"{base}/crowdsource/community/local-history")
    press(browser, ".cs-community-questions details.cs-ask summary")
    browser.find_element(By.ID, "cs-ask-title").send_keys("哪里有老城门的照片？")
    browser.find_element(By.ID, "cs-ask-body").send_keys("Photos of the old gate?")
    press(browser, "form.cs-form-ask button[type=submit]")
    wait.until(lambda b: "/crowdsource/questions/" in b.current_url)
    question_url = browser.current_url
    log_in(browser, base, "reader3", wait)
    browser.get(question_url)
    assert "地方史 Local history" in browser.find_element(By.TAG_NAME, "body").text
    browser.find_element(By.CSS_SELECTOR, "#cs-question > form.cs-form-comment textarea") \
        .send_keys("In the photo archive, box 12.")
    press(browser, "#cs-question > form.cs-form-comment button[type=submit]")
    wait.until(lambda b: "box 12" in b.find_element(By.ID, "cs-question").text)
    browser.get(f"{base}/crowdsource/community/local-history")
    assert "哪里有老城门的照片？" in browser.find_element(
        By.CSS_SELECTOR, ".cs-community-questions").text
