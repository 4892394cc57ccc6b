"""The moderation queue page for the library's staff."""
from __future__ import annotations

from typing import Any

from ckan.common import request
from ckan.lib import base
from ckan.lib import helpers as h
from ckan.lib.pagination import Page
from ckan.plugins import toolkit
from flask import Blueprint

from ckanext.crowdsource.common import config
from ckanext.crowdsource.common.views import attempt, listed, page_url, requested_page

from .schema import STATUSES

bp = Blueprint("crowdsource_moderation", __name__)


def queue() -> str:
    """``/crowdsource/moderation``: flagged and hidden contributions, paged."""
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    page_number = requested_page(request.args.get("page"))
    limit = config.list_limit_default()
    data: dict[str, Any] = {"limit": limit, "offset": (page_number - 1) * limit}
    if status:
        data["status"] = status
    try:
        found = listed("crowdsource_moderation_list", data)
    except toolkit.NotAuthorized:
        return base.abort(403, toolkit._("Only the library's staff can see this"))
    page = Page(collection=found["results"], page=page_number, presliced_list=True,
                url=page_url, item_count=found["count"], items_per_page=limit)
    return toolkit.render("crowdsource/moderation/queue.html",
                          {"page": page, "status": status, "statuses": STATUSES})


def review() -> Any:
    """POST: clear or uphold the flags of one item, then back to the queue."""
    return _decide("crowdsource_flag_review")


def decide() -> Any:
    """POST: hide, restore or approve one item, then back to the queue."""
    return _decide("crowdsource_moderation_decide")


def _decide(action: str) -> Any:
    form = request.form
    data = {key: form.get(key, "") for key in ("item_type", "item_id", "decision", "reason")}
    result, error = attempt(action, data, toolkit._("Only the library's staff can moderate"))
    if error:
        h.flash_error(error)
    else:
        h.flash_success(toolkit._("Hidden") if result["hidden"]
                        else toolkit._("Waiting for approval") if result["pending"]
                        else toolkit._("Shown"))
    return toolkit.redirect_to("crowdsource_moderation.queue", status=form.get("status", ""))


bp.add_url_rule("/crowdsource/moderation", view_func=queue, methods=["GET"])
bp.add_url_rule("/crowdsource/moderation/review", view_func=review, methods=["POST"])
bp.add_url_rule("/crowdsource/moderation/decide", view_func=decide, methods=["POST"])
