"""Actions on the points ledger: a reader's points and their totals,
leaderboards, recognition settings, and points given by hand."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict
from sqlalchemy.dialects.postgresql import insert

from ckanext.crowdsource.common.action import reads, writes
from ckanext.crowdsource.common.pagination import listed, page_bounds
from ckanext.crowdsource.common.roles import current_user_id, people, reader_or_404
from ckanext.crowdsource.moderation import core as moderation

from . import core, schema
from .model import EVERY, points, settings, totals


@reads(schema.points_list_schema)
def crowdsource_points_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A reader's points, newest first, each row saying why: what they
    earned and what was taken back (a negative row naming the same reason
    and item). Rows about datasets the caller may not see are left out
    (``crowdsource_points_summary`` adds them up).

    :param user_id: the reader (id or name; optional: the caller)
    :type user_id: string
    :param reason: only this reason (``claim_accepted``, ``answer_accepted``,
        ``answer_verified``, ``post_upvoted``, ``tag_promoted``,
        ``request_fulfilled``, ``feedback_resolved`` or ``grant``) (optional)
    :type reason: string
    :param community_id: only points earned in this community (optional)
    :type community_id: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count", "results": [{"id", "points", "reason", "item_type",
        "item_id", "package_id", "community_id", "note", "created"}]}``
    :rtype: dictionary
    """
    user = reader_or_404(context, data_dict.get("user_id"))
    toolkit.check_access("crowdsource_points_list", context, {"user_id": user.id})
    limit, offset = page_bounds(data_dict)
    p = points.c
    where = [p.user_id == user.id, core.seen_rows(context)]
    if data_dict.get("reason"):
        where.append(p.reason == data_dict["reason"])
    community_id = core.community_id(data_dict.get("community_id"))
    if community_id:
        where.append(p.community_id == community_id)
    count = model.Session.execute(sa.select(sa.func.count()).where(*where)).scalar_one()
    rows = model.Session.execute(sa.select(points).where(*where)
                                 .order_by(p.created.desc(), p.id).limit(limit)
                                 .offset(offset)).all()
    return listed(count, [core.row_dict(r) for r in rows])


@reads(schema.user_schema)
def crowdsource_points_summary(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A reader's points in total, per reason and per community, of the rows
    the caller may see.

    :param user_id: the reader (id or name; optional: the caller)
    :type user_id: string

    :returns: ``{"user", "display_name", "total", "by_reason": {reason:
        points}, "by_community": {community id: points}}``
    :rtype: dictionary
    """
    user = reader_or_404(context, data_dict.get("user_id"))
    toolkit.check_access("crowdsource_points_summary", context, {"user_id": user.id})
    p = points.c
    where = [p.user_id == user.id, core.seen_rows(context)]
    by_reason = dict(model.Session.execute(
        sa.select(p.reason, sa.func.sum(p.points)).where(*where).group_by(p.reason)).all())
    by_community = dict(model.Session.execute(
        sa.select(p.community_id, sa.func.sum(p.points))
        .where(*where, p.community_id.isnot(None)).group_by(p.community_id)).all())
    return {"user": user.name, "display_name": user.display_name,
            "total": sum(by_reason.values()), "by_reason": by_reason,
            "by_community": by_community}


@reads(schema.leaderboard_schema)
def crowdsource_leaderboard(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Readers by their points, most first: all time, the last 30 days or
    this year; site-wide or in one community; for every reason or one.
    Only points earned outside datasets or on public datasets count, the
    same for every viewer; readers who opted out are never listed.

    :param period: ``all`` (default), ``30d`` (today and the 29 days
        before) or ``year`` (since 1 January), days counted in UTC
    :type period: string
    :param community_id: one community (optional)
    :type community_id: string
    :param reason: one reason, as for ``crowdsource_points_list`` (optional)
    :type reason: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count", "results": [{"rank", "user", "display_name",
        "points"}]}`` (readers with the same points share a rank)
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_leaderboard", context, data_dict)
    limit, offset = page_bounds(data_dict)
    u = model.User
    period = data_dict.get("period", "all")
    if period != "all" and core.windows_behind():
        core.advance_windows()
    k = totals.c
    key = [k.period == period,
           k.community_key == (core.community_id(data_dict.get("community_id")) or EVERY),
           k.reason_key == (data_dict.get("reason") or EVERY), k.points > 0]
    # readers never listed: opted out, or no longer active (few)
    unlisted = sa.union(
        sa.select(settings.c.user_id).where(settings.c.leaderboards.is_(False)),
        sa.select(u.id).where(u.state != "active"))
    rows = model.Session.execute(
        sa.select(k.user_id, k.points, sa.func.rank().over(order_by=k.points.desc()).label(
            "rank")).where(*key, k.user_id.notin_(unlisted))  # in the order of the index
        .order_by(k.points.desc(), k.user_id).limit(limit).offset(offset)).all()

    def counted(*also: Any) -> int:
        return model.Session.execute(
            sa.select(sa.func.count()).select_from(totals).where(*key, *also)).scalar_one()
    # the readers with points, less the unlisted among them: each count
    # reads one side of the index only
    count = counted() - counted(k.user_id.in_(unlisted))
    names = people({r.user_id for r in rows})
    return listed(count, [{"rank": r.rank, "user": names.get(r.user_id, {}).get("name"),
                           "display_name": names.get(r.user_id, {}).get("display_name"),
                           "points": r.points} for r in rows])


@reads(schema.user_schema)
def crowdsource_recognition_settings_show(context: Context, data_dict: DataDict
                                          ) -> dict[str, Any]:
    """A reader's recognition settings (their own; sysadmins anyone's).

    :param user_id: the reader (id or name; optional: the caller)
    :type user_id: string

    :returns: ``{"user", "leaderboards" (listed on leaderboards),
        "public_profile" (others see their points)}``
    :rtype: dictionary
    """
    user = reader_or_404(context, data_dict.get("user_id"))
    toolkit.check_access("crowdsource_recognition_settings_show", context,
                         {"user_id": user.id})
    return {"user": user.name, **core.settings_of(user.id)}


@writes(schema.settings_update_schema)
def crowdsource_recognition_settings_update(context: Context, data_dict: DataDict
                                            ) -> dict[str, Any]:
    """Opt out of (or back into) leaderboards and the public view of one's
    points. Opted-out readers keep their points.

    :param user_id: the reader (id or name; optional: the caller;
        sysadmins may name anyone)
    :type user_id: string
    :param leaderboards: listed on leaderboards (optional)
    :type leaderboards: bool
    :param public_profile: others see their points (optional)
    :type public_profile: bool

    :returns: the settings, as ``crowdsource_recognition_settings_show`` gives them
    :rtype: dictionary
    """
    user = reader_or_404(context, data_dict.get("user_id"))
    toolkit.check_access("crowdsource_recognition_settings_update", context,
                         {"user_id": user.id})
    values = {**core.settings_of(user.id),
              **{k: data_dict[k] for k in ("leaderboards", "public_profile") if k in data_dict}}
    model.Session.execute(insert(settings).values(user_id=user.id, **values).on_conflict_do_update(
        index_elements=[settings.c.user_id], set_={**values, "modified": sa.func.now()}))
    return {"user": user.name, **values}


@writes(schema.grant_schema)
def crowdsource_points_grant(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Give a reader points by hand, or take some (negative ``points``),
    with the reason in ``note``; written in the moderation audit log.

    :param user_id: the reader (id or name)
    :type user_id: string
    :param points: how many, -1000 to 1000, not 0
    :type points: int
    :param note: why, for the reader and the audit log
    :type note: string

    :returns: the ledger row: ``{"id", "points", "reason" ("grant"),
        "item_type", "item_id", "package_id", "community_id", "note", "created"}``
    :rtype: dictionary
    """
    user = reader_or_404(context, data_dict.get("user_id"))
    toolkit.check_access("crowdsource_points_grant", context, {"user_id": user.id})
    me = current_user_id(context)
    row = core.grant(user.id, data_dict["points"], me, data_dict["note"])
    moderation.record(core.LOG_GRANT, row["id"], "grant" if data_dict["points"] > 0
                      else "take", me, data_dict["note"])
    shown = model.Session.execute(sa.select(points).where(points.c.id == row["id"])).one()
    return core.row_dict(shown)


@reads(schema.recent_schema)
def crowdsource_points_recent(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What readers were recognised for lately, site-wide or in one
    community, newest first: points earned (not taken back, not given by
    hand) outside datasets or on public datasets, by readers whose points
    are public.

    :param community_id: one community (optional)
    :type community_id: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count", "results": [{"user", "display_name", "points",
        "reason", "item_type", "item_id", "package_id", "package_name",
        "package_title", "community_id", "created"}]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_points_recent", context, data_dict)
    limit, offset = page_bounds(data_dict)
    p, u, pkg = points.c, model.User, model.Package
    where = [core.public_rows(), p.points > 0, p.reason != core.GRANT,
             p.user_id.notin_(core.opted_out("public_profile")),
             p.user_id.in_(sa.select(u.id).where(u.state == "active"))]
    community_id = core.community_id(data_dict.get("community_id"))
    if community_id:
        where.append(p.community_id == community_id)
    count = model.Session.execute(sa.select(sa.func.count()).select_from(points)
                                  .where(*where)).scalar_one()
    rows = model.Session.execute(
        sa.select(points, pkg.name.label("package_name"), pkg.title.label("package_title"))
        .outerjoin(pkg, pkg.id == p.package_id).where(*where)
        .order_by(p.created.desc(), p.id).limit(limit).offset(offset)).all()
    names = people({r.user_id for r in rows})
    return listed(count, [{
        **{k: v for k, v in core.row_dict(r).items() if k not in ("id", "note")},
        "user": names.get(r.user_id, {}).get("name"),
        "display_name": names.get(r.user_id, {}).get("display_name"),
        "package_name": r.package_name, "package_title": r.package_title,
    } for r in rows])


def get_actions() -> dict[str, Any]:
    return {
        "crowdsource_points_list": crowdsource_points_list,
        "crowdsource_points_summary": crowdsource_points_summary,
        "crowdsource_leaderboard": crowdsource_leaderboard,
        "crowdsource_recognition_settings_show": crowdsource_recognition_settings_show,
        "crowdsource_recognition_settings_update": crowdsource_recognition_settings_update,
        "crowdsource_points_grant": crowdsource_points_grant,
        "crowdsource_points_recent": crowdsource_points_recent,
    }
