"""Browser tests: a CKAN server started by the test, driven by headless Chromium.

The server is a separate ``ckan run`` process on the test database, with CSRF
protection on as in production, one for the session's browser tests (each
test still gets an empty database); it is stopped when the session ends.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ckanext.crowdsource.tests.served import serve

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="session")
def served_ckan_process() -> Iterator[Callable[[], str]]:
    """The base URL of the browser tests' CKAN server: started by the first
    test that asks for it, stopped when the session ends, pass or fail."""
    with contextlib.ExitStack() as stack:
        running: list[tuple[str, contextlib.ExitStack]] = []

        def base() -> str:
            if running and not _answers(running[0][0]):  # it died: another one
                running.pop()[1].close()
            if not running:
                server = stack.enter_context(contextlib.ExitStack())
                running.append((server.enter_context(serve()), server))
            return running[0][0]

        yield base


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/api/3/action/status_show", timeout=10) as res:
            return res.status == 200
    except OSError:
        return False


@pytest.fixture
def served_ckan(clean_db, served_ckan_process):
    """Base URL of a CKAN server running this extension, on the database
    ``clean_db`` has just emptied.

    One server serves every browser test of the session (starting one takes
    seconds): it keeps nothing from one test to the next but what is in the
    database and Redis, which ``clean_db`` empties (sessions are cookies, and
    each test has a browser of its own)."""
    return served_ckan_process()


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
