"""Every crowdsource page and the dataset page, in Chinese, as a reader and
as a librarian: no serious or critical WCAG 2.1 AA violation found by
axe-core (from the npm registry, injected into Chromium), and no horizontal
scrolling on a 375 px wide phone."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ckanext.crowdsource.tests.e2e.library import city_library, log_in, waiter
from ckanext.crowdsource.tests.helpers import as_user

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
    lib = city_library("reader1", "reader2", name="old-maps", title="老地图 Old Maps",
                       resources=[{"url": "http://example.org/m.csv", "name": "地图.csv"}])
    ds = lib["ds"]["id"]
    lib["task"] = as_user(lib["staff1"], "crowdsource_task_create", package_id=ds,
                          kind="describe", title="描述这些地图", capacity=2)
    claim = as_user(lib["reader2"], "crowdsource_task_claim", id=lib["task"]["id"])
    as_user(lib["reader2"], "crowdsource_claim_submit", id=claim["id"],
            result={"text": "1850 年的城市地图"})
    lib["question"] = as_user(lib["reader2"], "crowdsource_question_create", package_id=ds,
                              title="这些地图是谁画的？", body="比例尺是多少？")
    as_user(lib["reader1"], "crowdsource_post_create", thread_id=lib["question"]["id"],
            body="可能是 **测绘局**")
    post = as_user(lib["reader2"], "crowdsource_post_create", package_id=ds, body="很有用的地图")
    as_user(lib["reader1"], "crowdsource_post_create", parent_id=post["id"], body="同意")
    as_user(lib["reader1"], "crowdsource_flag_create", item_type="post", item_id=post["id"],
            reason="广告")
    as_user(lib["reader1"], "crowdsource_tag_add", package_id=ds, tag=["古地图", "城市"])
    lib["feedback"] = as_user(lib["reader1"], "crowdsource_feedback_create", kind="error",
                              body="第 12 页缺失", rating=3, package_id=ds)
    lib["request"] = as_user(lib["reader2"], "crowdsource_feedback_create", kind="request",
                             title="1900 年的地图", body="请扫描", package_id=ds)
    return lib


def reader_pages(lib: dict[str, Any]) -> list[str]:
    ds, res = lib["ds"]["name"], lib["ds"]["resources"][0]["id"]
    return ["/", "/crowdsource", "/crowdsource/tasks", f"/crowdsource/tasks/{lib['task']['id']}",
            "/crowdsource/questions", f"/crowdsource/questions/{lib['question']['id']}",
            "/crowdsource/requests", "/crowdsource/tags", "/crowdsource/feedback?mine=1",
            f"/crowdsource/feedback/{lib['feedback']['id']}", f"/dataset/{ds}",
            f"/dataset/{ds}/discussion", f"/dataset/{ds}/questions", f"/dataset/{ds}/tasks",
            f"/dataset/{ds}/resource/{res}"]


def staff_pages(lib: dict[str, Any]) -> list[str]:
    return ["/crowdsource/review", "/crowdsource/moderation", "/crowdsource/feedback",
            f"/crowdsource/tasks/{lib['task']['id']}", f"/dataset/{lib['ds']['name']}",
            f"/crowdsource/feedback/{lib['request']['id']}"]


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
