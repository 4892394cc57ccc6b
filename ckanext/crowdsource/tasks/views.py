"""Pages for tasks: the board, a task's page, a dataset's Tasks tab, the
review queue; and one POST endpoint for every change.

On a task's page every form swaps the page's task section through htmx; a
plain form post is redirected back with a message, so the pages work without
JavaScript too.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.common import current_user, request
from ckan.lib import base
from ckan.lib import helpers as h
from ckan.lib.pagination import Page
from ckan.plugins import toolkit
from flask import Blueprint

from ckanext.crowdsource.common import config
from ckanext.crowdsource.common.cache import dataset_page_part
from ckanext.crowdsource.common.views import attempt, dataset_page, listed, page_url, requested_page

from . import results
from .model import task
from .schema import TARGET_FIELDS

bp = Blueprint("crowdsource_tasks", __name__)


def kind_names() -> dict[str, str]:
    return {"tag": toolkit._("Tagging"), "describe": toolkit._("Describing"),
            "transcribe": toolkit._("Transcribing"), "translate": toolkit._("Translating"),
            "review": toolkit._("Reviewing"), "verify": toolkit._("Verifying"),
            "other": toolkit._("Other work")}


def open_tasks(package_id: str) -> int:
    """How many open tasks a dataset has (template helper, for its tab)."""
    return dataset_page_part("open_tasks", package_id, lambda: model.Session.execute(
        sa.select(sa.func.count()).select_from(task)
        .where(task.c.package_id == package_id, task.c.state == "open")).scalar_one())


def claim_state(state: str) -> str:
    """A claim's state in words (template helper)."""
    return {"claimed": toolkit._("In progress"), "submitted": toolkit._("Waiting for review"),
            "accepted": toolkit._("Accepted"), "rejected": toolkit._("Rejected"),
            "released": toolkit._("Given back"), "expired": toolkit._("Time ran out")
            }.get(state, state)


def field_name(field: str) -> str:
    """A field a task's result goes to, in words (template helper)."""
    return {"notes": toolkit._("Description"), "title": toolkit._("Title"),
            "resource.description": toolkit._("Resource description"),
            "resource.name": toolkit._("Resource name")}.get(field, field)


def time_left(expires_at: str | None) -> str:
    """What remains of a lease, in words (template helper)."""
    if not expires_at:
        return ""
    minutes = int((datetime.fromisoformat(expires_at) - datetime.now(timezone.utc))
                  .total_seconds() // 60)
    if minutes <= 0:
        return toolkit._("expired")
    return toolkit._("{h} h {m} min left").format(h=minutes // 60, m=minutes % 60)


def _limit() -> int:
    return config.list_limit_default()


def _page(found: dict[str, Any], page_number: int) -> Page:
    return Page(collection=found["results"], page=page_number, presliced_list=True,
                url=page_url, item_count=found["count"], items_per_page=_limit())


def board() -> str:
    """``/crowdsource/tasks``: open tasks, filtered; the reader's own claims."""
    args = request.args
    data: dict[str, Any] = {k: args[k] for k in ("kind", "organization", "community_id",
                                                  "sort") if args.get(k)}
    if args.get("free"):
        data["free"] = True
    if args.get("due_soon"):
        data["due_within_days"] = 7
    page_number = requested_page(args.get("page"))
    found = listed("crowdsource_task_list",
                   {**data, "limit": _limit(), "offset": (page_number - 1) * _limit()})
    mine = []
    if current_user.is_authenticated:
        mine = [c for c in toolkit.get_action("crowdsource_claim_list")(
            {}, {"limit": config.list_limit_max()}
        )["results"] if c["state"] in ("claimed", "submitted")]
    orgs = toolkit.get_action("organization_list")({}, {"all_fields": True})
    return toolkit.render("crowdsource/tasks/board.html", {
        "page": _page(found, page_number), "filters": args, "kinds": kind_names(),
        "mine": mine, "organizations": orgs,
        "logged_in": current_user.is_authenticated})


def task_vars(task_id: str, error: str = "") -> dict[str, Any]:
    """What a task's section shows: the task, the caller's claim, and for
    staff the claims with a diff of each text result."""
    shown = toolkit.get_action("crowdsource_task_show")({}, {"id": task_id})
    claims = shown.get("claims") or []
    if claims and shown["kind"] in results.TEXT_KINDS:
        pkg = toolkit.get_action("package_show")({}, {"id": shown["package_id"]})
        for c in claims:
            if c["result"]:
                c.update(results.compare(pkg, shown["resource_id"], shown["target_field"],
                                         c["result"]))
    mine = shown["my_claim"]
    live = bool(mine and mine["state"] in ("claimed", "submitted"))
    return {"task": shown, "claims": claims, "mine": mine, "live": live,
            "work": (mine or {}).get("result") or (mine or {}).get("draft") or {},
            "is_staff": "claims" in shown, "kinds": kind_names(), "error": error,
            "logged_in": current_user.is_authenticated,
            "target_fields": TARGET_FIELDS}


def task_page(id: str) -> str:
    try:
        found = task_vars(id)
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized, toolkit.ValidationError):
        return base.abort(404, toolkit._("Task not found"))
    pkg = toolkit.get_action("package_show")({}, {"id": found["task"]["package_id"]})
    return toolkit.render("crowdsource/tasks/task_page.html",
                          {"found": found, "pkg_dict": pkg, "pkg": pkg})


def dataset_tasks(id: str) -> str:
    """A dataset's Tasks tab: its tasks, and for staff the form to post one."""
    pkg = dataset_page(id)
    state = request.args.get("state", "open")
    page_number = requested_page(request.args.get("page"))
    found = toolkit.get_action("crowdsource_task_list")({}, {
        "package_id": pkg["id"], "state": state if state in ("open", "completed", "cancelled")
        else "open", "limit": _limit(), "offset": (page_number - 1) * _limit()})
    return toolkit.render("crowdsource/tasks/dataset_tasks.html", {
        "pkg_dict": pkg, "pkg": pkg, "page": _page(found, page_number), "state": state,
        "kinds": kind_names(), "target_fields": TARGET_FIELDS,
        "is_staff": h.check_access("crowdsource_task_create", {"package_id": pkg["id"]})})


def review_queue() -> str:
    """``/crowdsource/review``: submitted claims for the caller's review, oldest first."""
    page_number = requested_page(request.args.get("page"))
    try:
        found = toolkit.get_action("crowdsource_claim_list")({}, {
            "review": True, "limit": _limit(), "offset": (page_number - 1) * _limit()})
    except toolkit.NotAuthorized:
        return base.abort(403, toolkit._("Only the library's staff review claims"))
    return toolkit.render("crowdsource/tasks/review.html",
                          {"page": _page(found, page_number), "kinds": kind_names()})


def _result(kind: str, form: Any) -> dict[str, Any]:
    """A result (or draft) from the work form of a task of this kind."""
    if kind == "tag":
        return {"tags": form.get("tags", "")}
    if kind in ("review", "verify"):
        return {"verdict": form.get("verdict", ""), "notes": form.get("notes", "")}
    out = {"text": form.get("text", "")}
    if form.get("field"):
        out["field"] = form["field"]
    return out


# the verbs a task's page posts (but "work"), and the actions they run
VERBS = {
    "claim": "crowdsource_task_claim",
    "extend": "crowdsource_claim_extend",
    "release": "crowdsource_claim_release",
    "review": "crowdsource_claim_review",
    "apply": "crowdsource_claim_apply",
    "cancel": "crowdsource_task_cancel",
}


def _call(verb: str, form: Any, kind: str) -> tuple[str, dict[str, Any]]:
    """The action a form's verb runs, and its input."""
    claim_id = form.get("claim_id", "")
    task_id = form.get("task_id", "")
    if verb == "work":
        if form.get("do") == "draft":
            return "crowdsource_claim_save_draft", {"id": claim_id,
                                                    "draft": _result(kind, form)}
        return "crowdsource_claim_submit", {"id": claim_id, "result": _result(kind, form)}
    data = {
        "claim": {"id": task_id},
        "extend": {"id": claim_id},
        "release": {"id": claim_id, "reason": form.get("reason", "")},
        "review": {"id": claim_id, "decision": form.get("decision", ""),
                   "note": form.get("note", "")},
        "apply": {"id": claim_id, "as": form.get("as", "")},
        "cancel": {"id": task_id, "reason": form.get("reason", "")},
    }[verb]
    return VERBS[verb], data


def act(verb: str) -> Any:
    """POST: one change to a task or a claim."""
    form = request.form
    if verb in ("create", "next"):
        return _create_or_next(verb, form)
    if verb != "work" and verb not in VERBS:
        return base.abort(404)
    task_id = form.get("task_id", "")
    try:
        kind = toolkit.get_action("crowdsource_task_show")({}, {"id": task_id})["kind"]
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized, toolkit.ValidationError):
        return base.abort(404, toolkit._("Task not found"))
    action, data = _call(verb, form, kind)
    _, error = attempt(action, data)
    if request.headers.get("HX-Request"):
        return toolkit.render("crowdsource/tasks/snippets/task.html",
                              {"found": task_vars(task_id, error)})
    if error:
        h.flash_error(error)
    else:
        h.flash_success(toolkit._("Saved"))
    return h.redirect_to("crowdsource_tasks.task_page", id=task_id)


def _create_or_next(verb: str, form: Any) -> Any:
    if verb == "next":
        data = {k: form[k] for k in ("kind", "organization", "community_id") if form.get(k)}
        action = "crowdsource_task_next"
    else:
        data = {k: form[k] for k in (
            "package_id", "resource_id", "kind", "title", "instructions", "capacity",
            "reward_points", "claim_ttl_hours", "due", "community_id", "target_field")
            if form.get(k)}
        action = "crowdsource_task_create"
    created, error = attempt(action, data)
    if error:
        h.flash_error(error)
        back = (h.url_for("crowdsource_tasks.dataset_tasks", id=data["package_id"])
                if data.get("package_id") else h.url_for("crowdsource_tasks.board"))
        return h.redirect_to(back)
    if verb == "next":  # the claim it made
        h.flash_success(toolkit._("The task is yours"))
        return h.redirect_to("crowdsource_tasks.task_page", id=created["task_id"])
    h.flash_success(toolkit._("Task posted"))
    return h.redirect_to("crowdsource_tasks.task_page", id=created["id"])


bp.add_url_rule("/crowdsource/tasks", view_func=board, methods=["GET"])
bp.add_url_rule("/crowdsource/tasks/<id>", view_func=task_page, methods=["GET"])
bp.add_url_rule("/dataset/<id>/tasks", view_func=dataset_tasks, methods=["GET"])
bp.add_url_rule("/crowdsource/review", view_func=review_queue, methods=["GET"])
bp.add_url_rule("/crowdsource/tasks/do/<verb>", view_func=act, methods=["POST"])
