"""Pages for communities: the list (with the proposals waiting), a
community's page, and one POST endpoint for every change.

Every page reads through the community actions with the viewer's own
context, so a proposal is seen only by its proposer and staff, and a
community's datasets are a ``package_search`` run as the viewer (private
datasets only as they may see them). The join button swaps itself through
htmx; every other form is a plain post redirected back with a message, so
the pages work without JavaScript too.
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
from ckanext.crowdsource.common.views import attempt, listed, page_url, requested_page

from . import activity, core

bp = Blueprint("crowdsource_community", __name__)

# how many datasets, tasks and members a community's page shows at once
DATASETS_SHOWN = 10
TASKS_SHOWN = 10
QUESTIONS_SHOWN = 5


def _limit() -> int:
    return config.list_limit_default()


def role_names() -> dict[str, str]:
    """A member's role in words (template helper)."""
    return {"member": toolkit._("Member"), "moderator": toolkit._("Moderator"),
            "owner": toolkit._("Owner")}


def community_of(group_id: str) -> str | None:
    """The name of the open community a CKAN group is, or None (template
    helper, for the group page's Community tab)."""
    if not group_id:
        return None
    try:
        row = core.community_row(group_id)
    except toolkit.ObjectNotFound:
        return None
    return row.name if row.status == "active" else None


def may_become_community(group_id: str) -> bool:
    """Whether the current user may make this CKAN group a community, and it
    is not one (template helper, for the group page's control)."""
    if not group_id or not h.check_access("crowdsource_community_create", {"id": group_id}):
        return False
    try:
        core.community_row(group_id)
    except toolkit.ObjectNotFound:
        return True
    return False


def community_choices() -> list[dict[str, Any]]:
    """The open communities by title, as many as a list may give (template
    helper, for the task form's "for a community")."""
    return toolkit.get_action("crowdsource_community_list")(
        {}, {"sort": "name", "limit": config.list_limit_max()})["results"]


def my_communities() -> list[dict[str, Any]]:
    """The current user's communities, as many as a list page shows
    (template helper, for their own profile page)."""
    if not current_user.is_authenticated:
        return []
    return toolkit.get_action("crowdsource_community_list")(
        {}, {"mine": True, "limit": _limit()})["results"]


def index() -> str:
    """``/crowdsource/communities``: the open communities, the reader's own
    first, with a search; the proposals waiting (all of them for staff,
    their own for readers); the form to propose one."""
    q = request.args.get("q", "")
    page_number = requested_page(request.args.get("page"))
    found = listed("crowdsource_community_list", {
        **({"q": q} if q else {}), "sort": "mine", "limit": _limit(),
        "offset": (page_number - 1) * _limit()})
    counts = activity.recent([c["id"] for c in found["results"]])
    for c in found["results"]:
        c["activity"] = counts.get(c["id"], 0)
    proposals: dict[str, Any] = {"count": 0, "results": []}
    if current_user.is_authenticated:
        proposals = toolkit.get_action("crowdsource_community_list")(
            {}, {"status": "proposed", "sort": "newest", "limit": config.list_limit_max()})
    return toolkit.render("crowdsource/community/index.html", {
        "page": Page(collection=found["results"], page=page_number, presliced_list=True,
                     url=page_url, item_count=found["count"], items_per_page=_limit()),
        "q": q, "proposals": proposals, "days": activity.DAYS,
        "is_staff": h.check_access("crowdsource_community_review", {}),
        "logged_in": current_user.is_authenticated})


def _shown(id: str) -> dict[str, Any]:
    """The community as the viewer may see it; 404 otherwise (a proposal of
    another reader included: the action says it does not exist)."""
    if "\x00" in id:
        return base.abort(404, toolkit._("Community not found"))
    try:
        return toolkit.get_action("crowdsource_community_show")({}, {"id": id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized, toolkit.ValidationError):
        return base.abort(404, toolkit._("Community not found"))


def _datasets(community: dict[str, Any], page_number: int) -> Page:
    """The community's datasets: CKAN's own search, as the viewer."""
    found = toolkit.get_action("package_search")({}, {
        "fq": community["dataset_search"]["fq"], "rows": DATASETS_SHOWN,
        "start": (page_number - 1) * DATASETS_SHOWN, "sort": "title_string asc",
        "include_private": True})
    return Page(collection=found["results"], page=page_number, presliced_list=True,
                url=page_url, item_count=found["count"], items_per_page=DATASETS_SHOWN)


def read(id: str) -> str:
    """``/crowdsource/community/<id>``: what the community is, who leads it,
    its datasets, open tasks, latest questions and experts; for its moderators (and staff) the
    readers asking to join, for its owners (and staff) the members' roles."""
    community = _shown(id)
    page_number = requested_page(request.args.get("page"))
    cid = community["id"]
    tasks = toolkit.get_action("crowdsource_task_list")(
        {}, {"community_id": cid, "state": "open", "limit": TASKS_SHOWN})
    questions: dict[str, Any] = {"count": 0, "results": []}
    if community["status"] == "active":  # a proposal has none yet
        questions = toolkit.get_action("crowdsource_question_list")(
            {}, {"community_id": cid, "sort": "active", "limit": QUESTIONS_SHOWN})
    members_page = requested_page(request.args.get("members"))
    members = toolkit.get_action("crowdsource_community_member_list")(
        {}, {"id": cid, "limit": _limit(), "offset": (members_page - 1) * _limit()})
    members["page"] = members_page
    members["pages"] = max(1, -(-members["count"] // _limit()))
    waiting: dict[str, Any] = {"count": 0, "results": []}
    decides = "pending_count" in community
    if decides:
        waiting = toolkit.get_action("crowdsource_community_member_list")(
            {}, {"id": cid, "state": "pending", "limit": config.list_limit_max()})
    return toolkit.render("crowdsource/community/read.html", {
        "community": community, "datasets": _datasets(community, page_number),
        "tasks": tasks, "questions": questions, "members": members, "waiting": waiting,
        "decides": decides,
        "sets_roles": h.check_access("crowdsource_community_member_set_role", {"id": cid}),
        "is_staff": h.check_access("crowdsource_community_review", {}),
        "roles": role_names(), "logged_in": current_user.is_authenticated})


# the verbs the pages post, and the actions they run
VERBS = {
    "propose": "crowdsource_community_propose",
    "create": "crowdsource_community_create",
    "review": "crowdsource_community_review",
    "join": "crowdsource_community_join",
    "leave": "crowdsource_community_leave",
    "admit": "crowdsource_community_member_request_review",
    "role": "crowdsource_community_member_set_role",
}


def _input(verb: str, form: Any) -> dict[str, Any]:
    """What a form's verb gives its action."""
    if verb == "propose":
        data = {k: form[k] for k in ("name", "title", "description", "join_policy")
                if form.get(k)}
        tags = form.get("subject_tags", "")
        if tags.strip():
            data["scope"] = {"tags": tags}
        return data
    data = {"id": form.get("id", "")}
    if verb == "create" and form.get("join_policy"):
        data["join_policy"] = form["join_policy"]
    if verb in ("review", "admit"):
        data.update(decision=form.get("decision", ""), note=form.get("note", ""))
    if verb in ("admit", "role"):
        data["user_id"] = form.get("user_id", "")
    if verb == "role":
        data["role"] = form.get("role", "")
    return data


def _back(verb: str, form: Any, done: dict[str, Any] | None) -> str:
    if verb == "propose":
        if done:
            return h.url_for("crowdsource_community.read", id=done["name"])
        return h.url_for("crowdsource_community.index")
    if verb == "review" and done and done.get("status") != "active":
        return h.url_for("crowdsource_community.index")
    if verb == "create":  # a group made a community: its page
        return h.url_for("crowdsource_community.read", id=done["name"]) if done \
            else h.url_for("crowdsource_community.index")
    return h.url_for("crowdsource_community.read", id=form.get("id", "")) \
        if form.get("id") and "\x00" not in form.get("id", "") \
        else h.url_for("crowdsource_community.index")


def act(verb: str) -> Any:
    """POST: one change to a community or its members. Visitors are sent to
    log in; a refusal is a 403; bad input comes back as a message."""
    if verb not in VERBS:
        return base.abort(404)
    form = request.form
    if not current_user.is_authenticated:
        came_from = h.url_for("crowdsource_community.index")
        if request.headers.get("HX-Request"):
            response = toolkit.make_response("", 200)
            response.headers["HX-Redirect"] = h.url_for("user.login", came_from=came_from)
            return response
        return h.redirect_to("user.login", came_from=came_from)
    done, error = attempt(VERBS[verb], _input(verb, form))
    if verb in ("join", "leave") and request.headers.get("HX-Request"):
        try:
            community = toolkit.get_action("crowdsource_community_show")(
                {}, {"id": form.get("id", "")})
        except (toolkit.ObjectNotFound, toolkit.ValidationError):
            return base.abort(404, toolkit._("Community not found"))
        return toolkit.render("crowdsource/community/snippets/join.html",
                              {"community": community, "error": error, "logged_in": True})
    if error:
        h.flash_error(error)
    else:
        h.flash_success(_said(verb, done or {}))
    return h.redirect_to(_back(verb, form, None if error else done))


def _said(verb: str, done: dict[str, Any]) -> str:
    if verb == "propose":
        return (toolkit._("Your community is open") if done.get("status") == "active"
                else toolkit._("Thank you: the library will review your proposal"))
    if verb == "join":
        return (toolkit._("Your request to join was sent") if done.get("state") == "pending"
                else toolkit._("You joined the community"))
    if verb == "review":
        return (toolkit._("Proposal approved: the community is open")
                if done.get("status") == "active" else toolkit._("Proposal declined"))
    if verb == "admit":
        return (toolkit._("The reader is a member now") if done.get("state") == "active"
                else toolkit._("Request declined"))
    return {"create": toolkit._("The group is a subject community now: readers can join it"),
            "leave": toolkit._("You left the community"),
            "role": toolkit._("Role changed")}[verb]


bp.add_url_rule("/crowdsource/communities", view_func=index, methods=["GET"])
bp.add_url_rule("/crowdsource/community/<id>", view_func=read, methods=["GET"])
bp.add_url_rule("/crowdsource/communities/do/<verb>", view_func=act, methods=["POST"])
