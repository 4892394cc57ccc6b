"""Every crowdsource page and the dataset page under ``zh_Hans_CN``, as an
anonymous visitor, a reader and a librarian: no English interface word in
the visible text, the tooltips, the accessible names or the placeholders.
Data is excluded: the library's content in this portal is Chinese, and the
few data words left (user names, file names, addresses) are listed."""
from __future__ import annotations

import re
from typing import Any

import pytest

from ckanext.crowdsource.tests.e2e.library import (
    crowd_library,
    log_in,
    reader_pages,
    staff_pages,
    waiter,
)
from ckanext.crowdsource.tests.served import serve

pytestmark = pytest.mark.e2e

# What a page shows a reader: its visible text, then what the pointer or a
# screen reader gives (tooltips, accessible names, placeholders, alt texts).
SHOWN = """
const out = [document.body.innerText];
for (const el of document.querySelectorAll('[title],[aria-label],[placeholder],img[alt]')) {
  const style = window.getComputedStyle(el);
  if (style.display === 'none' || style.visibility === 'hidden') continue;
  for (const name of ['title', 'aria-label', 'placeholder', 'alt'])
    if (el.hasAttribute(name)) out.push(el.getAttribute(name));
}
return out.join('\\n');
"""
WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*[A-Za-z0-9]")
# Names and abbreviations that stay as they are in Chinese (English is the
# language selector's own name for English, licences keep their short
# names), and this library's data: its people's user names, its file, the
# sample address, and its community's group name (CKAN's group list gives
# a group's image the group's name as its alt text).
KEPT = {"CKAN", "API", "CSV", "JSON", "URL", "RSS", "Markdown", "Excel", "UTC", "English",
        "Facebook", "GNU", "CC", "BY", "BY-SA", "CC0", "ODbL", "PDDL", "OGL",
        "reader1", "reader2", "staff1", "city-library", "old-maps", "csv",
        "local-history"}


# Addresses are data too: e-mail and web addresses, host names, paths, ids.
ADDRESS = re.compile(r"\S+@\S+|https?://\S+|\b[\w.-]+\.(?:org|com|net|cn)\b|(?<!\S)/\S*"
                     r"|\S*\d+\.\d+\.\d+\.\d+\S*|\b[0-9a-f]{8}-[0-9a-f-]{27}\b")


def english(text: str) -> list[str]:
    """The lines of ``text`` with an English word that is not kept."""
    return sorted({line.strip() for line in text.splitlines()
                   if any(w not in KEPT and w.lower() not in KEPT
                          for w in WORD.findall(ADDRESS.sub(" ", line)))})


def core_pages(lib: dict[str, Any], user: str) -> list[str]:
    """CKAN's own pages that a reader or a librarian of the portal opens."""
    ds = lib["ds"]["name"]
    return ["/dataset", "/dataset?q=地图", "/organization", "/organization/city-library",
            "/group", "/about", f"/dataset/activity/{ds}", f"/user/{user}",
            f"/user/activity/{user}", "/dashboard/datasets", "/dashboard/", f"/user/edit/{user}",
            "/user", "/dataset/new"]


def scan(browser: Any, base: str, paths: list[str], who: str) -> list[str]:
    found = []
    for path in paths:
        browser.get(f"{base}/zh_Hans_CN{path}")
        found += [f"{who} {path}: {line}" for line in english(browser.execute_script(SHOWN))]
    return found


@pytest.fixture
def library(clean_db):
    return crowd_library()


def test_every_page_is_in_chinese(library, browser):
    wait = waiter(browser)
    chinese = {"ckan.site_title": "开放知识目录", "ckan.site_about": "城市图书馆的开放知识目录。",
               "ckan.display_timezone": "Asia/Shanghai",
               "ckan.plugins": "crowdsource activity image_view text_view crowdsource_pgsearch"}
    with serve(**chinese) as base:
        found = scan(browser, base, ["/", "/crowdsource", "/crowdsource/tasks",
                                     "/crowdsource/questions", "/crowdsource/requests",
                                     f"/dataset/{library['ds']['name']}",
                                     "/crowdsource/moderation", "/crowdsource/no-such-page"],
                     "anonymous")
        log_in(browser, base, "reader1", wait)
        found += scan(browser, base, reader_pages(library) + core_pages(library, "reader1"),
                      "reader")
        log_in(browser, base, "staff1", wait)
        found += scan(browser, base, staff_pages(library) + core_pages(library, "staff1"),
                      "staff")
    assert not found, "\n".join(found)


def test_the_scan_finds_english_and_leaves_data_alone():
    assert english("提交\nSubmit\n跳到主要内容") == ["Submit"]
    assert english("最近更新\tDecember 7, 2026") == ["最近更新\tDecember 7, 2026"]
    assert english("例如：joe@example.com\n资源网址：http://example.org/m.csv") == []
    assert english("读者一 reader1\n编号\tba2369d2-0f4f-428e-906b-f64828dad419") == []
