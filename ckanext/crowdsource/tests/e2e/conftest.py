"""Browser tests: a CKAN server started by the test, driven by headless Chromium.

The server is a separate ``ckan run`` process on the test database, with CSRF
protection on as in production; it is stopped when the test ends, pass or fail.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

from ckanext.crowdsource.tests.served import serve

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture
def served_ckan(clean_db):
    """Base URL of a CKAN server running this extension; stopped afterwards."""
    with serve() as base:
        yield base


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium through chromedriver, in a profile of its
    own; quit afterwards."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.fail(
            "Browser tests need Debian's chromium and chromium-driver "
            "(apt-get install chromium chromium-driver; `make test` does it)."
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="crowdsource-chromium-")
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--window-size=1280,1024",
        f"--user-data-dir={profile}", "--lang=en-US",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser():
    """Headless Chromium for one test, waiting up to 5 s for elements."""
    with chromium() as driver:
        driver.implicitly_wait(5)
        yield driver
