"""A reader finds the library's Chinese catalogue in a real browser, no Solr."""
import pytest
from ckan.tests import factories
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec

from ckanext.crowdsource.tests.e2e.library import waiter

pytestmark = pytest.mark.e2e


@pytest.fixture
def library(clean_db):
    org = factories.Organization(name="city-library", title="City Library")
    factories.Group(name="history", title="History")
    factories.Dataset(
        name="ancient-books", title="市图书馆古籍目录", owner_org=org["id"],
        notes="馆藏古籍善本的书目数据", tags=[{"name": "古籍"}, {"name": "rare-books"}],
        groups=[{"name": "history"}],
        resources=[{"url": "http://example.org/a.csv", "format": "CSV"}],
    )
    factories.Dataset(
        name="local-gazetteers", title="地方志 Local Gazetteers", owner_org=org["id"],
        notes="古籍中的地方志", tags=[{"name": "古籍"}, {"name": "方志"}],
    )
    factories.Dataset(name="loans", title="Loan Statistics", owner_org=org["id"])
    return factories.User(name="reader1", password="correct-horse-42")


def test_search_facet_dataset_and_log_in(library, served_ckan, browser):
    wait = waiter(browser)
    browser.get(served_ckan + "/")
    assert "CKAN" in browser.title

    browser.get(served_ckan + "/dataset/")
    box = browser.find_element(By.CSS_SELECTOR, "#dataset-search-form input[name=q]")
    box.send_keys("古籍", Keys.ENTER)
    wait.until(ec.url_contains("q="))
    results = browser.find_elements(By.CSS_SELECTOR, ".dataset-item .dataset-heading a")
    assert sorted(a.text for a in results) == ["地方志 Local Gazetteers", "市图书馆古籍目录"]
    assert "Loan Statistics" not in browser.page_source

    facet = browser.find_element(By.CSS_SELECTOR, "a[href*='tags=%E6%96%B9%E5%BF%97']")
    facet.click()
    wait.until(ec.url_contains("tags="))
    results = browser.find_elements(By.CSS_SELECTOR, ".dataset-item .dataset-heading a")
    assert [a.text for a in results] == ["地方志 Local Gazetteers"]

    results[0].click()
    wait.until(ec.url_contains("/dataset/local-gazetteers"))
    assert "地方志 Local Gazetteers" in browser.find_element(By.TAG_NAME, "h1").text

    browser.get(served_ckan + "/user/login")
    browser.find_element(By.ID, "field-login").send_keys("reader1")
    browser.find_element(By.ID, "field-password").send_keys("correct-horse-42", Keys.ENTER)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "a[href='/user/reader1']")))
    assert "Log out" in browser.page_source or "/user/_logout" in browser.page_source
