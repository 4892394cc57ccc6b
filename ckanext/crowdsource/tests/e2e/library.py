"""What the browser tests share: a city library with a dataset, its people,
waiting for the page, and logging in through the portal's form."""
from __future__ import annotations

from typing import Any

from ckan.tests import factories, helpers
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

PASSWORD = "correct-horse-42"


def city_library(*people: str, **dataset: Any) -> dict[str, Any]:
    """The organization "city-library", one dataset in it, these users (who
    log in with PASSWORD), and "staff1", an editor of the organization."""
    org = factories.Organization(name="city-library", title="City Library")
    ds = factories.Dataset(owner_org=org["id"], **dataset)
    users = {name: factories.User(name=name, password=PASSWORD)
             for name in (*people, "staff1")}
    helpers.call_action("organization_member_create", id=org["id"], username="staff1",
                        role="editor")
    return {"org": org, "ds": ds, **users}


def waiter(browser: Any, seconds: float = 15) -> WebDriverWait:
    """A wait that looks again when htmx or a new page replaced the element
    it was reading (a stale element is a page still changing, not a failure)."""
    return WebDriverWait(browser, seconds, ignored_exceptions=(StaleElementReferenceException,))


def log_in(browser: Any, base: str, name: str, wait: Any) -> None:
    browser.delete_all_cookies()
    browser.get(base + "/user/login")
    browser.find_element(By.ID, "field-login").send_keys(name)
    browser.find_element(By.ID, "field-password").send_keys(PASSWORD, Keys.ENTER)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, f"a[href='/user/{name}']")))
