"""Borrowing in a real browser (CSRF on, in Chinese, on a phone): a reader
finds a restricted dataset among what may be borrowed, reserves it while the
one copy is out, is offered it when it comes back, borrows it, downloads
from it, and loses access on returning it; every loan page fits 375 px."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from ckanext.crowdsource.tests.e2e.library import city_library, click, log_in, waiter
from ckanext.crowdsource.tests.helpers import as_user

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812, "deviceScaleFactor": 2, "mobile": True}
RETURN, BORROW, RESERVE = "归还", "借阅", "预约"


def download(browser, url: str) -> str:
    """What the reader's browser gets asking for a download: ``allowed``
    (CKAN sends it on to the file's address) or the HTTP status."""
    return browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], {redirect: 'manual', credentials: 'same-origin'})
          .then(r => done(r.type === 'opaqueredirect' ? 'allowed' : String(r.status)));
    """, url)


def button(browser, text: str):
    return next(b for b in browser.find_elements(By.CSS_SELECTOR, "#cs-loans button")
                if b.text.strip() == text)


def fits(browser) -> bool:
    return browser.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_reserve_be_offered_borrow_download_and_return(clean_db, served_ckan, browser):
    lib = city_library("reader1", "reader2", name="rare-maps", title="善本地图 Rare Maps",
                       private=True,
                       resources=[{"url": "http://example.org/rare.pdf", "name": "善本.pdf"}])
    ds, resource = lib["ds"], lib["ds"]["resources"][0]
    as_user(lib["staff1"], "crowdsource_lendable_set", package_id=ds["id"], copies=1)
    first = as_user(lib["reader2"], "crowdsource_loan_request", package_id=ds["id"])
    wait, base = waiter(browser), served_ckan
    url = f"{base}/zh_Hans_CN/dataset/{ds['id']}/resource/{resource['id']}/download"
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    try:
        log_in(browser, base, "reader1", wait)
        # what may be borrowed, on "My loans": the record page, then reserve
        browser.get(f"{base}/zh_Hans_CN/crowdsource/loans")
        assert fits(browser)
        # followed from the keyboard (a synthetic mouse click on this link,
        # alone of the page's controls, left headless Chromium where it was)
        browser.find_element(By.LINK_TEXT, "善本地图 Rare Maps").send_keys(Keys.ENTER)
        wait.until(lambda b: "/zh_Hans_CN/crowdsource/loans/item/" in b.current_url)
        assert "善本.pdf" not in browser.page_source and download(browser, url) != "allowed"
        assert fits(browser)
        click(browser, button(browser, RESERVE))
        wait.until(lambda b: "您在队列中排第 1 位。" in b.find_element(By.ID, "cs-loans").text)
        # the copy comes back: the reader is offered it, and borrows it
        as_user(lib["reader2"], "crowdsource_loan_return", id=first["id"])
        browser.refresh()
        wait.until(lambda b: "为您保留的一本" in b.find_element(By.ID, "cs-loans").text)
        click(browser, button(browser, BORROW))
        wait.until(lambda b: "借阅中" in b.find_element(By.ID, "cs-loans").text)
        # the dataset itself now: its resources, and the download
        browser.get(f"{base}/zh_Hans_CN/dataset/rare-maps")
        assert "善本.pdf" in browser.page_source and fits(browser)
        assert download(browser, url) == "allowed"
        # returned: access ends at once
        click(browser, button(browser, RETURN))
        wait.until(lambda b: "善本.pdf" not in b.page_source)
        assert download(browser, url) in ("403", "404")
        browser.get(f"{base}/zh_Hans_CN/crowdsource/loans")
        assert "您目前没有借阅。" in browser.page_source and fits(browser)
        # the staff's loan desk fits a phone too, in Chinese
        log_in(browser, base, "staff1", wait)
        browser.get(f"{base}/zh_Hans_CN/crowdsource/loans/manage")
        assert "借阅台" in browser.page_source and fits(browser)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
