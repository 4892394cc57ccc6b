"""Actions on a community's members: join, leave, list, set a role, decide
on a request to join.

Each takes the community as ``id`` (its group's id or name) and, where it
acts on someone else, the reader as ``user_id`` (id or name); writes return
the membership they acted on. Every change is in the moderation audit log
(item type ``community_member``, item id ``<community id>:<user id>``).
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict

from ckanext.crowdsource import events
from ckanext.crowdsource.common.action import reads, writes
from ckanext.crowdsource.common.pagination import listed, page_bounds
from ckanext.crowdsource.common.roles import current_user_id, people

from . import core, schema
from .model import member


def _gone(community_id: str, user_id: str) -> dict[str, Any]:
    """What a write returns once the reader has no membership."""
    out = core.member_dict(None, {}, community_id)
    out["user"] = (people({user_id}).get(user_id) or {}).get("name")
    return out


def _open(row: Any) -> None:
    if row.status != "active":
        raise core.refuse(core.STATUS, toolkit._("This community is not open yet"))


@writes(schema.id_schema)
def crowdsource_community_join(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Join a community (any logged-in reader): at once when it is open, as a
    request its moderators decide on when it is ``request``. Joining again
    is not an error: it returns the membership (or request) the reader has,
    and makes a waiting request a membership if the community has become
    open meanwhile. A community that is not open yet is refused under
    ``status``.

    :param id: the community's id or name
    :type id: string

    :returns: the membership: ``{"id", "community_id", "user",
        "user_display_name", "role", "state" (active or pending), "created",
        "modified"}``
    :rtype: dictionary
    """
    row = core.seen_row(context, data_dict["id"])
    toolkit.check_access("crowdsource_community_join", context, {"id": row.id})
    _open(row)
    me = current_user_id(context)
    state = "active" if row.join_policy == "open" else "pending"
    found, inserted = core.add_member(row.id, me, "member", state)
    if inserted:
        core.record(row.id, me, "join" if state == "active" else "request", me)
        signal = events.community_joined if state == "active" else events.community_join_requested
        signal.send(row.id, community_id=row.id, user_id=me, member_id=me, role="member",
                    state=state)
    elif found.state == "pending" and state == "active":
        found = core.set_member(row.id, me, state="active")
        core.record(row.id, me, "join", me)
        events.community_joined.send(row.id, community_id=row.id, user_id=me, member_id=me,
                                     role=found.role, state="active")
    return core.returned_member(found, row.id)


@writes(schema.id_schema)
def crowdsource_community_leave(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Leave a community, or withdraw a request to join (any logged-in
    reader). A reader who is not in it is left as they are (not an error).
    The last owner cannot leave: they make another member an owner first
    (refused under ``last_owner``).

    :param id: the community's id or name
    :type id: string

    :returns: the membership as it is now: ``state`` ``none``
    :rtype: dictionary
    """
    row = core.seen_row(context, data_dict["id"], lock=True)
    toolkit.check_access("crowdsource_community_leave", context, {"id": row.id})
    me = current_user_id(context)
    found = core.membership(row.id, me)
    if found is not None:
        core.keep_an_owner(row.id, me)
        core.drop_member(row.id, me)
        core.record(row.id, me, "leave" if found.state == "active" else "withdraw", me)
        events.community_left.send(row.id, community_id=row.id, user_id=me, member_id=me,
                                   role=found.role, state=found.state)
    return _gone(row.id, me)


@reads(schema.member_list_schema)
def crowdsource_community_member_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A community's members (everyone who can see the community), owners
    first, then moderators, then members, each in the order they joined; or
    the readers waiting to join (``state`` ``pending``: its moderators and
    owners, and the library's staff).

    :param id: the community's id or name
    :type id: string
    :param state: ``active`` (default) or ``pending``
    :type state: string
    :param role: only ``member``, ``moderator`` or ``owner`` (optional)
    :type role: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count": total, "results": [memberships, as
        crowdsource_community_join returns them]}``
    :rtype: dictionary
    """
    row = core.seen_row(context, data_dict["id"])
    state = data_dict.get("state", "active")
    toolkit.check_access("crowdsource_community_member_list", context,
                         {"id": row.id, "state": state})
    limit, offset = page_bounds(data_dict)
    where = [member.c.community_id == row.id, member.c.state == state,
             model.User.state != "deleted"]
    if data_dict.get("role"):
        where.append(member.c.role == data_dict["role"])
    joined = member.join(model.User, model.User.id == member.c.user_id)
    rank = sa.case((member.c.role == "owner", 0), (member.c.role == "moderator", 1), else_=2)
    rows = model.Session.execute(
        sa.select(member).select_from(joined).where(*where)
        .order_by(rank, member.c.created, member.c.id).limit(limit).offset(offset)).all()
    total = model.Session.execute(
        sa.select(sa.func.count()).select_from(joined).where(*where)).scalar_one()
    names = people({r.user_id for r in rows})
    return listed(total, [core.member_dict(r, names) for r in rows])


@writes(schema.set_role_schema)
def crowdsource_community_member_set_role(context: Context, data_dict: DataDict
                                          ) -> dict[str, Any]:
    """Make a member a ``member``, ``moderator`` or ``owner``, or remove them
    (``none``): the community's owners and the library's staff. The change
    is in force at once (a moderator set back to member decides nothing
    more). The last owner keeps the role until there is another (refused
    under ``last_owner``); someone who is not a member is refused under
    ``user_id``.

    :param id: the community's id or name
    :type id: string
    :param user_id: the member (id or name)
    :type user_id: string
    :param role: ``member``, ``moderator``, ``owner`` or ``none`` (removes them)
    :type role: string

    :returns: the membership as it is now (``state`` ``none`` once removed)
    :rtype: dictionary
    """
    row = core.seen_row(context, data_dict["id"], lock=True)
    toolkit.check_access("crowdsource_community_member_set_role", context, {"id": row.id})
    _open(row)
    user = core.user_or_error(data_dict["user_id"], "user_id")
    found = core.membership(row.id, user.id)
    if found is None or found.state != "active":
        raise toolkit.ValidationError({"user_id": [toolkit._(
            "This reader asks to join: decide on the request first") if found is not None
            else toolkit._("This reader is not a member of the community")]})
    role, me = data_dict["role"], current_user_id(context)
    if role == found.role:
        return core.returned_member(found, row.id)
    if found.role == "owner":
        core.keep_an_owner(row.id, user.id)
    if role == schema.REMOVED:
        core.drop_member(row.id, user.id)
        core.record(row.id, user.id, "remove", me)
        events.community_member_removed.send(row.id, community_id=row.id, user_id=me,
                                             member_id=user.id, role=found.role,
                                             state="none")
        return _gone(row.id, user.id)
    changed = core.set_member(row.id, user.id, role=role)
    core.record(row.id, user.id, f"role_{role}", me, found.role)
    events.community_role_changed.send(row.id, community_id=row.id, user_id=me,
                                       member_id=user.id, role=role, state="active",
                                       previous_role=found.role)
    return core.returned_member(changed, row.id)


@writes(schema.request_review_schema)
def crowdsource_community_member_request_review(context: Context, data_dict: DataDict
                                                ) -> dict[str, Any]:
    """Approve or decline a reader's request to join: the community's
    moderators and owners, and the library's staff. A declined reader may
    ask again. A request decided already is refused under ``state``.

    :param id: the community's id or name
    :type id: string
    :param user_id: the reader who asked (id or name)
    :type user_id: string
    :param decision: ``approve`` or ``decline``
    :type decision: string
    :param note: why (optional; in the audit log)
    :type note: string

    :returns: the membership as it is now (``state`` ``active``, or ``none``
        once declined)
    :rtype: dictionary
    """
    row = core.seen_row(context, data_dict["id"], lock=True)
    toolkit.check_access("crowdsource_community_member_request_review", context,
                         {"id": row.id})
    user = core.user_or_error(data_dict["user_id"], "user_id")
    found = core.membership(row.id, user.id)
    if found is None:
        raise toolkit.ValidationError({"user_id": [toolkit._(
            "This reader has not asked to join")]})
    if found.state != "pending":
        raise core.refuse(core.STATE, toolkit._("This reader is a member already"))
    me, note = current_user_id(context), data_dict.get("note", "")
    decision = data_dict["decision"]
    core.record(row.id, user.id, decision, me, note)
    if decision == "approve":
        done = core.set_member(row.id, user.id, state="active")
        events.community_request_approved.send(row.id, community_id=row.id, user_id=me,
                                               member_id=user.id, role=done.role,
                                               state="active")
        return core.returned_member(done, row.id)
    core.drop_member(row.id, user.id)
    events.community_request_declined.send(row.id, community_id=row.id, user_id=me,
                                           member_id=user.id, role=found.role, state="none")
    return _gone(row.id, user.id)


def get_actions() -> dict[str, Any]:
    return {
        "crowdsource_community_join": crowdsource_community_join,
        "crowdsource_community_leave": crowdsource_community_leave,
        "crowdsource_community_member_list": crowdsource_community_member_list,
        "crowdsource_community_member_set_role": crowdsource_community_member_set_role,
        "crowdsource_community_member_request_review":
            crowdsource_community_member_request_review,
    }
