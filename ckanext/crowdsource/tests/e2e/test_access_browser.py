"""Every crowdsource page and the dataset page, in Chinese, as a reader and
as a librarian: no serious or critical WCAG 2.1 AA violation found by
axe-core (from the npm registry, injected into Chromium), and no horizontal
scrolling and no control of this extension smaller than 44 px on a 375 px
wide phone."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ckanext.crowdsource.tests.e2e.library import (
    crowd_library,
    log_in,
    reader_pages,
    staff_pages,
    waiter,
)

pytestmark = pytest.mark.e2e

AXE_VERSION = "4.10.3"
CACHE = Path(__file__).resolve().parents[4] / ".cache" / "npm"
PHONE = {"width": 375, "height": 812, "deviceScaleFactor": 2, "mobile": True}
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's browser build, installed from the npm registry once."""
    script = CACHE / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if not npm:
            pytest.fail("The accessibility test needs npm to install axe-core")
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--no-save", "--no-audit", "--no-fund",
                        "--prefix", str(CACHE), f"axe-core@{AXE_VERSION}"],
                       check=True, capture_output=True, timeout=300,
                       env={**os.environ, "npm_config_update_notifier": "false"})
    return script.read_text()


@pytest.fixture
def library(clean_db):
    return crowd_library()


def axe_violations(browser: Any, source: str) -> list[str]:
    browser.execute_script(source)
    result = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag',
                           values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
           .then(r => done(JSON.stringify(r.violations)))
           .catch(e => done(JSON.stringify([{id: 'axe-error', impact: 'critical',
                                             help: String(e), nodes: []}])));
    """)
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + "; ".join(" ".join(n["target"]) if isinstance(n["target"], list) else
                        str(n["target"]) for n in v["nodes"][:3])
            for v in json.loads(result) if v["impact"] in SERIOUS]


def too_wide(browser: Any) -> int:
    """How many CSS pixels the page overflows a 375 px screen by."""
    return int(browser.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth"))


# The controls of this extension (inside an element of its, "cs-..." or
# "reader-tag...", and its header menus) that a finger must hit.
SMALL_TARGETS = """
const mine = '[class*="cs-"], [class*="reader-tag"], .cs-nav';
const controls = 'button, summary, select, textarea, a.btn, .cs-nav a, '
  + 'input:not([type=hidden]):not([type=checkbox]):not([type=radio])';
const small = [];
for (const el of document.querySelectorAll(controls)) {
  if (!el.closest(mine) || el.closest('.dropdown-menu:not(.show)')) continue;
  const box = el.getBoundingClientRect();
  if (box.width === 0 && box.height === 0) continue;  // not shown
  if (box.width < 43.5 || box.height < 43.5)
    small.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} `
               + `"${(el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 30)}" `
               + `${Math.round(box.width)}x${Math.round(box.height)}`);
}
return small;
"""


def small_targets(browser: Any) -> list[str]:
    return browser.execute_script(SMALL_TARGETS)


def check(browser: Any, base: str, paths: list[str], source: str, who: str) -> list[str]:
    found = []
    for path in paths:
        url = f"{base}/zh_Hans_CN{path}"
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        browser.get(url)
        found += [f"{who} {path}: {v}" for v in axe_violations(browser, source)]
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
        browser.get(url)
        wider = too_wide(browser)
        if wider > 0:
            found.append(f"{who} {path}: {wider} px wider than a 375 px phone")
        found += [f"{who} {path}: smaller than 44 px: {t}" for t in small_targets(browser)]
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return found


def test_every_page_is_accessible_and_fits_a_phone(library, served_ckan, browser, axe_source):
    browser.set_script_timeout(60)
    wait, base = waiter(browser), served_ckan
    found = check(browser, base, ["/", "/crowdsource", "/crowdsource/tasks",
                                  f"/dataset/{library['ds']['name']}"], axe_source, "anonymous")
    log_in(browser, base, "reader1", wait)
    found += check(browser, base, reader_pages(library), axe_source, "reader")
    log_in(browser, base, "staff1", wait)
    found += check(browser, base, staff_pages(library), axe_source, "staff")
    assert not found, "\n".join(found)
