"""The README's screenshots, taken by the browser: the dataset page, the
task board and the moderation queue in Chinese, as a reader and a
librarian see them on the demo's kind of portal.

Each run takes them into a temporary folder and checks them; ``make
screenshots`` takes them into ``docs/screenshots`` (set
``CROWDSOURCE_SCREENSHOTS`` to a folder to choose another)."""
from __future__ import annotations

import base64
import os
import struct
import tempfile
from pathlib import Path
from typing import Any

import pytest

from ckanext.crowdsource.tests.e2e.library import crowd_library, log_in, waiter
from ckanext.crowdsource.tests.served import serve

pytestmark = pytest.mark.e2e

WIDTH, TALLEST = 1280, 2400


def full_page(browser: Any, path: Path) -> tuple[int, int]:
    """A PNG of the whole page (up to TALLEST pixels high); its size."""
    height = min(TALLEST, int(browser.execute_script(
        "return document.documentElement.scrollHeight")))
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": False})
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    data = base64.b64decode(shot["data"])
    path.write_bytes(data)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def library(clean_db):
    return crowd_library()


def test_the_readme_screenshots(library, browser):
    folder = Path(os.environ.get("CROWDSOURCE_SCREENSHOTS") or tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    wait = waiter(browser)
    chinese = {"ckan.site_title": "开放知识目录", "ckan.display_timezone": "Asia/Shanghai",
               "ckan.plugins": "crowdsource activity image_view text_view crowdsource_pgsearch"}
    shots = {}
    with serve(**chinese) as base:
        log_in(browser, base, "reader1", wait)
        for name, path in (("dataset-page", f"/dataset/{library['ds']['name']}"),
                           ("task-board", "/crowdsource/tasks")):
            browser.get(f"{base}/zh_Hans_CN{path}")
            shots[name] = full_page(browser, folder / f"{name}.png")
        log_in(browser, base, "staff1", wait)
        browser.get(f"{base}/zh_Hans_CN/crowdsource/moderation")
        assert "很有用的地图" in browser.page_source  # the flagged comment is in the queue
        shots["moderation-queue"] = full_page(browser, folder / "moderation-queue.png")
    for name, (width, height) in shots.items():
        assert width == WIDTH and 400 < height <= TALLEST, (name, width, height)
