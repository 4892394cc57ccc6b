"""Pages and htmx partials for discussion and Q&A.

Every POST goes to one endpoint with a verb. An htmx request gets back the
re-rendered thread (or question) it came from; a plain form post is
redirected back to its page, so everything works without JavaScript too.
"""
from __future__ import annotations

from typing import Any

from ckan.common import current_user, request
from ckan.lib import base
from ckan.lib import helpers as h
from ckan.lib.pagination import Page
from ckan.plugins import toolkit
from flask import Blueprint, Response

from ckanext.crowdsource.common import config
from ckanext.crowdsource.common.cache import dataset_page_part
from ckanext.crowdsource.common.validators import safe_text
from ckanext.crowdsource.common.views import (
    attempt,
    dataset_page,
    error_text,
    listed,
    local,
    page_url,
    reason_given,
    requested_page,
)
from ckanext.crowdsource.moderation.core import flagged_by

from . import schema
from .index import counts
from .read import REPLIES_MAX

bp = Blueprint("crowdsource_discussion", __name__)
STATE_KEYS = ("view", "package_id", "resource_id", "thread_id", "sort", "page")


def _limit() -> int:
    return config.list_limit_default()


def tab_counts(package_id: str) -> dict[str, int]:
    """The published comments and questions of a dataset (template helper)."""
    return dataset_page_part("discussion_counts", package_id,
                             lambda: counts([package_id])[package_id])


def thread_vars(state: dict[str, Any], error: str = "", **more: Any) -> dict[str, Any]:
    """What the thread or question partial shows, for the page in ``state``
    (``more``: further input of ``crowdsource_thread_show``)."""
    page_number = requested_page(state.get("page"), strict=False)
    data: dict[str, Any] = {"limit": _limit(), "offset": (page_number - 1) * _limit(), **more}
    if state.get("sort"):
        data["sort"] = state["sort"]
    subject = {k: state[k] for k in ("package_id", "resource_id") if state.get(k)}
    if state.get("view") == "question" or not subject:
        data["id"] = state.get("thread_id", "")
    else:
        data.update(subject)
    found = toolkit.get_action("crowdsource_thread_show")({}, data)
    state = {**state, "page": page_number, "sort": found["sort"]}
    if found["id"]:
        state["thread_id"] = found["id"]
    if not state.get("package_id") and found["package_id"]:  # named by its id alone
        state["package_id"] = found["package_id"]
        if found["subject_type"] == "resource":
            state["resource_id"] = found["subject_id"]
    here = _url(state)
    pager = Page(collection=found["posts"], page=page_number, presliced_list=True,
                 item_count=found["count"], items_per_page=_limit(),
                 url=lambda page, **_: _url({**state, "page": page}))
    return {
        "thread": found, "state": state, "pager": pager, "here": here, "error": error,
        "sort_url": lambda sort: _url({**state, "sort": sort, "page": 1}),
        "logged_in": current_user.is_authenticated,
        "me": current_user.name if current_user.is_authenticated else None,
        "flagged": flagged_by(current_user.id if current_user.is_authenticated else None,
                              "post", list(_post_ids(found["posts"]))),
    }


def _post_ids(posts: list[dict[str, Any]]) -> Any:
    """The ids of the posts shown and of their replies shown."""
    for p in posts:
        yield p["id"]
        yield from _post_ids(p.get("replies") or [])


def _url(state: dict[str, Any]) -> str:
    """The page a thread lives on (its list when the state does not name it)."""
    extra = {k: state[k] for k in ("sort", "page") if state.get(k) and state[k] != 1}
    if not state.get("thread_id" if state.get("view") == "question" else "package_id"):
        return _list_url(state)
    if state.get("view") == "question":
        return h.url_for("crowdsource_discussion.question", id=state["thread_id"], **extra)
    if state.get("resource_id"):
        return h.url_for("resource.read", id=state["package_id"],
                         resource_id=state["resource_id"], **extra)
    return h.url_for("crowdsource_discussion.discussion", id=state["package_id"], **extra)


def resource_thread(package_id: str, resource_id: str) -> dict[str, Any]:
    """The resource page's discussion (template helper): a page or sort it
    cannot show is the nearest it can, not an error of the resource page."""
    return thread_vars({"view": "discussion", "package_id": package_id,
                        "resource_id": resource_id, **_paging(strict=False)})


def _paging(sorts: tuple[str, ...] = schema.SORTS, strict: bool = True) -> dict[str, Any]:
    """The page and sort asked for (a sort the thread does not know: the default)."""
    sort = request.args.get("sort", "")
    return {"sort": sort if sort in sorts else "",
            "page": requested_page(request.args.get("page"), strict)}


def _dataset(id: str) -> dict[str, Any]:
    """The dataset a tab is about; 404 also for a name no dataset can have (a
    NUL byte, which would reach PostgreSQL through ``package_show``)."""
    try:
        safe_text(id)
    except toolkit.Invalid:
        return base.abort(404, toolkit._("Dataset not found"))
    return dataset_page(id)


def discussion(id: str) -> str:
    """The dataset's Discussion tab."""
    pkg = _dataset(id)
    try:
        found = thread_vars({"view": "discussion", "package_id": pkg["id"], **_paging()})
        others = toolkit.get_action("crowdsource_thread_list")(
            {}, {"package_id": pkg["id"], "kind": "discussion"})["results"]
    except toolkit.ValidationError as e:
        return base.abort(400, error_text(e))
    return toolkit.render("crowdsource/discussion/dataset_discussion.html", {
        "pkg_dict": pkg, "pkg": pkg, "found": found,
        "resource_threads": [t for t in others if t["subject_type"] == "resource"]})


def questions(id: str) -> str:
    """The dataset's Questions tab."""
    pkg = _dataset(id)
    listed = _question_list({"package_id": pkg["id"]})
    return toolkit.render("crowdsource/discussion/dataset_questions.html",
                          {"pkg_dict": pkg, "pkg": pkg, **listed})


def _question_list(data: dict[str, Any]) -> dict[str, Any]:
    page_number = requested_page(request.args.get("page"))
    status = request.args.get("status", "")
    if status:
        data["status"] = status
    if request.args.get("unanswered"):
        data["unanswered"] = True
    found = listed("crowdsource_question_list",
                   {**data, "limit": _limit(), "offset": (page_number - 1) * _limit()})
    page = Page(collection=found["results"], page=page_number, presliced_list=True,
                url=page_url, item_count=found["count"], items_per_page=_limit())
    return {"page": page, "status": status, "unanswered": bool(data.get("unanswered")),
            "logged_in": current_user.is_authenticated}


def site_questions() -> str:
    """``/crowdsource/questions``: questions everywhere, or about the library."""
    data: dict[str, Any] = {}
    if request.args.get("site"):
        data["site"] = True
    listed = _question_list(data)
    is_staff = bool(current_user.is_authenticated and (
        current_user.sysadmin or h.check_access("crowdsource_moderation_list")))
    return toolkit.render("crowdsource/discussion/questions.html",
                          {**listed, "site": bool(data), "is_staff": is_staff})


def question(id: str) -> str:
    """One question with its answers."""
    try:
        found = thread_vars({"view": "question", "thread_id": id,
                             **_paging(schema.ANSWER_SORTS)})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return base.abort(404, toolkit._("Question not found"))
    except toolkit.ValidationError as e:
        return base.abort(400, error_text(e))
    if found["thread"]["kind"] != "question":
        return base.abort(404, toolkit._("Question not found"))
    pkg = dataset_page(found["thread"]["package_id"]) if found["thread"]["package_id"] else None
    return toolkit.render("crowdsource/discussion/question_page.html",
                          {"found": found, "pkg_dict": pkg, "pkg": pkg})


def replies(id: str) -> str:
    """A top-level post with all its replies (up to the most loaded at once):
    an htmx partial that replaces the post, or a page of its own."""
    try:
        post = toolkit.get_action("crowdsource_post_show")({}, {"id": id})
        kind = toolkit.get_action("crowdsource_thread_show")(
            {}, {"id": post["thread_id"], "limit": 1, "replies": 0})
        state = {"view": "question" if kind["kind"] == "question" else "discussion",
                 "thread_id": kind["id"], "package_id": kind["package_id"] or "",
                 "resource_id": kind["subject_id"] if kind["subject_type"] == "resource"
                 else ""}
        found = thread_vars(state, root_id=id, replies=REPLIES_MAX)
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized, toolkit.ValidationError):
        # a ValidationError: an id that cannot name a post (a NUL byte)
        return base.abort(404, toolkit._("Post not found"))
    if not found["thread"]["posts"]:
        return base.abort(404, toolkit._("Post not found"))
    template = ("crowdsource/discussion/snippets/one_post.html"
                if request.headers.get("HX-Request") else "crowdsource/discussion/replies.html")
    return toolkit.render(template, {"found": found, "post": found["thread"]["posts"][0]})


def history(id: str) -> str:
    """Earlier versions of a post, for staff."""
    page_number = requested_page(request.args.get("page"))
    try:
        versions = toolkit.get_action("crowdsource_post_history")(
            {}, {"id": id, "limit": _limit(), "offset": (page_number - 1) * _limit()})
        current = toolkit.get_action("crowdsource_post_show")({}, {"id": id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized, toolkit.ValidationError):
        return base.abort(404, toolkit._("Post not found"))
    page = Page(collection=versions["results"], page=page_number, presliced_list=True,
                url=page_url, item_count=versions["count"], items_per_page=_limit())
    return toolkit.render("crowdsource/discussion/history.html",
                          {"page": page, "post": current})


VERBS = ("comment", "ask", "edit", "delete", "vote", "flag", "hide", "restore", "approve",
         "accept", "verify", "close", "reopen")


def _call(verb: str, form: Any) -> tuple[str, dict[str, Any]]:
    """The action a verb (one of :data:`VERBS`) stands for, and its input
    from the form."""
    post_id = form.get("id", "")
    reason = reason_given()
    moderate = {"item_type": "post", "item_id": post_id, "reason": reason}
    place = {k: form[k] for k in ("parent_id", "thread_id", "package_id", "resource_id")
             if form.get(k)}
    if "parent_id" in place:
        place = {"parent_id": place["parent_id"]}
    elif "thread_id" in place:
        place = {"thread_id": place["thread_id"]}
    return {
        "comment": ("crowdsource_post_create", {"body": form.get("body", ""), **place}),
        "ask": ("crowdsource_question_create", {
            "title": form.get("title", ""), "body": form.get("body", ""),
            **{k: form[k] for k in ("package_id", "resource_id", "community_id")
               if form.get(k)}}),
        "edit": ("crowdsource_post_update", {
            "id": post_id, "body": form.get("body", ""),
            **({"title": form["title"]} if form.get("title") else {})}),
        "delete": ("crowdsource_post_delete", {"id": post_id, "reason": reason}),
        "vote": ("crowdsource_post_vote", {"id": post_id, "vote": form.get("vote", "")}),
        "flag": ("crowdsource_flag_create", {"item_type": "post", "item_id": post_id,
                                             "reason": reason}),
        "hide": ("crowdsource_moderation_decide", {**moderate, "decision": "hide"}),
        "restore": ("crowdsource_moderation_decide", {**moderate, "decision": "restore"}),
        "approve": ("crowdsource_moderation_decide", {**moderate, "decision": "approve"}),
        "accept": ("crowdsource_answer_accept", {"id": post_id,
                                                 "accept": form.get("accept", "true")}),
        "verify": ("crowdsource_answer_verify", {"id": post_id,
                                                 "verified": form.get("verified", "true")}),
        "close": ("crowdsource_question_close", {"id": form.get("thread_id", ""),
                                                 "reason": reason}),
        "reopen": ("crowdsource_question_reopen", {"id": form.get("thread_id", "")}),
    }[verb]


def _done(verb: str) -> str:
    return {
        "comment": toolkit._("Posted"), "ask": toolkit._("Your question is posted"),
        "edit": toolkit._("Saved"), "delete": toolkit._("Deleted"),
        "vote": toolkit._("Vote saved"),
        "flag": toolkit._("Thank you: the library will look at this post"),
        "hide": toolkit._("Hidden"), "restore": toolkit._("Shown again"),
        "approve": toolkit._("Approved"), "accept": toolkit._("Answer chosen"),
        "verify": toolkit._("Saved"), "close": toolkit._("Question closed"),
        "reopen": toolkit._("Question open again"),
    }[verb]


def _flash(verb: str, error: str) -> None:
    if error:
        h.flash_error(error)
    else:
        h.flash_success(_done(verb))


def _list_url(state: dict[str, Any]) -> str:
    """The list a thread is found from: its dataset's tab, or all questions."""
    if state.get("package_id"):
        tab = "questions" if state.get("view") == "question" else "discussion"
        return h.url_for(f"crowdsource_discussion.{tab}", id=state["package_id"])
    return h.url_for("crowdsource_discussion.site_questions")


def act(verb: str) -> Any:
    """POST: one change to a discussion or a question. Of what the action
    returns only a new question's ``id`` is read (``ask``); the other verbs
    re-render the thread, so the moderation actions may return any shape."""
    if verb not in VERBS:
        return base.abort(404)
    form = request.form
    action, data = _call(verb, form)
    state = {k: form.get(k, "") for k in STATE_KEYS}
    result, error = attempt(action, data)
    if verb == "ask" and not error:
        target = h.url_for("crowdsource_discussion.question", id=result["id"])
        if request.headers.get("HX-Request"):
            return Response("", headers={"HX-Redirect": target})
        h.flash_success(_done(verb))
        return h.redirect_to(target)
    if request.headers.get("HX-Request") and state["view"] in ("discussion", "question"):
        template = "question" if state["view"] == "question" else "thread"
        try:
            found = thread_vars(state, error)
        except (toolkit.ObjectNotFound, toolkit.NotAuthorized, toolkit.ValidationError):
            # the thread cannot be shown as the form described it (gone, out
            # of the user's sight, or a sort it does not know): off to its list
            _flash(verb, error)
            return Response("", headers={"HX-Redirect": _list_url(state)})
        return toolkit.render(f"crowdsource/discussion/snippets/{template}.html",
                              {"found": found})
    _flash(verb, error)
    if state["view"] in ("discussion", "question"):
        return h.redirect_to(_url(state))
    return h.redirect_to(local(form.get("came_from", ""),
                               h.url_for("crowdsource_discussion.site_questions")))


bp.add_url_rule("/dataset/<id>/discussion", view_func=discussion, methods=["GET"])
bp.add_url_rule("/dataset/<id>/questions", view_func=questions, methods=["GET"])
bp.add_url_rule("/crowdsource/questions", view_func=site_questions, methods=["GET"])
bp.add_url_rule("/crowdsource/questions/<id>", view_func=question, methods=["GET"])
bp.add_url_rule("/crowdsource/posts/<id>/history", view_func=history, methods=["GET"])
bp.add_url_rule("/crowdsource/posts/<id>/replies", view_func=replies, methods=["GET"])
bp.add_url_rule("/crowdsource/posts/<verb>", view_func=act, methods=["POST"])
