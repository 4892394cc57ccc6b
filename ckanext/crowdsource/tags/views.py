"""Pages and htmx partials for reader tags.

Every POST answers an htmx request with the dataset's tag cloud partial and
a plain form post with a redirect back to the dataset page, so the page
works without JavaScript too.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from ckan.common import current_user, request
from ckan.lib import base
from ckan.lib import helpers as h
from ckan.plugins import toolkit
from flask import Blueprint

from ckanext.crowdsource.common import config
from ckanext.crowdsource.common.cache import dataset_page_part
from ckanext.crowdsource.common.roles import allowed, page_context
from ckanext.crowdsource.common.validators import normalize_tag
from ckanext.crowdsource.common.views import attempt, dataset_page, listed, reason_given
from ckanext.crowdsource.moderation.core import flagged_by

from .moderation import item_id

bp = Blueprint("crowdsource_tags", __name__)
URL_SAFE = "!$'()*,/:;?@"  # what werkzeug leaves unquoted in a query, as url_for does

ACTIONS = {
    "add": "crowdsource_tag_add", "remove": "crowdsource_tag_remove",
    "hide": "crowdsource_tag_hide", "restore": "crowdsource_tag_restore",
    "promote": "crowdsource_tag_promote", "flag": "crowdsource_flag_create",
}


def _done(verb: str) -> str:
    """What a plain form post flashes after success."""
    return {
        "add": toolkit._("Tag added"),
        "remove": toolkit._("Tag removed"),
        "hide": toolkit._("Tag hidden"),
        "restore": toolkit._("Tag shown again"),
        "promote": toolkit._("Tag promoted to an official tag"),
        "flag": toolkit._("Thank you: the library will look at this tag"),
    }[verb]


def cloud_vars(package_id: str, error: str = "") -> dict[str, Any]:
    """What the dataset's reader-tag partial shows (a template helper too)."""
    data = {"package_id": package_id, "limit": config.list_limit_max()}
    if current_user.is_authenticated:  # with their own tags (hidden ones too), or as staff
        tags = toolkit.get_action("crowdsource_tag_list")(page_context(), data)["results"]
    else:  # what every visitor who may see the dataset sees, kept
        toolkit.check_access("crowdsource_tag_list", {}, {"package_id": package_id})
        tags = dataset_page_part("reader_tags", package_id, lambda: toolkit.get_action(
            "crowdsource_tag_list")({}, data)["results"])
    # each tag's link and count in words: made here once, not in the template once a tag
    search = h.url_for("dataset.search")
    titles: dict[int, str] = {}
    for t in tags:
        t["url"] = f"{search}?vocab_crowd_tags={quote_plus(t['tag'], safe=URL_SAFE)}"
        if t["count"] not in titles:
            titles[t["count"]] = toolkit.ungettext(
                "{n} reader gave this tag", "{n} readers gave this tag", t["count"]
            ).format(n=t["count"])
        t["title"] = titles[t["count"]]
    flagged = flagged_by(current_user.id if current_user.is_authenticated else None, "tag",
                         [item_id(package_id, t["tag"]) for t in tags])
    return {
        "package_id": package_id,
        "tags": tags,
        "flagged": {t["tag"] for t in tags if item_id(package_id, t["tag"]) in flagged},
        "logged_in": current_user.is_authenticated,
        "is_staff": allowed("crowdsource_tag_hide", {"package_id": package_id}),
        "error": error,
    }


def cloud(id: str) -> str:
    """GET: the dataset's reader tags, as a partial."""
    pkg = dataset_page(id)
    return toolkit.render("crowdsource/tags/snippets/cloud.html",
                          {"cloud": cloud_vars(pkg["id"])})


def change(id: str, verb: str) -> Any:
    """POST: add, remove, hide, restore, promote or flag a reader tag."""
    if verb not in ACTIONS:
        return base.abort(404)
    pkg = dataset_page(id)
    tag = request.form.get("tag", "")
    reason = reason_given()
    data: dict[str, Any] = {"package_id": pkg["id"], "tag": tag}
    if verb in ("hide", "restore", "promote"):
        data["reason"] = reason
    if verb == "flag":
        try:
            tag = normalize_tag(tag)
        except toolkit.Invalid:
            pass  # no such reader tag: the flag action says it is not found
        data = {"item_type": "tag", "item_id": item_id(pkg["id"], tag), "reason": reason}
    _, error = attempt(ACTIONS[verb], data)
    if request.headers.get("HX-Request"):
        return toolkit.render("crowdsource/tags/snippets/cloud.html",
                              {"cloud": cloud_vars(pkg["id"], error)})
    if error:
        h.flash_error(error)
    else:
        h.flash_success(_done(verb))
    return toolkit.redirect_to("dataset.read", id=pkg["name"])


def site_cloud() -> str:
    """The site page of reader tags, each linked to the ``/dataset`` facet."""
    organization = request.args.get("organization", "")
    data: dict[str, Any] = {"limit": config.list_limit_max()}
    if organization:
        data["organization"] = organization
    tags = listed("crowdsource_tag_cloud", data)["results"]
    top = max((t["count"] for t in tags), default=1)
    for t in tags:  # five font sizes, by share of the most used tag
        t["size"] = 1 + round(4 * t["count"] / top)
    return toolkit.render("crowdsource/tags/index.html",
                          {"tags": tags, "organization": organization})


bp.add_url_rule("/dataset/<id>/reader-tags", view_func=cloud, methods=["GET"])
bp.add_url_rule("/dataset/<id>/reader-tags/<verb>", view_func=change, methods=["POST"])
bp.add_url_rule("/crowdsource/tags", view_func=site_cloud, methods=["GET"])
