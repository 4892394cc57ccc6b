"""``/crowdsource/stats``: the staff dashboard, each metric a figure (an SVG
chart, its numbers in a table behind a toggle, a CSV download of the same
numbers); ``/crowdsource/stats/<metric>.csv``: one metric as CSV.

The page asks ``crowdsource_stats_show`` once per metric: a constant
number of queries whatever the period."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.common import request
from ckan.lib import base
from ckan.plugins import toolkit
from flask import Blueprint, Response

from ckanext.crowdsource.common.roles import page_context, staff_org_ids
from ckanext.crowdsource.common.spreadsheet import csv_text
from ckanext.crowdsource.common.views import error_text

from . import charts
from .core import METRICS, PERIODS, SITE_WIDE

bp = Blueprint("crowdsource_insight", __name__)
ARGS = ("period", "granularity", "organization", "community_id")
LIST_SIZE = 10  # rows a paged metric's figure shows


def kind_names() -> dict[str, str]:
    _ = toolkit._
    return {"tag": _("Tags"), "comment": _("Comments"), "question": _("Questions"),
            "answer": _("Answers"), "submission": _("Task submissions"),
            "feedback": _("Feedback"), "request": _("Requests")}


def names() -> dict[str, str]:
    """Every word a figure shows for a column, series or row key."""
    _ = toolkit._
    return {**kind_names(),
            "accepted": _("Accepted"), "pending": _("Waiting"), "hidden": _("Hidden"),
            "rejected": _("Rejected"), "total": _("Total"), "new": _("New readers"),
            "returning": _("Returning readers"), "submitted": _("Submitted"),
            "queue": _("Queue"), "answered": _("Answered"),
            "median_hours": _("Median wait (hours)"), "p90_hours": _("90% within (hours)"),
            "waiting": _("Waiting now"), "median_age_hours": _("Median age (hours)"),
            "oldest_age_hours": _("Oldest (hours)"), "feedback_queue": _("Feedback"),
            "claims": _("Submissions to review"), "questions": _("Questions"),
            "premoderation": _("Posts to approve"), "title": _("Title"),
            "seconds": _("Seconds (me too)"), "dataset": _("Dataset"),
            "age_days": _("Age (days)"), "query": _("Search"),
            "searches": _("Searches"), "last_day": _("Last searched"), "id": _("Id"),
            "state": _("State"),
            "count": _("Count"), "bucket": _("From"), "kind": _("Kind"),
            "open": _("Open"), "completed": _("Completed"), "cancelled": _("Cancelled"),
            "claimed": _("Claimed"), "released": _("Released"), "expired": _("Expired")}


def figures() -> list[dict[str, Any]]:
    """The dashboard's figures, in order: metric, title, what it shows, and
    how it is drawn (``columns`` over time, ``bars`` per row)."""
    _ = toolkit._
    return [
        {"metric": "contributions", "title": _("Contributions over time"),
         "caption": _("What readers contributed in each period, by kind."),
         "draw": "columns", "series": list(kind_names()), "stacked": True},
        {"metric": "contributors", "title": _("Active contributors"),
         "caption": _("Readers who contributed: for the first time, or again."),
         "draw": "columns", "series": ["new", "returning"], "stacked": True},
        {"metric": "outcomes", "title": _("What became of contributions"),
         "caption": _("Contributions of the period by kind: accepted, waiting, hidden "
                      "or rejected."),
         "draw": "bars", "series": ["accepted", "pending", "hidden", "rejected"],
         "stacked": True},
        {"metric": "service", "title": _("How long readers wait"),
         "caption": _("Hours to the first staff reply to feedback, to the review of a "
                      "submission, to the first answer to a question: median and 90th "
                      "percentile, of the items answered in the period."),
         "draw": "bars", "series": ["median_hours", "p90_hours"], "stacked": False},
        {"metric": "backlog", "title": _("Waiting now"),
         "caption": _("What waits for the library now, whatever the period; the table "
                      "gives its age."),
         "draw": "bars", "series": ["waiting"], "stacked": False},
        {"metric": "requests", "title": _("Most wanted: open requests"),
         "caption": _("Open requests with the most seconds."),
         "draw": "bars", "series": ["seconds"], "stacked": False},
        {"metric": "unanswered", "title": _("Questions without an answer"),
         "caption": _("Open questions no one has answered yet, the oldest first "
                      "(age in days)."),
         "draw": "bars", "series": ["age_days"], "stacked": False},
        {"metric": "searches", "title": _("Searches that found nothing"),
         "caption": _("What readers searched for on the dataset page and did not "
                      "find, most searched first (the whole site)."),
         "draw": "bars", "series": ["searches"], "stacked": False},
        {"metric": "tasks", "title": _("Tasks by state"),
         "caption": _("Tasks posted in the period, by their state now."),
         "draw": "bars", "series": ["count"], "stacked": False},
        {"metric": "claims", "title": _("Claims by state"),
         "caption": _("Claims readers took in the period, by their state now."),
         "draw": "bars", "series": ["count"], "stacked": False},
        {"metric": "throughput", "title": _("Crowd work done"),
         "caption": _("Task submissions made, and claims accepted and rejected, in each "
                      "period."),
         "draw": "columns", "series": ["submitted", "accepted", "rejected"],
         "stacked": False},
    ]


def _asked() -> dict[str, str]:
    return {k: request.args[k] for k in ARGS if request.args.get(k)}


def _stats(data: dict[str, Any]) -> dict[str, Any]:
    try:
        return toolkit.get_action("crowdsource_stats_show")({}, data)
    except toolkit.NotAuthorized:
        return base.abort(403, toolkit._("Only the library's staff can see these numbers"))
    except toolkit.ValidationError as e:
        return base.abort(400, error_text(e))
    except toolkit.ObjectNotFound as e:
        return base.abort(404, str(e.message or toolkit._("Not found")))


def _chart(figure: dict[str, Any], found: dict[str, Any], words: dict[str, str]
           ) -> dict[str, Any]:
    rows, key = found["results"], found["columns"][0]
    if figure["draw"] == "columns":
        return charts.columns(rows, key, figure["series"], words, figure["stacked"])
    row_names = {**words, "feedback": words["feedback_queue"]} if key == "queue" else words
    return charts.bars(rows, key, figure["series"], words, row_names, figure["stacked"])


def _organizations() -> list[dict[str, str]]:
    """The organizations the user may choose: their own; all for sysadmins."""
    orgs = staff_org_ids(page_context())
    g = model.Group
    query = sa.select(g.id, g.name, g.title).where(
        g.is_organization.is_(True), g.state == "active").order_by(g.title, g.name)
    if orgs is not None:
        query = query.where(g.id.in_(orgs))
    return [{"id": r.id, "name": r.name, "title": r.title or r.name}
            for r in model.Session.execute(query)]


def stats() -> str:
    """The dashboard, for the period and organization of the GET form."""
    asked = _asked()
    words = names()
    shown = []
    site = staff_org_ids(page_context()) is None  # a sysadmin
    for figure in figures():
        if figure["metric"] in SITE_WIDE and not site:
            continue
        data = {**asked, "metric": figure["metric"]}
        if METRICS[figure["metric"]][2]:
            data["limit"] = LIST_SIZE
        found = _stats(data)
        shown.append({**figure, "found": found, "chart": _chart(figure, found, words),
                      "csv": toolkit.url_for("crowdsource_insight.csv",
                                             metric=figure["metric"], **{
                                                 k: v for k, v in data.items()
                                                 if k != "metric"})})
    first = shown[0]["found"]
    return toolkit.render("crowdsource/insight/stats.html", {
        "figures": shown, "asked": asked, "words": words, "periods": list(PERIODS),
        "organizations": _organizations(), "period": first["period"],
        "granularity": first["granularity"], "timezone": first["timezone"],
        "organization": first["organization"]})


def csv(metric: str) -> Response:
    """One metric as CSV: the same rows ``crowdsource_stats_show`` gives
    for the same arguments (``limit`` and ``offset`` too)."""
    if metric not in METRICS:
        return base.abort(404, toolkit._("Not found"))
    data: dict[str, Any] = {**_asked(), "metric": metric}
    data.update({k: request.args[k] for k in ("limit", "offset") if request.args.get(k)})
    found = _stats(data)
    name = f"crowdsource-{metric}-{found['period']}.csv"
    return Response(csv_text(found["columns"], found["results"]),
                    mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


bp.add_url_rule("/crowdsource/stats", view_func=stats)
bp.add_url_rule("/crowdsource/stats/<metric>.csv", view_func=csv, endpoint="csv")
