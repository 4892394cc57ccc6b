"""Recognition in a real browser (htmx, CSRF on): a reader's answer is
accepted, and the reader finds the points, the badge and the answer on
their profile, and the badge next to their name in the question."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from ckanext.crowdsource.tests.e2e.library import city_library, log_in, waiter
from ckanext.crowdsource.tests.helpers import as_user

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812, "deviceScaleFactor": 2, "mobile": True}


@pytest.fixture
def library(clean_db):
    lib = city_library("asker", "helper", name="old-maps", title="老地图 Old Maps",
                       fullnames={"helper": "热心读者"})
    lib["question"] = as_user(lib["asker"], "crowdsource_question_create",
                              package_id=lib["ds"]["id"], title="这些地图是谁画的？",
                              body="Who drew these maps?")
    return lib


def test_a_reader_earns_points_and_a_badge_for_an_accepted_answer(library, served_ckan,
                                                                  browser):
    wait, base = waiter(browser), served_ckan
    question_url = f"{base}/crowdsource/questions/{library['question']['id']}"

    # the reader answers the question
    log_in(browser, base, "helper", wait)
    browser.get(question_url)
    box = browser.find_element(By.CSS_SELECTOR, "#cs-question > form.cs-form-comment textarea")
    box.send_keys("城市测绘局, 1850.")
    browser.find_element(
        By.CSS_SELECTOR, "#cs-question > form.cs-form-comment button[type=submit]").click()
    wait.until(lambda b: "测绘局" in b.find_element(By.ID, "cs-question").text)

    # the asker accepts it
    log_in(browser, base, "asker", wait)
    browser.get(question_url)
    browser.find_element(By.CSS_SELECTOR, "#cs-question .cs-post-answer .cs-accept").click()
    wait.until(lambda b: "cs-accepted" in b.find_element(
        By.CSS_SELECTOR, "#cs-question .cs-post-answer").get_attribute("class"))

    # the reader opens their profile from their own user page
    log_in(browser, base, "helper", wait)
    browser.get(f"{base}/user/helper")
    browser.find_element(By.CSS_SELECTOR, "a[href='/user/helper/contributions']").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".cs-points-total")))
    assert browser.find_element(By.CSS_SELECTOR, ".cs-points-total").text == "15 points"
    history = browser.find_element(By.CSS_SELECTOR, ".cs-points-history").text
    assert "+15" in history and "answer accepted" in history
    assert browser.find_element(By.CSS_SELECTOR, ".cs-badges").text.startswith(
        "First accepted answer")
    totals = browser.find_element(By.CSS_SELECTOR, ".cs-contribution-totals").text
    assert "1 Answers" in totals and "1 Accepted answers" in totals
    accepted = browser.find_element(By.CSS_SELECTOR, ".cs-contribution-accepted_answer a")
    assert accepted.text == "城市测绘局, 1850."

    # in Chinese on a phone, the profile fits the screen
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    browser.get(f"{base}/zh_Hans_CN/user/helper/contributions")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".cs-contributions")))
    assert browser.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth") <= 0
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    # the contribution links to the answer, where the badge shows by the name
    browser.get(f"{base}/user/helper/contributions")
    browser.find_element(By.CSS_SELECTOR, ".cs-contribution-accepted_answer a").click()
    wait.until(ec.presence_of_element_located((By.ID, "cs-question")))
    assert browser.current_url.startswith(question_url)
    answer = browser.find_element(By.CSS_SELECTOR, "#cs-question .cs-post-answer")
    assert answer.find_element(By.CSS_SELECTOR, ".cs-author").text == "热心读者"
    assert answer.find_element(By.CSS_SELECTOR, ".cs-reader-badge").text == \
        "First accepted answer"

    # a visitor sees the same profile
    browser.delete_all_cookies()
    browser.get(f"{base}/user/helper/contributions")
    assert browser.find_element(By.CSS_SELECTOR, ".cs-points-total").text == "15 points"
    assert "First accepted answer" in browser.find_element(By.CSS_SELECTOR, ".cs-badges").text
