"""The QR code of an item's address, and the Share control's data for the
templates."""
from __future__ import annotations

from typing import Any

from ckan.lib import base
from ckan.plugins import toolkit
from flask import Blueprint, make_response

from ckanext.crowdsource.common.cache import dataset_page_part

from . import core

bp = Blueprint("crowdsource_share", __name__)

ENDPOINTS = {"dataset": "dataset.read", "question": "crowdsource_discussion.question",
             "task": "crowdsource_tasks.task_page", "community": "crowdsource_community.read"}


def qr(item_type: str, id: str) -> Any:
    """``/crowdsource/share/<item_type>/<id>/qr.svg``: the QR code of the
    item's address (source code ``qr``), for those who may see the item."""
    if item_type not in core.ITEM_TYPES or "\x00" in id:
        return base.abort(404)
    try:
        found = core.item({"user": toolkit.g.user}, item_type, id)
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized, toolkit.ValidationError):
        return base.abort(404, toolkit._("Not found"))
    response = make_response(core.qr_svg(found.url("qr"), toolkit._(
        "QR code of the address of {title}").format(title=found.title)))
    response.headers["Content-Type"] = "image/svg+xml; charset=utf-8"
    # the same for everyone who may see it; private items stay in private caches
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def share_box(item_type: str, id: str, ref: str, title: str,
              description: str = "") -> dict[str, Any]:
    """What an item's Share control shows (template helper; the page has
    checked that the viewer sees the item): its address to copy, the share
    targets, the QR code's address and how often it was shared."""
    found = core.Item(item_type, id, None, title or ref, description or "",
                      ENDPOINTS[item_type], ref)
    return {"item_type": item_type, "id": id, "link": found.url("link"),
            "targets": core.targets(found),
            "qr": toolkit.url_for("crowdsource_share.qr", item_type=item_type, id=ref),
            "count": _count(item_type, id)}


def _count(item_type: str, id: str) -> int:
    """How often the item was shared; a dataset's count is kept with the
    other parts of its page (common.cache)."""
    def compute() -> int:
        return core.counts(item_type, [id]).get(id, 0)

    if item_type == "dataset":
        return dataset_page_part("shares", id, compute)
    return compute()


def share_summary(text: str) -> str:
    """Markdown as one plain line of at most 200 characters (template helper,
    for link previews)."""
    return core.summary(text)


bp.add_url_rule("/crowdsource/share/<item_type>/<id>/qr.svg", view_func=qr, methods=["GET"])
