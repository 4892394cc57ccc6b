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

from ckanext.crowdsource.tests.helpers import as_user

PASSWORD = "correct-horse-42"


def city_library(*people: str, org_title: str = "City Library",
                 fullnames: dict[str, str] | None = None, **dataset: Any) -> dict[str, Any]:
    """The organization "city-library", one dataset in it, these users (who
    log in with PASSWORD), and "staff1", an editor of the organization."""
    org = factories.Organization(name="city-library", title=org_title,
                                 description=f"{org_title}的开放目录")
    ds = factories.Dataset(owner_org=org["id"], **dataset)
    named = {name: {"fullname": full, "about": f"{full}的简介"}
             for name, full in (fullnames or {}).items()}
    users = {name: factories.User(name=name, password=PASSWORD, **named.get(name, {}))
             for name in (*people, "staff1")}
    helpers.call_action("organization_member_create", id=org["id"], username="staff1",
                        role="editor")
    return {"org": org, "ds": ds, **users}


def waiter(browser: Any, seconds: float = 15) -> WebDriverWait:
    """A wait that looks again when htmx or a new page replaced the element
    it was reading (a stale element is a page still changing, not a failure)."""
    return WebDriverWait(browser, seconds, ignored_exceptions=(StaleElementReferenceException,))


def click(browser: Any, target: Any) -> None:
    """Click as a reader would: the element (or the first one matching a CSS
    selector) scrolled to the middle at once first (the theme scrolls
    smoothly, and a click during the scroll lands on whatever is there)."""
    element = (browser.find_element(By.CSS_SELECTOR, target) if isinstance(target, str)
               else target)
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


def log_in(browser: Any, base: str, name: str, wait: Any) -> None:
    browser.delete_all_cookies()
    browser.get(base + "/user/login")
    browser.find_element(By.ID, "field-login").send_keys(name)
    browser.find_element(By.ID, "field-password").send_keys(PASSWORD, Keys.ENTER)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, f"a[href='/user/{name}']")))


def crowd_library() -> dict[str, Any]:
    """The city library in Chinese, with one of each kind of contribution:
    a task with a submitted claim, a question with an answer, a comment with
    a reply and a flag, reader tags, an error report and a request."""
    lib = city_library("reader1", "reader2", org_title="城市图书馆",
                       fullnames={"reader1": "读者一", "reader2": "读者二", "staff1": "馆员"},
                       name="old-maps", title="老地图",
                       notes="城市图书馆收藏的老地图。",
                       resources=[{"url": "http://example.org/m.csv", "name": "地图.csv"}])
    ds = lib["ds"]["id"]
    lib["task"] = as_user(lib["staff1"], "crowdsource_task_create", package_id=ds,
                          kind="describe", title="描述这些地图", capacity=2)
    claim = as_user(lib["reader2"], "crowdsource_task_claim", id=lib["task"]["id"])
    as_user(lib["reader2"], "crowdsource_claim_submit", id=claim["id"],
            result={"text": "1850 年的城市地图"})
    lib["question"] = as_user(lib["reader2"], "crowdsource_question_create", package_id=ds,
                              title="这些地图是谁画的？", body="比例尺是多少？")
    answer = as_user(lib["reader1"], "crowdsource_post_create", thread_id=lib["question"]["id"],
                     body="可能是 **测绘局**")
    as_user(lib["reader2"], "crowdsource_answer_accept", id=answer["id"])  # points for reader1
    post = as_user(lib["reader2"], "crowdsource_post_create", package_id=ds, body="很有用的地图")
    lib["reply"] = as_user(lib["reader1"], "crowdsource_post_create", parent_id=post["id"],
                           body="同意")
    as_user(lib["reader1"], "crowdsource_post_update", id=lib["reply"]["id"], body="非常同意")
    as_user(lib["reader1"], "crowdsource_flag_create", item_type="post", item_id=post["id"],
            reason="广告")
    as_user(lib["reader1"], "crowdsource_tag_add", package_id=ds, tag=["古地图", "城市"])
    lib["feedback"] = as_user(lib["reader1"], "crowdsource_feedback_create", kind="error",
                              body="第 12 页缺失", rating=3, package_id=ds)
    lib["request"] = as_user(lib["reader2"], "crowdsource_feedback_create", kind="request",
                             title="1900 年的地图", body="请扫描", package_id=ds)
    # a community on request, owned by reader1, with the dataset, a task
    # meant for it and reader2 asking to join; reader2's proposal waiting
    lib["community"] = as_user(lib["staff1"], "crowdsource_community_create",
                               name="local-history", title="地方史", description="本市的**历史**。",
                               join_policy="request", owner="reader1")
    helpers.call_action("member_create", id=lib["community"]["id"], object=ds,
                        object_type="package", capacity="public")
    as_user(lib["staff1"], "crowdsource_task_create", package_id=ds, kind="tag",
            title="为地图加标签", capacity=2, community_id=lib["community"]["id"])
    as_user(lib["reader2"], "crowdsource_community_join", id=lib["community"]["id"])
    lib["proposal"] = as_user(lib["reader2"], "crowdsource_community_propose",
                              name="rare-books", title="古籍", description="本市收藏的古籍。")
    return lib


def reader_pages(lib: dict[str, Any]) -> list[str]:
    ds, res = lib["ds"]["name"], lib["ds"]["resources"][0]["id"]
    return ["/", "/crowdsource", "/crowdsource/tasks", f"/crowdsource/tasks/{lib['task']['id']}",
            "/crowdsource/questions", f"/crowdsource/questions/{lib['question']['id']}",
            "/crowdsource/requests", "/crowdsource/tags", "/crowdsource/feedback?mine=1",
            f"/crowdsource/feedback/{lib['feedback']['id']}", f"/dataset/{ds}",
            f"/dataset/{ds}/discussion", f"/dataset/{ds}/questions", f"/dataset/{ds}/tasks",
            f"/dataset/{ds}/resource/{res}", "/crowdsource/communities",
            f"/crowdsource/community/{lib['community']['name']}", "/crowdsource/leaderboard",
            f"/user/{lib['reader1']['name']}/contributions"]


def staff_pages(lib: dict[str, Any]) -> list[str]:
    return ["/crowdsource/review", "/crowdsource/moderation", "/crowdsource/feedback",
            f"/crowdsource/tasks/{lib['task']['id']}", f"/dataset/{lib['ds']['name']}",
            f"/crowdsource/feedback/{lib['request']['id']}",
            f"/crowdsource/posts/{lib['reply']['id']}/history", "/crowdsource/communities",
            f"/crowdsource/community/{lib['community']['name']}",
            f"/crowdsource/community/{lib['proposal']['name']}"]
