"""The way in, in a real browser: from the home page a reader and a librarian
reach every crowdsource page by clicking only, and reasons typed in Chinese
into htmx prompts come back as typed."""
from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from ckanext.crowdsource.tests.e2e.library import city_library, click, log_in, waiter
from ckanext.crowdsource.tests.helpers import as_user

pytestmark = pytest.mark.e2e

REASON_FLAG = "广告 / 与地图无关"
REASON_HIDE = "重复内容 / duplicate"


@pytest.fixture
def library(clean_db):
    lib = city_library("reader1", "reader2", name="old-maps", title="老地图 Old Maps")
    ds = lib["ds"]["id"]
    lib["task"] = as_user(lib["staff1"], "crowdsource_task_create", package_id=ds,
                          kind="describe", title="Describe the maps", capacity=2)
    lib["question"] = as_user(lib["reader2"], "crowdsource_question_create", package_id=ds,
                              title="Who drew them?", body="The maps.")
    lib["request"] = as_user(lib["reader2"], "crowdsource_feedback_create", kind="request",
                             title="Maps of 1900", body="Please scan them", package_id=ds)
    lib["post"] = as_user(lib["reader2"], "crowdsource_post_create", package_id=ds,
                          body="Cheap maps at example.com")
    as_user(lib["reader2"], "crowdsource_tag_add", package_id=ds, tag="spam")
    lib["community"] = as_user(lib["staff1"], "crowdsource_community_create",
                               name="local-history", title="Local history")
    return lib


def open_menu(browser: Any, wait: Any, toggle_id: str) -> None:
    browser.find_element(By.ID, toggle_id).click()
    wait.until(ec.visibility_of_element_located(
        (By.CSS_SELECTOR, f"[aria-labelledby={toggle_id}]")))


def click_menu_link(browser: Any, wait: Any, toggle_id: str, text: str) -> None:
    """Open a header menu (the navbar's toggle first, on narrow screens) and
    click the link with this text."""
    toggler = browser.find_elements(By.CSS_SELECTOR, ".navbar-toggler")
    if toggler and toggler[0].is_displayed():
        toggler[0].click()
        wait.until(ec.visibility_of_element_located((By.ID, toggle_id)))
    open_menu(browser, wait, toggle_id)
    menu = browser.find_element(By.CSS_SELECTOR, f"[aria-labelledby={toggle_id}]")
    link = next(a for a in menu.find_elements(By.TAG_NAME, "a")
                if a.text.split("\n")[0].strip() == text)
    link.click()


def click_text(browser: Any, text: str) -> None:
    click(browser, browser.find_element(By.LINK_TEXT, text))


def test_a_reader_reaches_every_reader_page_by_clicking(library, served_ckan, browser):
    wait, base = waiter(browser), served_ckan
    log_in(browser, base, "reader1", wait)
    browser.get(base + "/")
    seen = {}
    for text, path in (("Tasks", "/crowdsource/tasks"), ("Questions", "/crowdsource/questions"),
                       ("Requests", "/crowdsource/requests"),
                       ("Reader tags", "/crowdsource/tags"),
                       ("My feedback", "/crowdsource/feedback"),
                       ("Communities", "/crowdsource/communities"),
                       ("All the ways to take part", "/crowdsource")):
        click_menu_link(browser, wait, "cs-nav-take-part", text)
        wait.until(lambda b, p=path: b.current_url.split("?")[0] == base + p)
        seen[text] = browser.title
        assert "Error" not in browser.title, text
    # from the lists to the items, still by clicking
    click_menu_link(browser, wait, "cs-nav-take-part", "Tasks")
    click_text(browser, "Describe the maps")
    wait.until(ec.url_contains(f"/crowdsource/tasks/{library['task']['id']}"))
    click_menu_link(browser, wait, "cs-nav-take-part", "Questions")
    click_text(browser, "Who drew them?")
    wait.until(ec.url_contains(f"/crowdsource/questions/{library['question']['id']}"))
    # from the list of communities to a community, and joining it there
    click_menu_link(browser, wait, "cs-nav-take-part", "Communities")
    click_text(browser, "Local history")
    wait.until(ec.url_contains("/crowdsource/community/local-history"))
    click(browser, browser.find_element(By.CSS_SELECTOR, ".cs-join-button"))
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".cs-join[data-state=active]")))
    assert as_user(library["reader1"], "crowdsource_community_list", mine=True)["count"] == 1
    # the home page's blocks lead there too
    browser.get(base + "/")
    block = browser.find_element(By.CSS_SELECTOR, ".cs-home-requests")
    click(browser, block.find_element(By.LINK_TEXT, "Maps of 1900"))
    wait.until(ec.url_contains(f"/crowdsource/feedback/{library['request']['id']}"))
    assert not browser.find_elements(By.ID, "cs-nav-staff")  # readers have no staff menu


def test_a_reader_flags_and_staff_hide_with_chinese_reasons(library, served_ckan, browser):
    wait, base = waiter(browser), served_ckan
    log_in(browser, base, "reader1", wait)
    browser.get(f"{base}/dataset/old-maps/discussion")
    post = f"#post-{library['post']['id']}"
    click(browser, browser.find_element(By.CSS_SELECTOR, f"{post} .cs-form-flag button"))
    prompt = wait.until(ec.alert_is_present())
    prompt.send_keys(REASON_FLAG)
    prompt.accept()
    wait.until(lambda b: as_user(library["staff1"], "crowdsource_moderation_list",
                                 status="flagged")["count"] == 1)

    # staff find the flag from the header, with its count, and read the reason as typed
    log_in(browser, base, "staff1", wait)
    browser.get(base + "/")
    badge = browser.find_element(By.CSS_SELECTOR, "#cs-nav-staff .cs-waiting")
    assert badge.text.split()[0] == "2"  # the flag, and the request in the inbox
    click_menu_link(browser, wait, "cs-nav-staff", "Moderation")
    wait.until(ec.url_contains("/crowdsource/moderation"))
    shown = library["reader1"]["fullname"] or "reader1"
    assert f"{shown}: {REASON_FLAG}" in browser.find_element(By.ID, "content").text
    for text, path in (("Review submissions", "/crowdsource/review"),
                       ("Feedback inbox", "/crowdsource/feedback")):
        click_menu_link(browser, wait, "cs-nav-staff", text)
        wait.until(lambda b, p=path: b.current_url.split("?")[0] == base + p)

    # staff hide a reader tag with a Chinese reason typed into the prompt
    browser.get(f"{base}/dataset/old-maps")
    click(browser, browser.find_element(By.CSS_SELECTOR, "li[data-tag=spam] .reader-tag-hide"))
    prompt = wait.until(ec.alert_is_present())
    prompt.send_keys(REASON_HIDE)
    prompt.accept()
    wait.until(ec.text_to_be_present_in_element(
        (By.CSS_SELECTOR, "li[data-tag=spam]"), REASON_HIDE))
    log_ = as_user(library["staff1"], "crowdsource_moderation_log_list", item_type="tag")
    assert [e["reason"] for e in log_["results"]] == [REASON_HIDE]
