"""Q&A and comments in a real browser (htmx, CSRF on): ask, answer, accept; reply; hide."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from ckanext.crowdsource.tests.e2e.library import city_library, log_in, waiter
from ckanext.crowdsource.tests.helpers import as_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def library(clean_db):
    lib = city_library("asker", "helper", name="old-maps", title="老地图 Old Maps")
    lib["early"] = as_user(lib["helper"], "crowdsource_post_create",
                           package_id=lib["ds"]["id"], body="These maps are from 1850.")
    return lib


def type_into(browser, css, text):
    box = browser.find_element(By.CSS_SELECTOR, css)
    box.clear()
    box.send_keys(text)
    return box


def test_question_answer_accept_reply_and_hide(library, served_ckan, browser):
    wait = waiter(browser)
    base = served_ckan

    # a reader asks a question on the dataset's Questions tab
    log_in(browser, base, "asker", wait)
    browser.get(f"{base}/dataset/old-maps/questions")
    browser.find_element(By.CSS_SELECTOR, "details.cs-ask summary").click()
    type_into(browser, "#cs-ask-title", "这些地图的比例尺是多少？")
    type_into(browser, "#cs-ask-body", "Which **scale** do the maps use?")
    browser.find_element(By.CSS_SELECTOR, "form.cs-form-ask button[type=submit]").click()
    wait.until(ec.presence_of_element_located((By.ID, "cs-question")))
    question_url = browser.current_url
    assert "/crowdsource/questions/" in question_url
    assert "这些地图的比例尺是多少？" in browser.find_element(By.CSS_SELECTOR,
                                                          ".cs-question-title").text

    # a second reader answers twice; the later answer is the better one
    log_in(browser, base, "helper", wait)
    for answer in ("Perhaps 1:10000.", "1:5000, says the legend."):
        browser.get(question_url)
        type_into(browser, "#cs-question > form.cs-form-comment textarea", answer)
        browser.find_element(
            By.CSS_SELECTOR, "#cs-question > form.cs-form-comment button[type=submit]").click()
        wait.until(lambda b, a=answer: a in b.find_element(By.ID, "cs-question").text)
    assert browser.current_url == question_url  # swapped in place by htmx

    # the asker accepts the second answer: it moves to the top, marked accepted
    log_in(browser, base, "asker", wait)
    browser.get(question_url)
    answers = browser.find_elements(By.CSS_SELECTOR, "#cs-question .cs-posts > .cs-post-answer")
    assert "Perhaps" in answers[0].text
    answers[1].find_element(By.CSS_SELECTOR, ".cs-accept").click()
    wait.until(lambda b: "cs-accepted" in b.find_element(
        By.CSS_SELECTOR, "#cs-question .cs-posts > .cs-post-answer").get_attribute("class"))
    first = browser.find_element(By.CSS_SELECTOR, "#cs-question .cs-posts > .cs-post-answer")
    assert "1:5000" in first.text and "Accepted answer" in first.text

    # a comment thread with a reply, on the Discussion tab
    browser.get(f"{base}/dataset/old-maps/discussion")
    early = browser.find_element(By.ID, f"post-{library['early']['id']}")
    early.find_element(By.CSS_SELECTOR, "details.cs-reply summary").click()
    early.find_element(By.CSS_SELECTOR, "details.cs-reply textarea").send_keys("谢谢！Thanks.")
    early.find_element(By.CSS_SELECTOR, "details.cs-reply button[type=submit]").click()
    reply = (By.CSS_SELECTOR, f"#post-{library['early']['id']} .cs-replies .cs-post")
    wait.until(ec.presence_of_element_located(reply))
    assert "谢谢！Thanks." in browser.find_element(*reply).text

    # staff hide the first comment with a reason; other readers no longer see it
    log_in(browser, base, "staff1", wait)
    browser.get(f"{base}/dataset/old-maps/discussion")
    browser.find_element(By.ID, f"post-{library['early']['id']}").find_element(
        By.CSS_SELECTOR, ".cs-post-actions > .cs-form-hide button").click()
    prompt = wait.until(ec.alert_is_present())
    prompt.send_keys("wrong date")
    prompt.accept()
    wait.until(lambda b: "cs-state-hidden" in b.find_element(
        By.ID, f"post-{library['early']['id']}").get_attribute("class"))
    log_in(browser, base, "asker", wait)
    browser.get(f"{base}/dataset/old-maps/discussion")
    hidden = browser.find_element(By.ID, f"post-{library['early']['id']}")
    assert "These maps are from 1850." not in hidden.text
    assert "Hidden by the library" in hidden.text
    assert "谢谢！Thanks." in hidden.text  # the reply keeps its place under the placeholder
