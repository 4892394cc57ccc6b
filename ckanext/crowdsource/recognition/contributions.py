"""Actions on badges and on each reader's contribution stream."""
from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict

from ckanext.crowdsource.common import communities
from ckanext.crowdsource.common.action import reads
from ckanext.crowdsource.common.pagination import listed, page_bounds
from ckanext.crowdsource.common.roles import current_user, people, reader_or_404, visible_datasets

from . import badges, core, schema, stream
from .badges import badge
from .stream import contribution


def encode_cursor(created: datetime, row_id: str) -> str:
    raw = json.dumps([created.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[datetime, str]:
    """The (time, id) a cursor stands for; ValueError when it is none."""
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    created, row_id = json.loads(raw)
    if not isinstance(row_id, str):
        raise ValueError(value)
    when = datetime.fromisoformat(created)
    if when.tzinfo is None:
        raise ValueError(value)
    return when, row_id


def _badge_dict(row: Any, names: dict[str, dict[str, str]],
                groups: dict[str, dict[str, str]]) -> dict[str, Any]:
    group = groups.get(row.community_id or "") or {}
    person = names.get(row.user_id, {})
    return {"badge": row.badge, "label": badges.label(row.badge),
            "description": badges.description(row.badge),
            "user": person.get("name"), "display_name": person.get("display_name"),
            "community_id": row.community_id or None, "community_name": group.get("name"),
            "community_title": group.get("title"),
            "created": row.created.isoformat() if row.created else None}


@reads(schema.badge_list_schema)
def crowdsource_badge_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A reader's badges, oldest first; or, given ``badge`` (and no
    ``user_id``), every reader who holds that badge, newest first. Readers
    who keep their profile private are listed to nobody but themselves
    and sysadmins.

    :param user_id: the reader (id or name; optional: the caller, unless
        ``badge`` is given)
    :type user_id: string
    :param badge: only this badge: ``first_tag``, ``first_accepted_answer``,
        ``tasks_accepted``, ``community_expert`` or ``helpful_reviewer``
        (optional)
    :type badge: string
    :param community_id: only badges for this community (id or name; optional)
    :type community_id: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count", "results": [{"badge", "label", "description",
        "user", "display_name", "community_id", "community_name",
        "community_title", "created"}]}``
    :rtype: dictionary
    """
    b = badge.c
    where: list[Any] = []
    holders = bool(data_dict.get("badge")) and not data_dict.get("user_id")
    if holders:
        toolkit.check_access("crowdsource_badge_list", context, {})
        me = current_user(context)
        if not (me and me.sysadmin):
            hidden = core.opted_out("public_profile")
            where.append(b.user_id.notin_(hidden) if me is None
                         else sa.or_(b.user_id == me.id, b.user_id.notin_(hidden)))
        where.append(b.user_id.in_(sa.select(model.User.id).where(
            model.User.state == "active")))
        order = [b.created.desc(), b.id]
    else:
        user = reader_or_404(context, data_dict.get("user_id"))
        toolkit.check_access("crowdsource_badge_list", context, {"user_id": user.id})
        where.append(b.user_id == user.id)
        order = [b.created, b.id]
    if data_dict.get("badge"):
        where.append(b.badge == data_dict["badge"])
    community_id = core.community_id(data_dict.get("community_id"))
    if community_id:
        where.append(b.community_id == community_id)
    limit, offset = page_bounds(data_dict)
    count = model.Session.execute(sa.select(sa.func.count()).select_from(badge)
                                  .where(*where)).scalar_one()
    rows = model.Session.execute(sa.select(badge).where(*where).order_by(*order)
                                 .limit(limit).offset(offset)).all()
    names = people({r.user_id for r in rows})
    groups = communities.names({r.community_id for r in rows})
    return listed(count, [_badge_dict(r, names, groups) for r in rows])


def _seen(context: Context, user: model.User) -> list[Any]:
    """The condition of the reader's contribution rows the caller may see."""
    c = contribution.c
    me = current_user(context)
    where: list[Any] = [
        c.user_id == user.id, c.state == "shown",
        sa.or_(c.package_id.is_(None), c.package_id.in_(visible_datasets(context)))]
    if not (me and (me.sysadmin or me.id == user.id)):
        where.append(c.kind.notin_(stream.PRIVATE_KINDS))
    return where


@reads(schema.contribution_list_schema)
def crowdsource_contribution_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A reader's contributions across kinds, newest first: tags, comments,
    questions, answers, accepted answers, tasks done, feedback, requests and
    (for staff) task results reviewed. Only what the caller may see:
    nothing about a dataset they may not ``package_show``, nothing hidden by
    the library, and feedback other than requests only to the reader
    themselves (and sysadmins). Pages with a cursor: pass the
    ``next_cursor`` of one page to get the next.

    :param user_id: the reader (id or name; optional: the caller)
    :type user_id: string
    :param kind: only this kind: ``tag``, ``comment``, ``question``,
        ``answer``, ``accepted_answer``, ``task``, ``feedback``, ``request``
        or ``review`` (optional)
    :type kind: string
    :param cursor: where the page starts: the ``next_cursor`` of the page
        before (optional: the newest)
    :type cursor: string
    :param limit: page size (optional)
    :type limit: int

    :returns: ``{"count", "results": [{"id", "kind", "item_id",
        "parent_id", "package_id", "package_name", "package_title",
        "community_id", "title", "created"}], "next_cursor"}`` (``count``
        counts every contribution the caller may see, across pages;
        ``next_cursor`` is null on the last page)
    :rtype: dictionary
    """
    user = reader_or_404(context, data_dict.get("user_id"))
    toolkit.check_access("crowdsource_contribution_list", context, {"user_id": user.id})
    c, pkg = contribution.c, model.Package
    where = _seen(context, user)
    if data_dict.get("kind"):
        where.append(c.kind == data_dict["kind"])
    count = model.Session.execute(sa.select(sa.func.count()).select_from(contribution)
                                  .where(*where)).scalar_one()
    if data_dict.get("cursor"):
        created, row_id = decode_cursor(data_dict["cursor"])
        where.append(sa.tuple_(c.created, c.id) < sa.tuple_(
            sa.literal(created, sa.DateTime(timezone=True)), sa.literal(row_id)))
    limit, _offset = page_bounds(data_dict)
    rows = model.Session.execute(
        sa.select(contribution, pkg.name.label("package_name"),
                  pkg.title.label("package_title"))
        .outerjoin(pkg, pkg.id == c.package_id).where(*where)
        .order_by(c.created.desc(), c.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return listed(count, [{
        "id": r.id, "kind": r.kind, "item_id": r.item_id, "parent_id": r.parent_id,
        "package_id": r.package_id, "package_name": r.package_name,
        "package_title": r.package_title, "community_id": r.community_id,
        "title": r.title, "created": r.created.isoformat()} for r in rows],
        next_cursor=encode_cursor(rows[-1].created, rows[-1].id) if more and rows else None)


@reads(schema.user_schema)
def crowdsource_contribution_summary(context: Context, data_dict: DataDict
                                     ) -> dict[str, Any]:
    """How many contributions of each kind a reader made, of those the
    caller may see (as ``crowdsource_contribution_list`` lists them).

    :param user_id: the reader (id or name; optional: the caller)
    :type user_id: string

    :returns: ``{"user", "display_name", "total", "by_kind": {kind:
        count}}`` (kinds with none are left out)
    :rtype: dictionary
    """
    user = reader_or_404(context, data_dict.get("user_id"))
    toolkit.check_access("crowdsource_contribution_summary", context, {"user_id": user.id})
    c = contribution.c
    found = dict(model.Session.execute(
        sa.select(c.kind, sa.func.count()).where(*_seen(context, user))
        .group_by(c.kind)).all())
    by_kind = {k: found[k] for k in stream.KINDS if found.get(k)}
    return {"user": user.name, "display_name": user.display_name,
            "total": sum(by_kind.values()), "by_kind": by_kind}


def get_actions() -> dict[str, Any]:
    return {"crowdsource_badge_list": crowdsource_badge_list,
            "crowdsource_contribution_list": crowdsource_contribution_list,
            "crowdsource_contribution_summary": crowdsource_contribution_summary}
