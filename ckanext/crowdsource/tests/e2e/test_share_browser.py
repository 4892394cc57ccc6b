"""Sharing in a real browser (CSRF on, in Chinese, on a phone): a visitor
and a reader copy a dataset's link and open its QR code; each share is
counted, and the count then shows on the dataset."""
import pytest
from ckan import model
from selenium.webdriver.common.by import By

from ckanext.crowdsource.share.model import share
from ckanext.crowdsource.tests.e2e.library import city_library, click, log_in, waiter

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812, "deviceScaleFactor": 2, "mobile": True}


def channels(package_id: str) -> list[tuple[str, bool]]:
    """The dataset's shares so far: (channel, by a logged-in reader)."""
    rows = model.Session.execute(share.select().where(share.c.item_id == package_id)
                                 .order_by(share.c.created)).all()
    model.Session.commit()
    return sorted((r.channel, r.user_id is not None) for r in rows)


def test_copying_the_link_and_opening_the_qr_code_are_counted(clean_db, served_ckan, browser):
    lib = city_library("reader", name="old-maps", title="老地图 Old Maps")
    wait, base = waiter(browser), served_ckan
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    try:
        for who in (None, "reader"):
            if who:
                log_in(browser, base, who, wait)
            browser.get(f"{base}/zh_Hans_CN/dataset/old-maps")
            box = browser.find_element(By.CSS_SELECTOR, ".cs-share")
            click(browser, box.find_element(By.TAG_NAME, "summary"))
            copy = box.find_element(By.CSS_SELECTOR, ".cs-share-copy")
            click(browser, copy)
            wait.until(lambda b, copy=copy: copy.text.strip() == "已复制")
            click(browser, box.find_element(By.CSS_SELECTOR, ".cs-share-qr summary"))
            image = box.find_element(By.CSS_SELECTOR, ".cs-share-qr-image")
            wait.until(lambda b, image=image: b.execute_script(
                "return arguments[0].complete && arguments[0].naturalWidth > 0", image))
            mine = who is not None
            wait.until(lambda b, mine=mine: {("link", mine), ("qr", mine)}
                       <= set(channels(lib["ds"]["id"])))
        assert channels(lib["ds"]["id"]) == [("link", False), ("link", True), ("qr", False),
                                             ("qr", True)]
        browser.get(f"{base}/zh_Hans_CN/dataset/old-maps")
        assert browser.find_element(By.CSS_SELECTOR, ".cs-share-count").text == "· 已分享 4 次"
        assert browser.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth") <= 0
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
