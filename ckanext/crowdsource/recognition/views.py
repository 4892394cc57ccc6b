"""Pages of recognition: the leaderboard, a reader's contributions (their
points, each saying why), and the form of one's own opt-outs.

Every page reads through the recognition actions with the viewer's own
context: a reader who keeps their points private is refused to others, and
rows about datasets the viewer may not see are left out.
"""
from __future__ import annotations

from typing import Any

from ckan.common import current_user, request
from ckan.lib import base
from ckan.lib import helpers as h
from ckan.lib.pagination import Page
from ckan.plugins import toolkit
from flask import Blueprint

from ckanext.crowdsource.common import config
from ckanext.crowdsource.common.communities import live_names
from ckanext.crowdsource.common.views import attempt, listed, page_url, requested_page

from . import core, stream

bp = Blueprint("crowdsource_recognition", __name__)


def _limit() -> int:
    return config.list_limit_default()


def period_names() -> dict[str, str]:
    return {"all": toolkit._("All time"), "30d": toolkit._("Last 30 days"),
            "year": toolkit._("This year")}


def leaderboard() -> str:
    """``/crowdsource/leaderboard``: readers by points, for a period and,
    optionally, one community."""
    args = request.args
    period = args.get("period") if args.get("period") in core.PERIODS else "all"
    data: dict[str, Any] = {"period": period}
    if args.get("community_id"):
        data["community_id"] = args["community_id"]
    page_number = requested_page(args.get("page"))
    found = listed("crowdsource_leaderboard",
                   {**data, "limit": _limit(), "offset": (page_number - 1) * _limit()})
    communities = live_names()
    return toolkit.render("crowdsource/recognition/leaderboard.html", {
        "page": Page(collection=found["results"], page=page_number, presliced_list=True,
                     url=page_url, item_count=found["count"], items_per_page=_limit()),
        "period": period, "periods": period_names(), "communities": communities,
        "community_id": args.get("community_id", "")})


def _kinds(totals: dict[str, int], sees_private: bool) -> list[str]:
    """The kinds a profile counts: every kind of a reader's, reviews only
    when there are some, feedback only to those who see it."""
    return [k for k in stream.KINDS if (k != "review" or totals.get(k))
            and (k not in stream.PRIVATE_KINDS or sees_private)]


def contributions(id: str) -> str:
    """``/user/<id>/contributions``: a reader's contributions (totals per
    kind, newest first, ``?after=`` the cursor of the next page), badges,
    points and what they were for; to the reader, their opt-outs."""
    if "\x00" in id:
        return base.abort(404, toolkit._("User not found"))
    try:
        summary = toolkit.get_action("crowdsource_points_summary")({}, {"user_id": id})
    except toolkit.ObjectNotFound:
        return base.abort(404, toolkit._("User not found"))
    except toolkit.NotAuthorized as e:
        return base.abort(403, str(e.message or ""))
    page_number = requested_page(request.args.get("page"))
    found = listed("crowdsource_points_list", {
        "user_id": id, "limit": _limit(), "offset": (page_number - 1) * _limit()})
    own = current_user.is_authenticated and current_user.name == summary["user"]
    sysadmin = bool(getattr(current_user, "sysadmin", False))
    settings = toolkit.get_action("crowdsource_recognition_settings_show")({}, {}) \
        if own else None
    user_dict = toolkit.get_action("user_show")({}, {"id": summary["user"]})
    after = request.args.get("after") or None
    try:
        made = toolkit.get_action("crowdsource_contribution_list")({}, {
            "user_id": summary["user"], "limit": _limit(), **({"cursor": after} if after else {})})
    except toolkit.ValidationError:
        return base.abort(400, toolkit._("This is not a cursor this list gave"))
    totals = toolkit.get_action("crowdsource_contribution_summary")(
        {}, {"user_id": summary["user"]})["by_kind"]
    held = toolkit.get_action("crowdsource_badge_list")({}, {
        "user_id": summary["user"], "limit": config.list_limit_max()})
    return toolkit.render("crowdsource/recognition/contributions.html", {
        "summary": summary, "user_dict": user_dict, "settings": settings,
        "made": made, "totals": totals, "badges": held["results"], "after": after,
        "kinds": _kinds(totals, own or sysadmin),
        # what CKAN's user/read_base.html asks of its pages
        "is_myself": own, "is_sysadmin": sysadmin,
        "am_following": False, "about_formatted": h.render_markdown(user_dict.get("about")),
        "page": Page(collection=found["results"], page=page_number, presliced_list=True,
                     url=page_url, item_count=found["count"], items_per_page=_limit())})


def settings() -> Any:
    """POST: the reader's own opt-outs (checkboxes: unticked is off)."""
    if not current_user.is_authenticated:
        return h.redirect_to("user.login")
    form = request.form
    _done, error = attempt("crowdsource_recognition_settings_update", {
        "leaderboards": bool(form.get("leaderboards")),
        "public_profile": bool(form.get("public_profile"))})
    if error:
        h.flash_error(error)
    else:
        h.flash_success(toolkit._("Your settings are saved"))
    return h.redirect_to("crowdsource_recognition.contributions", id=current_user.name)


bp.add_url_rule("/crowdsource/leaderboard", view_func=leaderboard, methods=["GET"])
bp.add_url_rule("/user/<id>/contributions", view_func=contributions, methods=["GET"])
bp.add_url_rule("/crowdsource/recognition/settings", view_func=settings, methods=["POST"])
