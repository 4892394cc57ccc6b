"""Discussion and Q&A pages, their htmx forms, and safe rendering of readers' text."""
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from ckan import logic

from ckanext.crowdsource.tests.helpers import as_user, log_in

HTMX = {"HX-Request": "true"}


def soup(html):
    return BeautifulSoup(html, "html.parser")


def section(html, name="cs-discussion"):
    found = soup(html).find(id=name)
    assert found is not None, html[:2000]
    return found


def test_dataset_tabs_show_counts(app, lib):
    as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"], body="a")
    as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"], body="b")
    as_user(lib["reader"], "crowdsource_question_create", package_id=lib["ds"]["id"],
            title="q", body="?")
    page = soup(app.get(f"/dataset/{lib['ds']['name']}").body)
    tabs = [a.get_text(" ", strip=True) for a in page.select(".nav-tabs a, .nav a")]
    assert "Discussion (2)" in tabs and "Questions (1)" in tabs


def test_anonymous_reads_the_discussion_and_gets_a_login_link(app, lib):
    as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
            body="Is there a **1850** edition?")
    thread = section(app.get(f"/dataset/{lib['ds']['name']}/discussion").body)
    assert thread.select_one(".cs-post-body strong").text == "1850"
    assert thread.select_one(".cs-login a") is not None
    assert not thread.select("form")


def test_reader_comments_replies_votes_and_deletes_through_htmx(app, lib):
    other = as_user(lib["reader2"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                    body="The scans are great")
    log_in(app, lib["reader"])
    page = section(app.get(f"/dataset/{lib['ds']['name']}/discussion").body)
    assert page.select_one("form.cs-form-comment input[name=_csrf_token]") is not None
    state = {"view": "discussion", "package_id": lib["ds"]["id"]}
    res = app.post("/crowdsource/posts/comment", data={**state, "body": "我也这样认为"},
                   headers=HTMX)
    thread = section(res.body)
    assert "我也这样认为" in thread.text and len(thread.select(".cs-posts > .cs-post")) == 2
    res = app.post("/crowdsource/posts/comment",
                   data={**state, "parent_id": other["id"], "body": "agreed"}, headers=HTMX)
    post = section(res.body).find(id=f"post-{other['id']}")
    assert post.select_one(".cs-replies .cs-post-body").text.strip() == "agreed"
    res = app.post("/crowdsource/posts/vote", data={**state, "id": other["id"], "vote": "1"},
                   headers=HTMX)
    post = section(res.body).find(id=f"post-{other['id']}")
    assert post.select_one(".cs-score").text == "1"
    mine = section(res.body).select_one("article.cs-mine")
    res = app.post("/crowdsource/posts/delete", data={**state, "id": mine["data-post"]},
                   headers=HTMX)
    assert "Deleted by its author" in section(res.body).find(id=mine["id"]).text
    res = app.post("/crowdsource/posts/comment", data={**state, "body": ""}, headers=HTMX)
    assert "Missing value" in section(res.body).select_one(".cs-error").text


def test_plain_posts_redirect_back_with_a_message(app, lib):
    log_in(app, lib["reader"])
    res = app.post("/crowdsource/posts/comment",
                   data={"view": "discussion", "package_id": lib["ds"]["id"], "body": "hi"},
                   follow_redirects=False)
    assert res.status_code == 302
    assert res.headers["Location"].endswith(f"/dataset/{lib['ds']['id']}/discussion")


def test_anonymous_posts_are_refused(app, lib):
    res = app.post("/crowdsource/posts/comment",
                   data={"view": "discussion", "package_id": lib["ds"]["id"], "body": "hi"},
                   headers=HTMX)
    assert res.status_code == 403


def test_question_page_asker_accepts_and_staff_controls(app, lib):
    q = as_user(lib["reader"], "crowdsource_question_create", package_id=lib["ds"]["id"],
                title="Which year?", body="The oldest?")
    a = as_user(lib["reader2"], "crowdsource_post_create", thread_id=q["id"], body="1850")
    log_in(app, lib["reader"])
    page = section(app.get(f"/crowdsource/questions/{q['id']}").body, "cs-question")
    assert page.select_one(".cs-question-title").text.strip().startswith("Which year?")
    assert page.select_one(f"#post-{a['id']} .cs-accept") is not None
    assert page.select_one(".cs-verify") is None and page.select_one(".cs-close") is None
    res = app.post("/crowdsource/posts/accept",
                   data={"view": "question", "thread_id": q["id"], "id": a["id"]},
                   headers=HTMX)
    accepted = section(res.body, "cs-question").find(id=f"post-{a['id']}")
    assert "cs-accepted" in accepted["class"]
    log_in(app, lib["editor"])
    page = section(app.get(f"/crowdsource/questions/{q['id']}").body, "cs-question")
    assert page.select_one(".cs-verify") is not None and page.select_one(".cs-close")
    res = app.post("/crowdsource/posts/close",
                   data={"view": "question", "thread_id": q["id"], "id": q["question"]["id"]},
                   headers={**HTMX, "HX-Prompt": "answered elsewhere"})
    closed = section(res.body, "cs-question")
    assert "answered elsewhere" in closed.select_one(".cs-closed").text
    assert not closed.select("form.cs-form-comment")  # no answers, replies or comments


def test_ask_from_the_questions_tab_and_lists(app, lib):
    log_in(app, lib["reader"])
    page = soup(app.get(f"/dataset/{lib['ds']['name']}/questions").body)
    assert page.select_one("form.cs-form-ask input[name=package_id]")["value"] == lib["ds"]["id"]
    res = app.post("/crowdsource/posts/ask", data={
        "package_id": lib["ds"]["id"], "title": "Who drew them?", "body": "The maps."},
        follow_redirects=False)
    assert res.status_code == 302 and "/crowdsource/questions/" in res.headers["Location"]
    tab = soup(app.get(f"/dataset/{lib['ds']['name']}/questions").body)
    assert [a.text for a in tab.select(".cs-question-link")] == ["Who drew them?"]
    site = soup(app.get("/crowdsource/questions").body)
    assert [a.text for a in site.select(".cs-question-link")] == ["Who drew them?"]
    res = app.post("/crowdsource/posts/ask", data={"title": "", "body": "x"},
                   follow_redirects=False)
    assert res.status_code == 302
    assert as_user(None, "crowdsource_question_list")["count"] == 1


def test_private_dataset_pages_are_not_found_for_outsiders(app, lib):
    res = app.get(f"/dataset/{lib['private']['name']}/discussion")
    assert res.status_code == 404
    q = as_user(lib["member"], "crowdsource_question_create",
                package_id=lib["private"]["id"], title="Secret?", body="?")
    assert app.get(f"/crowdsource/questions/{q['id']}").status_code == 404
    assert "Secret?" not in app.get("/crowdsource/questions").body


def test_resource_pages_have_their_own_discussion(app, lib):
    as_user(lib["reader"], "crowdsource_post_create", resource_id=lib["res"]["id"],
            body="the csv has a typo")
    page = app.get(f"/dataset/{lib['ds']['name']}/resource/{lib['res']['id']}").body
    assert "the csv has a typo" in section(page).text
    tab = soup(app.get(f"/dataset/{lib['ds']['name']}/discussion").body)
    assert "maps.csv" in tab.select_one(".cs-resource-threads").text


def test_staff_see_history_of_edited_posts(app, lib):
    p = as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                body="first words")
    as_user(lib["reader"], "crowdsource_post_update", id=p["id"], body="second words")
    log_in(app, lib["editor"])
    thread = section(app.get(f"/dataset/{lib['ds']['name']}/discussion").body)
    link = thread.select_one(f"#post-{p['id']} a.cs-history")["href"]
    assert "first words" in soup(app.get(link).body).select_one(".cs-version").text
    log_in(app, lib["reader2"])
    assert app.get(link).status_code == 404


ATTACKS = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert('x')>",
    "[click](javascript:alert('x'))",
    "![img](javascript:alert('x'))",
    '<a href="javascript:alert(1)">a</a>',
    "<iframe src='http://evil.example'></iframe>",
    '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    "<svg onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">styled</div>',
]


@pytest.mark.parametrize("body", ATTACKS)
def test_readers_markup_never_becomes_live(app, lib, body):
    p = as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                body=body)
    html = section(app.get(f"/dataset/{lib['ds']['name']}/discussion").body)
    rendered = html.find(id=f"post-{p['id']}").select_one(".cs-post-body")
    assert not rendered.find_all(["script", "iframe", "svg", "object", "embed"])
    for tag in rendered.find_all(True):
        for attr, value in tag.attrs.items():
            assert not attr.startswith("on"), tag
            assert attr != "style", tag
            text = " ".join(value) if isinstance(value, list) else str(value)
            assert not text.strip().lower().startswith(("javascript:", "data:")), tag


@pytest.mark.ckan_config("ckanext.crowdsource.discussion.premoderation_posts", 1)
def test_staff_approve_a_held_post_from_the_queue_page(app, lib):
    held = as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                   body="first post, held")
    log_in(app, lib["editor"])
    queue = soup(app.get("/crowdsource/moderation?status=pending").body)
    row = queue.select_one(f"tr[data-item='post:{held['id']}']")
    assert "first post, held" in row.text
    assert row.select_one("a")["href"].endswith(f"/discussion#post-{held['id']}")
    assert row.select_one("button[value=approve]") is not None
    app.post("/crowdsource/moderation/decide", data={
        "item_type": "post", "item_id": held["id"], "decision": "approve"})
    assert as_user(None, "crowdsource_thread_show", package_id=lib["ds"]["id"])["count"] == 1
    log_in(app, lib["reader2"])
    res = app.post("/crowdsource/moderation/decide", data={
        "item_type": "post", "item_id": held["id"], "decision": "hide"})
    assert res.status_code == 403


def test_the_discussion_speaks_chinese(app, lib):
    as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"], body="好")
    page = soup(app.get(f"/zh_Hans_CN/dataset/{lib['ds']['name']}/discussion").body)
    thread = page.find(id="cs-discussion")
    assert "登录后参与讨论" in thread.text
    tabs = [a.get_text(" ", strip=True) for a in page.select(".nav a")]
    assert "讨论 (1)" in tabs and "问答 (0)" in tabs


@pytest.mark.ckan_config("ckanext.crowdsource.discussion.replies_shown", 2)
def test_more_replies_load_on_request(app, lib):
    top = as_user(lib["reader"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                  body="top")
    for n in range(5):
        as_user(lib["reader2"], "crowdsource_post_create", parent_id=top["id"], body=f"r{n}")
    shown = as_user(None, "crowdsource_thread_show", package_id=lib["ds"]["id"])["posts"][0]
    assert [r["body"] for r in shown["replies"]] == ["r0", "r1"]
    assert shown["more_replies"] == 3
    page = section(app.get(f"/dataset/{lib['ds']['name']}/discussion").body)
    link = page.select_one(f"#post-{top['id']} .cs-more a")
    assert "3 more replies" in link.text
    part = soup(app.get(link["href"], headers=HTMX).body)
    article = part.find(id=f"post-{top['id']}")
    assert [b.text.strip() for b in article.select(".cs-replies .cs-post-body")] == [
        f"r{n}" for n in range(5)]
    assert part.find("html") is None  # a partial
    whole = soup(app.get(link["href"]).body)
    assert whole.find(id=f"post-{top['id']}") is not None and whole.find("html")
    with pytest.raises(logic.ValidationError) as e:
        as_user(None, "crowdsource_thread_show", package_id=lib["ds"]["id"], replies=101)
    assert "replies" in e.value.error_dict


def test_flags_from_the_page_and_unknown_verbs(app, lib):
    p = as_user(lib["reader2"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                body="buy cheap maps")
    log_in(app, lib["reader"])
    state = {"view": "discussion", "package_id": lib["ds"]["id"], "page": "not a number"}
    res = app.post("/crowdsource/posts/flag", data={**state, "id": p["id"]},
                   headers={**HTMX, "HX-Prompt": "advertising"})
    assert res.status_code == 200
    post = section(res.body).find(id=f"post-{p['id']}")
    # flagged once: said in words, and no button to flag it again
    assert "Flagged" in post.select_one(".cs-flagged").text and not post.select(".cs-flag")
    again = section(app.get(f"/dataset/{lib['ds']['name']}/discussion").body)
    assert again.find(id=f"post-{p['id']}").select_one(".cs-flagged") is not None
    queue = as_user(lib["editor"], "crowdsource_moderation_list", status="flagged")
    assert [i["item_id"] for i in queue["results"]] == [p["id"]]
    assert app.post("/crowdsource/posts/shout", data={**state, "id": p["id"]}).status_code == 404


def test_a_thread_that_cannot_be_shown_again_sends_the_user_to_its_list(app, lib):
    q = as_user(lib["reader2"], "crowdsource_question_create", package_id=lib["ds"]["id"],
                title="Scale?", body="Which scale?")
    a = as_user(lib["reader3"], "crowdsource_post_create", thread_id=q["id"], body="1:5000")
    log_in(app, lib["reader"])
    res = app.post("/crowdsource/posts/vote", headers=HTMX, data={
        "view": "question", "thread_id": q["id"], "package_id": lib["ds"]["id"],
        "sort": "top", "id": a["id"], "vote": "1"})  # "top" sorts comments, not answers
    assert res.status_code == 200
    assert res.headers["HX-Redirect"].endswith(f"/dataset/{lib['ds']['id']}/questions")
    assert as_user(None, "crowdsource_post_show", id=a["id"])["score"] == 1


def test_a_bad_sort_in_the_address_falls_back_to_the_default(app, lib):
    as_user(lib["reader"], "crowdsource_post_create", resource_id=lib["res"]["id"],
            body="the csv")
    page = app.get(f"/dataset/{lib['ds']['name']}/resource/{lib['res']['id']}?sort=best")
    assert page.status_code == 200 and "the csv" in section(page.body).text
    q = as_user(lib["reader"], "crowdsource_question_create", title="Hours?", body="?")
    assert app.get(f"/crowdsource/questions/{q['id']}?sort=top").status_code == 200


def test_site_question_pages_have_their_breadcrumb(app, lib):
    q = as_user(lib["reader"], "crowdsource_question_create", title="Opening hours?",
                body="When?")
    page = soup(app.get(f"/crowdsource/questions/{q['id']}").body)
    crumbs = [a.get_text(strip=True) for a in page.select(".breadcrumb a")]
    assert crumbs[-2:] == ["Questions", "Opening hours?"]
    assert "Opening hours?" in page.title.text
    listing = soup(app.get("/crowdsource/questions").body)
    assert listing.select(".breadcrumb a")[-1].get_text(strip=True) == "Questions"


def test_a_chinese_prompt_answer_is_stored_as_typed(app, lib):
    """htmx percent-encodes a prompt answer that is not Latin-1 and says so in
    ``HX-Prompt-URI-AutoEncoded``: the flag reason is decoded before it is
    stored; a header that does not say so is kept as sent."""
    p = as_user(lib["reader2"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                body="buy cheap maps")
    q = as_user(lib["reader2"], "crowdsource_post_create", package_id=lib["ds"]["id"],
                body="more cheap maps")
    state = {"view": "discussion", "package_id": lib["ds"]["id"]}
    log_in(app, lib["reader"])
    for post, headers in (
            (p, {"HX-Prompt": quote("广告 / off topic", safe=""),
                 "HX-Prompt-URI-AutoEncoded": "true"}),
            (q, {"HX-Prompt": "100%25 spam"})):
        assert app.post("/crowdsource/posts/flag", data={**state, "id": post["id"]},
                        headers={**HTMX, **headers}).status_code == 200
    queue = as_user(lib["editor"], "crowdsource_moderation_list", status="flagged")
    reasons = {i["item_id"]: [f["reason"] for f in i["flag_reasons"]] for i in queue["results"]}
    assert reasons == {p["id"]: ["广告 / off topic"], q["id"]: ["100%25 spam"]}
