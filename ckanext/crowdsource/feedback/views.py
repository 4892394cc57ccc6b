"""Pages for feedback: the box on dataset and resource pages, public
requests, the staff inbox and "My feedback", a conversation, the exports;
and one POST endpoint for every change."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from ckan.common import current_user, request
from ckan.lib import base
from ckan.lib import helpers as h
from ckan.lib.pagination import Page
from ckan.plugins import toolkit
from flask import Blueprint, Response, has_request_context, stream_with_context

from ckanext.crowdsource.common import config
from ckanext.crowdsource.common.cache import dataset_page_part
from ckanext.crowdsource.common.roles import page_context
from ckanext.crowdsource.common.views import (
    attempt,
    error_text,
    listed,
    local,
    page_url,
    requested_page,
)

from . import schema
from .core import my_seconds
from .export import csv_lines, export_rows, json_lines
from .index import summaries
from .model import NEXT_STATUS

bp = Blueprint("crowdsource_feedback", __name__)
FILTERS = ("status", "kind", "package_id", "organization", "rating", "since", "until")


# the names below in each language, made once (every dataset page shows them)
_NAMES: dict[tuple[str, str], dict[str, str]] = {}


def _in_language(kind: str, make: Callable[[], dict[str, str]]) -> dict[str, str]:
    lang = h.lang() if has_request_context() else None
    if not lang:  # no language chosen for a request: CKAN's default, asked afresh
        return make()
    if (kind, lang) not in _NAMES:
        _NAMES[kind, lang] = make()
    return dict(_NAMES[kind, lang])


def kind_names() -> dict[str, str]:
    return _in_language("kinds", lambda: {
        "error": toolkit._("Error report"), "suggestion": toolkit._("Suggestion"),
        "request": toolkit._("Request"), "praise": toolkit._("Praise"),
        "other": toolkit._("Other")})


def status_names() -> dict[str, str]:
    return _in_language("statuses", lambda: {
        "new": toolkit._("New"), "acknowledged": toolkit._("Acknowledged"),
        "in_progress": toolkit._("In progress"), "resolved": toolkit._("Resolved"),
        "declined": toolkit._("Declined")})


def _limit() -> int:
    return config.list_limit_default()


def box(package_id: str, resource_id: str = "") -> dict[str, Any]:
    """What a dataset's (or resource's) feedback box shows (template helper):
    what everyone who may see the dataset sees (kept, see
    ``dataset_page_part``), with the user's own "me too"s."""
    def shown_to_all() -> dict[str, Any]:
        return {"requests": toolkit.get_action("crowdsource_request_list")(
                    {"user": "", "ignore_auth": True},  # as anyone sees them: asked below
                    {"package_id": package_id, "sort": "seconds", "limit": 5}),
                "rating": summaries([package_id])[package_id]}

    toolkit.check_access("crowdsource_request_list", page_context(), {"package_id": package_id})
    shown = dataset_page_part("feedback_box", package_id, shown_to_all)
    items = shown["requests"]["results"]
    if current_user.is_authenticated and items:
        mine = my_seconds(current_user.id, [r["id"] for r in items])
        for r in items:
            r["seconded"] = r["id"] in mine
    _link_items(items)
    return {**box_defaults(), "package_id": package_id, "resource_id": resource_id,
            **shown, "kinds": kind_names(), "statuses": status_names()}


def _link_items(items: list[dict[str, Any]]) -> None:
    """Each item's page address, ``url``: one ``url_for`` for them all."""
    if not items:
        return
    marker = "crowdsource-feedback-id"
    pattern = h.url_for("crowdsource_feedback.item", id=marker)
    for item in items:
        item["url"] = pattern.replace(marker, quote(item["id"], safe=""))


def requests_page() -> str:
    """``/crowdsource/requests``: public requests, and the form to ask for one."""
    args = request.args
    data: dict[str, Any] = {k: args[k] for k in ("organization", "status") if args.get(k)}
    data["sort"] = "seconds" if args.get("sort") == "seconds" else "newest"
    page_number = requested_page(args.get("page"))
    found = listed("crowdsource_request_list",
                   {**data, "limit": _limit(), "offset": (page_number - 1) * _limit()})
    page = Page(collection=found["results"], page=page_number, presliced_list=True,
                url=page_url, item_count=found["count"], items_per_page=_limit())
    orgs = toolkit.get_action("organization_list")({}, {"all_fields": True})
    return toolkit.render("crowdsource/feedback/requests.html", {
        "page": page, "filters": args, "statuses": status_names(), "organizations": orgs,
        "form": {**box_defaults(), "kinds": kind_names()}})


def box_defaults() -> dict[str, Any]:
    """What the feedback form needs wherever it stands."""
    return {"package_id": "", "resource_id": "", "logged_in": current_user.is_authenticated,
            "anonymous": config.anonymous_feedback(),
            "honeypot": schema.HONEYPOT}


def inbox() -> Any:
    """``/crowdsource/feedback``: the staff inbox, or the reader's own feedback."""
    if not current_user.is_authenticated:
        return h.redirect_to("user.login", came_from=h.url_for("crowdsource_feedback.inbox"))
    args = request.args
    is_staff = h.check_access("crowdsource_feedback_export")
    mine = not is_staff or args.get("mine")
    data: dict[str, Any] = {k: args[k] for k in FILTERS if args.get(k)}
    if mine:
        data["mine"] = True
    page_number = requested_page(args.get("page"))
    found = listed("crowdsource_feedback_list",
                   {**data, "limit": _limit(), "offset": (page_number - 1) * _limit()})
    page = Page(collection=found["results"], page=page_number, presliced_list=True,
                url=page_url, item_count=found["count"], items_per_page=_limit())
    counts = listed("crowdsource_feedback_summary",
                    {k: v for k, v in data.items() if k != "status"})["by_status"]
    exports = {fmt: h.url_for("crowdsource_feedback.export", fmt=fmt,
                              **{k: v for k, v in data.items() if k != "mine"})
               for fmt in schema.EXPORT_FORMATS}
    return toolkit.render("crowdsource/feedback/inbox.html", {
        "page": page, "counts": counts, "filters": args, "mine": bool(mine),
        "is_staff": is_staff, "kinds": kind_names(), "statuses": status_names(),
        "exports": exports, "next_status": NEXT_STATUS})


def item(id: str) -> str:
    """One feedback item with its conversation."""
    try:
        shown = toolkit.get_action("crowdsource_feedback_show")({}, {"id": id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized, toolkit.ValidationError):
        return base.abort(404, toolkit._("Feedback not found"))
    author = shown.get("author") or {}
    sent = (request.args.get("sent") == "1" and current_user.is_authenticated
            and author.get("name") == current_user.name)
    return toolkit.render("crowdsource/feedback/item.html", {
        "item": shown, "kinds": kind_names(), "statuses": status_names(),
        "next_status": NEXT_STATUS, "sent": sent})


def export(fmt: str) -> Any:
    """The filtered inbox as CSV or JSON, streamed a row at a time."""
    if fmt not in schema.EXPORT_FORMATS:
        return base.abort(404)
    context = {"user": current_user.name if current_user.is_authenticated else ""}
    try:
        toolkit.check_access("crowdsource_feedback_export", context, {})
    except toolkit.NotAuthorized:
        return base.abort(403, toolkit._("Only the library's staff can see the inbox"))
    filters = {k: request.args[k] for k in FILTERS if request.args.get(k)}
    data, errors = toolkit.navl_validate(filters, schema.feedback_list_schema(), context)
    if errors:
        return base.abort(400, error_text(toolkit.ValidationError(errors)))
    try:  # the filters are checked here, before the answer starts
        rows = export_rows(context, data)
    except toolkit.ObjectNotFound as e:
        return base.abort(404, str(e.message or toolkit._("Not found")))
    lines = (csv_lines if fmt == "csv" else json_lines)(rows)
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    return Response(stream_with_context(lines), mimetype=f"{mimetype}; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=feedback.{fmt}"})


def _call(verb: str, form: Any) -> tuple[str, dict[str, Any]] | None:
    """The action a form's verb runs, and its data; None for no such verb."""
    if verb == "send":
        data = {k: form[k] for k in ("kind", "body", "title", "rating", "package_id",
                                     "resource_id", "organization", "contact_email",
                                     schema.HONEYPOT) if form.get(k)}
        return "crowdsource_feedback_create", data
    if verb == "reply":
        return "crowdsource_feedback_reply", {"id": form.get("id", ""),
                                              "body": form.get("body", "")}
    if verb == "status":  # one item (its page), or those ticked in the inbox
        ids = form.getlist("id")
        data = {"status": form.get("status", ""),
                **{k: form[k] for k in ("reply", "public_answer", "fulfilled_by")
                   if form.get(k)}}
        if len(ids) > 1:
            return "crowdsource_feedback_set_status_bulk", {"ids": ids, **data}
        return "crowdsource_feedback_set_status", {"id": ids[0] if ids else "", **data}
    if verb == "second":
        return "crowdsource_request_second", {"id": form.get("id", ""),
                                              "second": form.get("second", "true")}
    return None


def act(verb: str) -> Any:
    """POST: send feedback, reply, change a status (of one or many), second."""
    form = request.form
    call = _call(verb, form)
    if call is None:
        return base.abort(404)
    action, data = call
    result, error = attempt(action, data)
    if verb == "second" and request.headers.get("HX-Request"):
        shown = result
        if shown is None:  # refused: the request as it stands
            try:
                shown = toolkit.get_action("crowdsource_feedback_show")({}, {"id": data["id"]})
            except (toolkit.ObjectNotFound, toolkit.NotAuthorized, toolkit.ValidationError):
                return base.abort(404, toolkit._("Request not found"))
        return toolkit.render("crowdsource/feedback/snippets/request_item.html",
                              {"r": shown, "error": error, "statuses": status_names(),
                               "logged_in": True})
    confirmed = (verb == "send" and result and result.get("id")
                 and current_user.is_authenticated)
    if error:
        h.flash_error(error)
    elif not confirmed:  # a sender who can open the item sees it confirmed there
        h.flash_success({"send": toolkit._("Thank you: the library has your message"),
                         "second": toolkit._("Thank you: the library counts your vote")}
                        .get(verb, toolkit._("Saved")))
    back = form.get("came_from", "")
    if confirmed:
        back = h.url_for("crowdsource_feedback.item", id=result["id"], sent="1")
    elif verb in ("reply", "status") and not form.get("came_from") and data.get("id"):
        back = h.url_for("crowdsource_feedback.item", id=data["id"])
    return h.redirect_to(local(back, h.url_for("crowdsource_feedback.inbox")))


bp.add_url_rule("/crowdsource/requests", view_func=requests_page, methods=["GET"])
bp.add_url_rule("/crowdsource/feedback", view_func=inbox, methods=["GET"])
bp.add_url_rule("/crowdsource/feedback/export.<fmt>", view_func=export, methods=["GET"])
bp.add_url_rule("/crowdsource/feedback/<id>", view_func=item, methods=["GET"])
bp.add_url_rule("/crowdsource/feedback/do/<verb>", view_func=act, methods=["POST"])
