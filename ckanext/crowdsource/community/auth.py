"""Who may do what with communities (DESIGN section 6, and issue 15).

- propose, join, leave: logged-in users;
- create, review proposals: the library's staff (editors and admins of any
  organization) and sysadmins;
- update: the community's owners and the staff; its moderators the subject
  filter alone; the proposer their proposal while it waits;
- set roles: the community's owners and the staff;
- decide on requests to join, see them: the community's moderators and
  owners, and the staff;
- show, list, see the members: anyone who can see the community.

A community's moderators and owners have these powers in that community
alone, read from its member rows on every call: a role taken away ends at
once. Functions about one community are given its ``id`` (the action has
found it, and answered "not found" to those who may not see it).
"""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit
from ckan.types import AuthResult, Context, DataDict

from ckanext.crowdsource.common.roles import OK, current_user, current_user_id, refused

from . import core

SCOPE_ONLY = {"id", "scope"}  # what a community's moderators may change


def _row(data_dict: DataDict) -> Any | None:
    try:
        return core.community_row(data_dict.get("id") or "")
    except toolkit.ObjectNotFound:
        return None


def _logged_in(context: Context, data_dict: DataDict) -> AuthResult:
    if current_user(context) is None:
        return refused(toolkit._("You must be logged in"))
    return OK


def crowdsource_community_propose(context: Context, data_dict: DataDict) -> AuthResult:
    """Logged-in users."""
    if current_user(context) is None:
        return refused(toolkit._("You must be logged in to propose a community"))
    return OK


def _library_staff(context: Context, data_dict: DataDict) -> AuthResult:
    """Sysadmins, and editors and admins of any organization."""
    if core.is_library_staff(context):
        return OK
    return refused(toolkit._("Only the library's staff can do this"))


crowdsource_community_create = crowdsource_community_review = _library_staff


def crowdsource_community_update(context: Context, data_dict: DataDict) -> AuthResult:
    """The community's owners and the library's staff; its moderators the
    subject filter alone; the proposer their proposal while it waits."""
    row = _row(data_dict)
    if row is None:
        return refused(toolkit._("Community not found"))
    if core.owns(context, row.id):
        return OK
    me = current_user_id(context)
    if row.status == "proposed" and me and row.proposed_by == me:
        return OK
    if core.role_of(context, row.id) == "moderator" and set(data_dict) <= SCOPE_ONLY:
        return OK
    return refused(toolkit._(
            "Only the community's owners and the library's staff can change it; "
            "its moderators can change its subject filter"))


@toolkit.auth_allow_anonymous_access
def crowdsource_community_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone, for an active community; its proposer and the staff for a proposal."""
    row = _row(data_dict)
    if row is not None and core.can_see(context, row):
        return OK
    return refused(toolkit._("Community not found"))


@toolkit.auth_allow_anonymous_access
def crowdsource_community_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: proposals are listed only to their proposers and the staff."""
    return OK


crowdsource_community_join = crowdsource_community_leave = _logged_in


@toolkit.auth_allow_anonymous_access
def crowdsource_community_member_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone who can see the community; readers waiting to join only its
    moderators, its owners and the staff."""
    shown = crowdsource_community_show(context, data_dict)
    if not shown["success"]:
        return shown
    if data_dict.get("state", "active") != "active" \
            and not core.moderates(context, _row(data_dict).id):
        return refused(toolkit._("Only the community's moderators see who asks to join"))
    return OK


def crowdsource_community_member_set_role(context: Context, data_dict: DataDict
                                          ) -> AuthResult:
    """The community's owners and the library's staff."""
    row = _row(data_dict)
    if row is not None and core.owns(context, row.id):
        return OK
    return refused(toolkit._("Only the community's owners and the library's staff set roles"))


def crowdsource_community_member_request_review(context: Context, data_dict: DataDict
                                                ) -> AuthResult:
    """The community's moderators and owners, and the library's staff."""
    row = _row(data_dict)
    if row is not None and core.moderates(context, row.id):
        return OK
    return refused(toolkit._("Only the community's moderators decide who joins"))


def get_auth_functions() -> dict[str, Any]:
    return {name: globals()[name] for name in (
        "crowdsource_community_propose", "crowdsource_community_create",
        "crowdsource_community_review", "crowdsource_community_update",
        "crowdsource_community_show", "crowdsource_community_list",
        "crowdsource_community_join", "crowdsource_community_leave",
        "crowdsource_community_member_list", "crowdsource_community_member_set_role",
        "crowdsource_community_member_request_review",
    )}
