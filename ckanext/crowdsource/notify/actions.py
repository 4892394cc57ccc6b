"""Actions on a reader's own notifications and notification settings."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict
from sqlalchemy.dialects.postgresql import insert

from ckanext.crowdsource.common.action import reads, writes
from ckanext.crowdsource.common.pagination import listed, page_bounds
from ckanext.crowdsource.common.roles import logged_in_user, people, reader_or_404

from . import core, mail, schema
from .model import notification, settings

COUNT_MAX = 99  # the bell shows "99+" beyond: the count stops there


def _row_dict(row: Any, names: dict[str, dict[str, str]]) -> dict[str, Any]:
    actor = names.get(row.actor_id or "")
    return {
        "id": row.id, "kind": row.kind, "actor": actor, "item_type": row.item_type,
        "item_id": row.item_id, "package_id": row.package_id,
        "package_name": row.package_name, "package_title": row.package_title,
        "community_id": row.community_id, "title": row.title, "link": row.link,
        "data": row.data or {}, "read": row.read_at is not None,
        "created": row.created.isoformat(),
    }


@reads(schema.list_schema)
def crowdsource_notification_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The caller's own notifications, newest first. Those about a dataset
    the caller can no longer see (turned private, deleted) or an item since
    hidden are left out, as long as that lasts.

    :param unread: only unread ones (optional)
    :type unread: bool
    :param kind: only this rule, e.g. ``reply``, ``answer``,
        ``claim_accepted`` (``crowdsource_notify_settings_show`` lists them)
        (optional)
    :type kind: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count", "results": [{"id", "kind", "actor": {"name",
        "display_name"} or null, "item_type", "item_id", "package_id",
        "package_name", "package_title", "community_id", "title", "link"
        (a path below the site's root), "data", "read", "created"}]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_notification_list", context, data_dict)
    user = logged_in_user(context)
    limit, offset = page_bounds(data_dict)
    n = notification.c
    where = [n.user_id == user.id, core.visible(context)]
    if data_dict.get("unread"):
        where.append(n.read_at.is_(None))
    if data_dict.get("kind"):
        where.append(n.kind == data_dict["kind"])
    count = model.Session.execute(
        sa.select(sa.func.count()).select_from(notification).where(*where)).scalar_one()
    pkg = model.Package
    rows = model.Session.execute(
        sa.select(notification, pkg.name.label("package_name"),
                  pkg.title.label("package_title"))
        .outerjoin(pkg, pkg.id == n.package_id).where(*where)
        .order_by(n.created.desc(), n.id).limit(limit).offset(offset)).all()
    names = people({r.actor_id for r in rows})
    return listed(count, [_row_dict(r, names) for r in rows])


def unread_count(context: Context) -> int:
    """The caller's unread notifications they may still see, counted up to
    :data:`COUNT_MAX` + 1: one query on the unread index."""
    user = logged_in_user(context)
    n = notification.c
    inner = (sa.select(sa.literal(1)).select_from(notification)
             .where(n.user_id == user.id, n.read_at.is_(None), core.visible(context))
             .limit(COUNT_MAX + 1).subquery())
    return model.Session.execute(sa.select(sa.func.count()).select_from(inner)).scalar_one()


@reads(schema.count_schema)
def crowdsource_notification_count(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """How many unread notifications the caller has (those they may still
    see), counted up to 100: ``more`` says there are 100 or more.

    :returns: ``{"count", "more"}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_notification_count", context, data_dict)
    count = unread_count(context)
    return {"count": min(count, COUNT_MAX), "more": count > COUNT_MAX}


@writes(schema.mark_read_schema, limited=False)
def crowdsource_notification_mark_read(context: Context, data_dict: DataDict
                                       ) -> dict[str, Any]:
    """Mark some of one's notifications read (``ids``) or all of them
    (``all``); with ``read`` false, unread again. An id that is not one of
    the caller's notifications they may see is ``ObjectNotFound`` (the same
    whether it exists or not), and nothing is marked.

    :param ids: the notifications' ids (a list, at most 100) (optional)
    :type ids: list of strings
    :param all: every notification of the caller (optional)
    :type all: bool
    :param read: true (default) to mark read, false to mark unread
    :type read: bool

    :returns: ``{"marked": how many changed, "unread": the caller's unread
        count now, as ``crowdsource_notification_count`` gives it}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_notification_mark_read", context, data_dict)
    user = logged_in_user(context)
    if not data_dict.get("ids") and not data_dict.get("all"):
        raise toolkit.ValidationError({"ids": [toolkit._("Name the notifications, or all")]})
    n = notification.c
    read = data_dict.get("read", True)
    where = [n.user_id == user.id, core.visible(context)]
    if not data_dict.get("all"):
        ids = data_dict["ids"]
        where.append(n.id.in_(ids))
        mine = model.Session.execute(
            sa.select(sa.func.count()).select_from(notification).where(*where)).scalar_one()
        if mine != len(ids):
            raise toolkit.ObjectNotFound(toolkit._("Notification not found"))
    where.append(n.read_at.is_(None) if read else n.read_at.is_not(None))
    marked = model.Session.execute(sa.update(notification).where(*where).values(
        read_at=sa.func.now() if read else None)).rowcount
    return {"marked": marked, "unread": min(unread_count(context), COUNT_MAX)}


def _settings(user: model.User) -> dict[str, Any]:
    found = core.settings_of(user.id)
    return {"user": user.name, **found,
            "labels": {k: core.rule_label(k) for k in core.KINDS},
            "staff_rules": list(core.STAFF_RULES)}


@reads(schema.settings_show_schema)
def crowdsource_notify_settings_show(context: Context, data_dict: DataDict
                                     ) -> dict[str, Any]:
    """A reader's notification settings (their own; sysadmins anyone's):
    each rule on or off (all on unless the reader turned them off) and how
    often e-mail goes out.

    :param user_id: the reader (id or name; optional: the caller)
    :type user_id: string

    :returns: ``{"user", "rules": {rule: true|false}, "email"
        ("immediately", "daily", "weekly" or "never"), "labels": {rule:
        its name in the caller's language}, "staff_rules": the rules only
        staff receive}``
    :rtype: dictionary
    """
    user = reader_or_404(context, data_dict.get("user_id"))
    toolkit.check_access("crowdsource_notify_settings_show", context, {"user_id": user.id})
    return _settings(user)


@writes(schema.settings_update_schema)
def crowdsource_notify_settings_update(context: Context, data_dict: DataDict
                                       ) -> dict[str, Any]:
    """Turn notification rules on or off, and choose how often e-mail goes
    out. Rules not named keep their setting.

    :param user_id: the reader (id or name; optional: the caller;
        sysadmins may name anyone)
    :type user_id: string
    :param rules: ``{rule: true|false}`` (optional)
    :type rules: dictionary
    :param email: ``immediately``, ``daily``, ``weekly`` or ``never`` (optional)
    :type email: string
    :param locale: the language of the reader's e-mail, one of
        ``ckan.locales_offered`` (optional; the settings page sends the
        page's language)
    :type locale: string

    :returns: the settings, as ``crowdsource_notify_settings_show`` gives them
    :rtype: dictionary
    """
    user = reader_or_404(context, data_dict.get("user_id"))
    toolkit.check_access("crowdsource_notify_settings_update", context, {"user_id": user.id})
    now = core.settings_of(user.id)
    rules = {**now["rules"], **data_dict.get("rules", {})}
    values = {"disabled": sorted(k for k, on in rules.items() if not on),
              "email": data_dict.get("email", now["email"])}
    if data_dict.get("locale"):
        values["locale"] = data_dict["locale"]
    model.Session.execute(insert(settings).values(user_id=user.id, **values).on_conflict_do_update(
        index_elements=[settings.c.user_id], set_={**values, "modified": sa.func.now()}))
    return _settings(user)


@writes(schema.unsubscribe_schema, limited=False)
def crowdsource_notify_unsubscribe(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Stop a reader's e-mail (``email`` becomes ``never``), by the signed
    token of the unsubscribe link in each mail: no log-in needed. A token
    that is not valid is ``ObjectNotFound``.

    :param token: the token of the link
    :type token: string

    :returns: ``{"user", "email": "never"}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_notify_unsubscribe", context, data_dict)
    user_id = mail.unsubscribe_user(data_dict["token"])
    user = model.User.get(user_id) if user_id else None
    if user is None:
        raise toolkit.ObjectNotFound(toolkit._("This link to stop e-mail is not valid"))
    mail.unsubscribe(user.id)
    return {"user": user.name, "email": "never"}


def get_actions() -> dict[str, Any]:
    return {f.__name__: f for f in (
        crowdsource_notification_list, crowdsource_notification_count,
        crowdsource_notification_mark_read, crowdsource_notify_settings_show,
        crowdsource_notify_settings_update, crowdsource_notify_unsubscribe)}
