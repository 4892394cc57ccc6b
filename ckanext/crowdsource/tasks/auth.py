"""Who may post, claim, review and apply tasks (DESIGN section 6).

A task meant for a community is claimed by the community's active members
alone (everyone once its members-first window is over); the community's
moderators and owners review and apply its claims when the task says so
(``community_review``), in that community alone and while they hold the role
(read on every call).

Task functions are given the task (``id``) or the dataset (``package_id``);
claim functions the claim (``id``).
"""
from __future__ import annotations

from typing import Any

from ckan import model
from ckan.plugins import toolkit
from ckan.types import AuthResult, Context, DataDict

from ckanext.crowdsource.common import communities
from ckanext.crowdsource.common.roles import (
    OK,
    can_see_dataset,
    current_user,
    is_staff_for,
    refused,
    staff_org_ids,
)

from . import core


def _task(data_dict: DataDict) -> Any | None:
    try:
        return core.task_row(data_dict.get("id") or "")
    except toolkit.ObjectNotFound:
        return None


def _claim_and_task(data_dict: DataDict) -> tuple[Any, Any] | None:
    try:
        row = core.claim_row(data_dict.get("id") or "")
        return row, core.task_row(row.task_id)
    except toolkit.ObjectNotFound:
        return None


def crowdsource_task_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Staff of the dataset's organization."""
    pkg = model.Package.get(data_dict.get("package_id") or "")
    if pkg is not None and is_staff_for(context, pkg.owner_org):
        return OK
    return refused(toolkit._("Only the library's staff can post tasks"))


def crowdsource_task_create_bulk(context: Context, data_dict: DataDict) -> AuthResult:
    """Staff of at least one organization (each dataset is checked too)."""
    if staff_org_ids(context) == []:
        return refused(toolkit._("Only the library's staff can post tasks"))
    return OK


def _task_staff(context: Context, data_dict: DataDict) -> AuthResult:
    row = _task(data_dict)
    if row is not None and is_staff_for(context, row.owner_org):
        return OK
    return refused(toolkit._("Only the library's staff can change tasks"))


crowdsource_task_update = crowdsource_task_cancel = _task_staff


@toolkit.auth_allow_anonymous_access
def crowdsource_task_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone who can see the task's dataset."""
    row = _task(data_dict)
    if row is not None and can_see_dataset(context, row.package_id):
        return OK
    return refused(toolkit._("You cannot see this task"))


@toolkit.auth_allow_anonymous_access
def crowdsource_task_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: the board lists only tasks on datasets the caller can see."""
    return OK


def crowdsource_task_claim(context: Context, data_dict: DataDict) -> AuthResult:
    """Logged-in users who can see the task; a community's task only its
    active members (everyone once its members-first window is over)."""
    if current_user(context) is None:
        return refused(toolkit._("You must be logged in to take a task"))
    seen = crowdsource_task_show(context, data_dict)
    if not seen["success"]:
        return seen
    row = _task(data_dict)
    if row is not None and not core.may_claim(context, row.id):
        community = row.community_title or row.community_name
        until = core.members_only_until(row)
        if until is not None:
            return refused(toolkit._(
                    "This task is for the members of the community {community} until {time}: "
                    "join the community to take it now").format(
                        community=community, time=until.strftime("%Y-%m-%d %H:%M UTC")))
        return refused(toolkit._(
                "This task is for the members of the community {community}: join the "
                "community to take it").format(community=community))
    return OK


def crowdsource_task_next(context: Context, data_dict: DataDict) -> AuthResult:
    """Logged-in users (the tasks offered are on datasets they can see)."""
    if current_user(context) is None:
        return refused(toolkit._("You must be logged in to take a task"))
    return OK


@toolkit.auth_sysadmins_check
def _own_claim(context: Context, data_dict: DataDict) -> AuthResult:
    """The claim's reader (sysadmins too: nobody works on another's claim)."""
    found = _claim_and_task(data_dict)
    user = current_user(context)
    if found is not None and user is not None and found[0].user_id == user.id \
            and can_see_dataset(context, found[1].package_id):
        return OK
    return refused(toolkit._("This is not your claim"))


crowdsource_claim_extend = crowdsource_claim_save_draft = _own_claim
crowdsource_claim_release = crowdsource_claim_submit = _own_claim


def _reviewer(context: Context, task_row: Any) -> bool:
    """Staff of the task's organization; the moderators and owners of the
    task's community when the task allows it (``community_review``), on a
    dataset they can see, and only while they hold the role."""
    if is_staff_for(context, task_row.owner_org):
        return True
    return core.community_reviews(context, task_row) \
        and can_see_dataset(context, task_row.package_id)


@toolkit.auth_sysadmins_check
def crowdsource_claim_review(context: Context, data_dict: DataDict) -> AuthResult:
    """Staff of the task's organization, and the moderators of the task's
    community when the task lets them review; never on their own claim."""
    found = _claim_and_task(data_dict)
    user = current_user(context)
    if found is None or user is None or not _reviewer(context, found[1]):
        return refused(toolkit._("Only the library's staff review claims, and a community's "
                                 "moderators those of its tasks that let them"))
    if found[0].user_id == user.id:
        return refused(toolkit._("Nobody reviews their own work"))
    return OK


def crowdsource_claim_apply(context: Context, data_dict: DataDict) -> AuthResult:
    """Staff of the task's organization, and the moderators of the task's
    community when the task lets them review."""
    found = _claim_and_task(data_dict)
    if found is not None and _reviewer(context, found[1]):
        return OK
    return refused(toolkit._("Only the library's staff apply results, and a community's "
                             "moderators those of its tasks that let them"))


def crowdsource_claim_show(context: Context, data_dict: DataDict) -> AuthResult:
    """The claim's reader, and those who review it."""
    found = _claim_and_task(data_dict)
    user = current_user(context)
    if found is not None and user is not None and (
            found[0].user_id == user.id and can_see_dataset(context, found[1].package_id)
            or _reviewer(context, found[1])):
        return OK
    return refused(toolkit._("You cannot see this claim"))


def crowdsource_claim_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Logged-in users (they see their own claims; staff those of their
    tasks); the review queue staff of some organization, and a community's
    queue (``community_id``) its moderators and owners too."""
    user = current_user(context)
    if user is None:
        return refused(toolkit._("You must be logged in"))
    if data_dict.get("review") and staff_org_ids(context) == []:
        community = communities.live_community(data_dict.get("community_id") or "")
        if community is None or not communities.moderates(community.id, user.id):
            return refused(toolkit._("Only the library's staff review claims, and a "
                                     "community's moderators those of its tasks that let them"))
    return OK


def crowdsource_claims_expire(context: Context, data_dict: DataDict) -> AuthResult:
    """Sysadmins (and the sweeper's job)."""
    return refused(toolkit._("Only sysadmins can run the sweeper"))


def get_auth_functions() -> dict[str, Any]:
    return {name: globals()[name] for name in (
        "crowdsource_task_create", "crowdsource_task_create_bulk", "crowdsource_task_update",
        "crowdsource_task_cancel", "crowdsource_task_show", "crowdsource_task_list",
        "crowdsource_task_claim", "crowdsource_task_next", "crowdsource_claim_extend",
        "crowdsource_claim_save_draft", "crowdsource_claim_release", "crowdsource_claim_submit",
        "crowdsource_claim_review", "crowdsource_claim_apply", "crowdsource_claim_show",
        "crowdsource_claim_list", "crowdsource_claims_expire",
    )}
