"""Pages of loans: a lendable dataset's record and availability (for
readers who may not see the dataset itself), "My loans and reservations",
the staff's loan desk, the staff form that makes a dataset lendable, and
the one POST endpoint of every loan button.

The dataset's own page is CKAN's, which a reader gets only while a loan of
theirs is active (permission labels); everyone else who follows a link to a
lendable dataset lands on ``/crowdsource/loans/item/<id>``, which shows the
record through ``crowdsource_lendable_show`` and nothing of its resources.
"""
from __future__ import annotations

from typing import Any

from ckan.common import current_user, request
from ckan.lib import base
from ckan.lib import helpers as h
from ckan.plugins import toolkit
from flask import Blueprint, Response

from ckanext.crowdsource.common.communities import live_names, names
from ckanext.crowdsource.common.roles import page_context
from ckanext.crowdsource.common.spreadsheet import csv_text
from ckanext.crowdsource.common.views import attempt, listed, local, reason_given

bp = Blueprint("crowdsource_loans", __name__)

# each button: the action it runs, and whether it names the dataset or the loan
VERBS = {
    "borrow": ("crowdsource_loan_request", "package_id"),
    "approve": ("crowdsource_loan_approve", "id"),
    "decline": ("crowdsource_loan_decline", "id"),
    "renew": ("crowdsource_loan_renew", "id"),
    "return": ("crowdsource_loan_return", "id"),
    "revoke": ("crowdsource_loan_revoke", "id"),
    "cancel": ("crowdsource_reservation_cancel", "id"),
    "verify": ("crowdsource_reader_verify", "user_id"),
    "unverify": ("crowdsource_reader_verify", "user_id"),
}
WITH_REASON = ("decline", "revoke")
LIST_SIZE = 100


def state_names() -> dict[str, str]:
    return {"requested": toolkit._("Waiting for approval"), "active": toolkit._("On loan"),
            "returned": toolkit._("Returned"), "expired": toolkit._("Ended (due)"),
            "revoked": toolkit._("Ended by the library"), "declined": toolkit._("Declined"),
            "waiting": toolkit._("In the queue"), "offered": toolkit._("A copy is yours to take"),
            "taken": toolkit._("Taken"), "cancelled": toolkit._("Cancelled")}


def eligibility_names() -> dict[str, str]:
    return {"registered": toolkit._("Any registered reader"),
            "communities": toolkit._("Members of given communities"),
            "verified": toolkit._("Readers the library has verified")}


def loan_box(package_id: str, private: bool = True) -> dict[str, Any] | None:
    """Template helper: what the dataset page's availability box shows (the
    dataset's lendable record), or None when there is nothing to show.
    Only private datasets are lent: a public one's page has no box (and
    asks nothing)."""
    if not private:
        return None
    try:
        found = toolkit.get_action("crowdsource_lendable_show")(
            page_context(), {"package_id": package_id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized, toolkit.ValidationError):
        return None
    if not found.get("lendable"):
        staff = h.check_access("crowdsource_lendable_set", {"package_id": found["package_id"]})
        return {**found, "is_staff": staff} if staff else None
    return found


def item(id: str) -> str:
    """``/crowdsource/loans/item/<id>``: a lendable dataset's record, its
    availability and the reader's buttons."""
    try:
        found = toolkit.get_action("crowdsource_lendable_show")({}, {"package_id": id})
    except (toolkit.ObjectNotFound, toolkit.ValidationError):
        return base.abort(404, toolkit._("Dataset not found"))
    if not found.get("lendable"):
        return h.redirect_to("dataset.read", id=found["name"])
    return toolkit.render("crowdsource/loans/item.html", {
        "box": found, "states": state_names(), "eligibility": eligibility_names()})


def mine() -> Any:
    """``/crowdsource/loans``: my loans and reservations, and what may be borrowed."""
    if not current_user.is_authenticated:
        return h.redirect_to("user.login", came_from=h.url_for("crowdsource_loans.mine"))
    loans = listed("crowdsource_loan_list", {"limit": LIST_SIZE})
    places = listed("crowdsource_reservation_list", {"limit": LIST_SIZE})
    lendables = listed("crowdsource_lendable_list", {"limit": LIST_SIZE})
    return toolkit.render("crowdsource/loans/mine.html", {
        "loans": loans, "places": places, "lendables": lendables, "states": state_names()})


CSV_COLUMNS = ("id", "dataset", "dataset_title", "reader", "state", "created", "started",
               "due", "ended", "renewals_used", "reason")
CSV_PAGE = 100  # the largest page a list action gives


def _every_loan(data: dict[str, Any]) -> Any:
    """Every loan the desk's filter finds, newest first, a page at a time."""
    offset = 0
    while True:
        found = toolkit.get_action("crowdsource_loan_list")(
            {}, {**data, "limit": CSV_PAGE, "offset": offset})
        for row in found["results"]:
            yield {**row, "dataset": row["package_name"], "dataset_title": row["package_title"],
                   "reader": row["user"]}
        offset += CSV_PAGE
        if offset >= found["count"]:
            return


def manage() -> Any:
    """``/crowdsource/loans/manage``: the loan desk of the organizations the
    user is staff of (or of one, ``?organization=``): requests to approve,
    overdue and active loans, queues, the history of ended loans, the
    readers the library has verified; with
    ``?format=csv`` every loan of the desk as CSV."""
    orgs = toolkit.get_action("organization_list_for_user")({}, {"permission": "create_dataset"}) \
        if current_user.is_authenticated else []
    if not orgs:
        return base.abort(403, toolkit._("Only the library's staff manage loans"))
    names = {o["name"]: o for o in orgs}
    chosen = request.args.get("organization") or ""
    if chosen and chosen not in names:
        return base.abort(404, toolkit._("Organization not found"))
    data: dict[str, Any] = ({"organization": chosen} if chosen else {"desk": True})
    if request.args.get("format") == "csv":
        name = f"crowdsource-loans-{chosen or 'desk'}.csv"
        return Response(csv_text(CSV_COLUMNS, _every_loan(data)), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    data["limit"] = LIST_SIZE
    return toolkit.render("crowdsource/loans/manage.html", {
        "orgs": orgs, "org": names.get(chosen),
        "requested": listed("crowdsource_loan_list", {**data, "state": "requested"}),
        "overdue": listed("crowdsource_loan_list", {**data, "overdue": True}),
        "active": listed("crowdsource_loan_list", {**data, "state": "active"}),
        "queues": listed("crowdsource_reservation_list", data),
        "history": listed("crowdsource_loan_list", {**data, "ended": True}),
        "verified": listed("crowdsource_reader_verified_list", {"limit": LIST_SIZE}),
        "states": state_names()})


def lend(id: str) -> Any:
    """``/crowdsource/loans/lend/<id>``: the staff form that makes a dataset
    lendable, changes how it is lent, or stops lending it."""
    pkg = None
    if "\x00" not in id:  # CKAN would pass it on to PostgreSQL
        try:
            pkg = toolkit.get_action("package_show")({}, {"id": id})
        except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
            pass
    # not the dataset's staff: as if it were not there (its readers need not
    # learn that it may be lent, a borrower sees it through the record page)
    if pkg is None or not h.check_access("crowdsource_lendable_set", {"package_id": pkg["id"]}):
        return base.abort(404, toolkit._("Dataset not found"))
    error = ""
    if request.method == "POST":
        form = request.form
        data: dict[str, Any] = {"package_id": pkg["id"]}
        if form.get("stop"):
            data["lendable"] = False
        else:
            for key in ("copies", "loan_days", "renewals", "eligibility"):
                if form.get(key, "") != "":
                    data[key] = form[key]
            data["needs_approval"] = bool(form.get("needs_approval"))
            chosen = form.getlist("community_ids")
            if chosen:
                data["community_ids"] = chosen
        _, error = attempt("crowdsource_lendable_set", data)
        if not error:
            h.flash_success(toolkit._("Saved"))
            return h.redirect_to("crowdsource_loans.lend", id=pkg["name"])
    current = toolkit.get_action("crowdsource_lendable_show")({}, {"package_id": pkg["id"]})
    chosen = [n["name"] for n in names(set(current.get("community_ids") or [])).values()]
    return toolkit.render("crowdsource/loans/lend.html", {
        "pkg": pkg, "current": current, "error": error, "form": request.form, "chosen": chosen,
        "eligibility": eligibility_names(), "communities": live_names()})


def act(verb: str) -> Any:
    """POST: one loan button (borrow, approve, decline, renew, return,
    revoke, cancel; verify and unverify a reader)."""
    if verb not in VERBS:
        return base.abort(404)
    action, key = VERBS[verb]
    form = request.form
    data = {key: form.get(key, "")}
    if verb in WITH_REASON and reason_given():
        data["reason"] = reason_given()
    if verb == "unverify":
        data["verified"] = False
    done, error = attempt(action, data)
    if error:
        h.flash_error(error)
    elif verb == "borrow" and done and done.get("type") == "reservation":
        h.flash_success(toolkit._("You are number {n} in the queue").format(n=done["place"]))
    else:
        h.flash_success(toolkit._("Saved"))
    back = h.url_for("crowdsource_loans.mine")
    return h.redirect_to(local(form.get("came_from", ""), back))


bp.add_url_rule("/crowdsource/loans", view_func=mine, methods=["GET"])
bp.add_url_rule("/crowdsource/loans/manage", view_func=manage, methods=["GET"])
bp.add_url_rule("/crowdsource/loans/item/<id>", view_func=item, methods=["GET"])
bp.add_url_rule("/crowdsource/loans/lend/<id>", view_func=lend, methods=["GET", "POST"])
bp.add_url_rule("/crowdsource/loans/do/<verb>", view_func=act, methods=["POST"])
