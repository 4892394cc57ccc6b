"""Browser tests: a CKAN server started by the test, driven by headless Chromium.

The server is a separate ``ckan run`` process on the test database, with CSRF
protection on as in production; it is stopped when the test ends, pass or fail.
"""
from __future__ import annotations

import configparser
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"CKAN server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as res:
                if res.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)  # polling the server's status URL until it answers
    raise RuntimeError(f"CKAN server did not answer at {url} in {seconds}s")


@pytest.fixture
def served_ckan(clean_db):
    """Base URL of a CKAN server running this extension; stopped afterwards."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = tempfile.mkdtemp(prefix="crowdsource-e2e-")
    ini = os.path.join(workdir, "server.ini")
    # A whole copy of test.ini (CKAN 2.11 reads its logging sections from the
    # file it runs with), served at this port with CSRF protection on.
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str
    parser.read(os.path.join(ROOT, "test.ini"))
    parser.set("app:main", "ckan.site_url", base)
    parser.set("app:main", "WTF_CSRF_ENABLED", "true")
    parser.set("app:main", "testing", "false")
    with open(ini, "w") as f:
        parser.write(f)
    log = open(os.path.join(workdir, "server.log"), "w")
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    proc = subprocess.Popen(
        [ckan, "-c", ini, "run", "--host", "127.0.0.1", "--port", str(port),
         "--disable-reloader"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        _wait_until_up(f"{base}/api/3/action/status_show", proc)
        yield base
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def browser():
    """Headless Debian Chromium through chromedriver; quit afterwards."""
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
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
