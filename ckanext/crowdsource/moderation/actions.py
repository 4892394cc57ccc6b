"""Actions of the moderation core: flags, the queue and the log."""
from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict

from ckanext.crowdsource import events
from ckanext.crowdsource.common import config
from ckanext.crowdsource.common.action import reads, writes
from ckanext.crowdsource.common.pagination import listed, page_bounds
from ckanext.crowdsource.common.roles import current_user_id, staff_org_ids

from . import core, schema
from .model import flag, moderation_log


@writes(schema.flag_create_schema)
def crowdsource_flag_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Flag a contribution for the library's staff, once per user, with a reason.

    Logged-in users may flag what they can see of others' contributions:
    published ones, and (staff who moderate it) hidden or waiting ones; not
    their own (they can edit, delete or remove it). Seeing the item's dataset
    is not enough: a reply inside a reader's feedback is seen only by that
    reader and the staff who answer it. An item the caller cannot see is
    not found, as if it did not exist.

    When ``ckanext.crowdsource.moderation.flag_threshold`` distinct users have
    open flags on an item, it is hidden pending review. A user who flagged an
    item once cannot flag it again, even after staff decided on the flag.

    :param item_type: the kind of contribution, e.g. ``tag`` or ``post``
    :type item_type: string
    :param item_id: its id (a reader tag on a dataset: ``<dataset id>:<tag>``)
    :type item_id: string
    :param reason: why it should be looked at
    :type reason: string

    :returns: the new flag: ``{"id", "item_type", "item_id", "package_id",
        "user_id", "reason", "state": "open", "created", "item_flags": open
        flags on the item, "item_hidden": whether the item is now hidden}``;
        ``ObjectNotFound`` when there is no such item or the caller cannot
        see it
    :rtype: dictionary
    """
    item = core.seen(context, data_dict["item_type"], data_dict["item_id"])
    toolkit.check_access("crowdsource_flag_create", context, data_dict)
    user_id = current_user_id(context)
    # flags on one item are counted one transaction at a time, so that the
    # item is hidden once when concurrent flags reach the threshold
    model.Session.execute(sa.select(sa.func.pg_advisory_xact_lock(
        sa.func.hashtext(f"crowdsource_flag:{item.item_type}:{item.item_id}"))))
    # a second flag by the same user breaks crowdsource_flag_once
    # (the manifest's constraint_errors: an error on item_id)
    row = model.Session.execute(
        sa.insert(flag).values(
            id=str(uuid.uuid4()), item_type=item.item_type, item_id=item.item_id,
            package_id=item.package_id, owner_org=item.owner_org, user_id=user_id,
            reason=data_dict["reason"],
        ).returning(flag)
    ).one()
    flags = core.open_flags(item)
    events.item_flagged.send(row.id, item_type=item.item_type, item_id=item.item_id,
                             package_id=item.package_id, owner_org=item.owner_org,
                             user_id=user_id, flags=flags)
    if flags >= config.flag_threshold():
        item = core.locate(item.item_type, item.item_id)  # as the last flagger left it
        if not item.hidden and not item.pending:
            reason = toolkit._("Hidden for review after {n} readers flagged it").format(n=flags)
            item = core.decide(item, True, "auto_hide", user_id, reason)
    return {
        "id": row.id, "item_type": row.item_type, "item_id": row.item_id,
        "package_id": row.package_id, "user_id": row.user_id, "reason": row.reason,
        "state": row.state, "created": row.created.isoformat(),
        "item_flags": flags, "item_hidden": item.hidden,
    }


@writes(schema.flag_review_schema)
def crowdsource_flag_review(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Decide on all the open flags of a contribution (staff of its
    organization; sysadmins for contributions about the whole site).

    The action is about the item, named as in ``crowdsource_flag_create``
    (``item_type`` and ``item_id``), not about one flag: every open flag on
    it is decided at once. ``clear``: the flags were unfounded; the item is
    shown again if it was hidden (an item waiting for approval keeps
    waiting). ``uphold``: the flags were right; the item is hidden with the
    reason, which its author sees. The decision goes to the moderation log.

    :param item_type: the kind of contribution, e.g. ``tag``
    :type item_type: string
    :param item_id: its id
    :type item_id: string
    :param decision: ``clear`` or ``uphold``
    :type decision: string
    :param reason: why (optional)
    :type reason: string

    :returns: the item: ``{"item_type", "item_id", "package_id", "label",
        "hidden", "pending", "flags": open flags left (0)}``; a
        ``ValidationError`` on ``flags`` when it has no open flags;
        ``ObjectNotFound`` when there is no such item, or when the caller may
        not decide and cannot see it either
    :rtype: dictionary
    """
    item = core.found(data_dict["item_type"], data_dict["item_id"])
    core.authorize("crowdsource_flag_review", context, data_dict, item)
    decision = data_dict["decision"]
    decided = model.Session.execute(
        sa.update(flag)
        .where(flag.c.item_type == item.item_type, flag.c.item_id == item.item_id,
               flag.c.state == "open")
        .values(state="cleared" if decision == "clear" else "upheld", modified=sa.func.now())
    ).rowcount
    if not decided:
        raise toolkit.ValidationError(
            {"flags": [toolkit._("This item has no open flags")]})
    actor_id, reason = current_user_id(context), data_dict.get("reason", "")
    if decision == "uphold" or item.hidden:
        item = core.decide(item, decision == "uphold", decision, actor_id, reason)
    else:  # nothing to show again: only the decision is logged
        core.record(item.item_type, item.item_id, decision, actor_id, reason,
                    package_id=item.package_id, owner_org=item.owner_org)
    return core.item_dict(item, 0)


DECISION_RULES = {
    # decision: (hidden afterwards, allowed when the item is ...)
    "hide": (True, lambda item: not item.hidden),
    "restore": (False, lambda item: item.hidden),
    "approve": (False, lambda item: item.pending),
}


@writes(schema.moderation_decide_schema)
def crowdsource_moderation_decide(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Hide, restore or approve a contribution of any item type (staff of its
    organization; sysadmins for contributions about the whole site). The
    decision is written to the moderation log; the author of a hidden item
    sees the reason. Open flags on the item stay open (``crowdsource_flag_review``
    decides them).

    :param item_type: the kind of contribution, e.g. ``post``
    :type item_type: string
    :param item_id: its id
    :type item_id: string
    :param decision: ``hide``, ``restore`` (show a hidden item again) or
        ``approve`` (publish an item held for approval)
    :type decision: string
    :param reason: why (optional)
    :type reason: string

    :returns: the item: ``{"item_type", "item_id", "package_id", "label",
        "hidden", "pending", "flags": its open flags}``; a ``ValidationError``
        on ``state`` when the item is not in a state the decision applies to
        (hiding a hidden item, restoring a shown one, approving one that is
        not waiting); ``ObjectNotFound`` when there is no such item, or when
        the caller may not decide and cannot see it either
    :rtype: dictionary
    """
    item = core.found(data_dict["item_type"], data_dict["item_id"])
    core.authorize("crowdsource_moderation_decide", context, data_dict, item)
    decision = data_dict["decision"]
    hidden, allowed = DECISION_RULES[decision]
    if not allowed(item):
        raise toolkit.ValidationError({"state": [{
            "hide": toolkit._("This is hidden already"),
            "restore": toolkit._("This is not hidden"),
            "approve": toolkit._("This is not waiting for approval"),
        }[decision]]})
    item = core.decide(item, hidden, decision, current_user_id(context),
                       data_dict.get("reason", ""))
    return core.item_dict(item, core.open_flags(item))


def _queue(orgs: list[str] | None, data_dict: DataDict) -> sa.Subquery:
    """Every item with open flags or hidden, one row each, of the given orgs."""
    open_flags = (
        sa.select(flag.c.item_type, flag.c.item_id, flag.c.package_id, flag.c.owner_org,
                  sa.func.count().label("flags"), sa.null().label("status"),
                  sa.null().label("reason"), sa.func.max(flag.c.created).label("at"))
        .where(flag.c.state == "open")
        .group_by(flag.c.item_type, flag.c.item_id, flag.c.package_id, flag.c.owner_org)
    )
    parts = [open_flags]
    for name, kind in core.item_types().items():
        h = kind.hidden_select().subquery()
        parts.append(sa.select(
            sa.literal(name).label("item_type"), h.c.item_id, h.c.package_id, h.c.owner_org,
            sa.literal(0).label("flags"), h.c.status, h.c.reason,
            h.c.modified.label("at")))
    every = sa.union_all(*parts).subquery()
    where = []
    if orgs is not None:
        where.append(every.c.owner_org.in_(orgs))
    if data_dict.get("item_type"):
        where.append(every.c.item_type == data_dict["item_type"])
    having = []
    if data_dict.get("status") == "flagged":
        having.append(sa.func.sum(every.c.flags) > 0)
    elif data_dict.get("status") in ("hidden", "pending"):
        having.append(sa.func.max(every.c.status) == data_dict["status"])
    return (
        sa.select(every.c.item_type, every.c.item_id,
                  sa.func.max(every.c.package_id).label("package_id"),
                  sa.func.sum(every.c.flags).label("flags"),
                  sa.func.max(every.c.status).label("status"),
                  sa.func.max(every.c.reason).label("reason"),
                  sa.func.max(every.c.at).label("at"))
        .where(*where).group_by(every.c.item_type, every.c.item_id)
        .having(*having or [sa.true()])
    ).subquery()


def _title(kind: core.ItemType | None, name: str) -> str:
    """An item type's name for people (its own name when it gives none)."""
    return kind.title() if kind and kind.title else name


@reads(schema.moderation_list_schema)
def crowdsource_moderation_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The moderation queue: contributions with open flags or hidden, of every
    item type, in the organizations the caller moderates (sysadmins: all);
    most recent first.

    :param status: ``flagged`` (open flags), ``hidden``, or ``pending`` (held for
        approval) (optional: all)
    :type status: string
    :param item_type: only this kind of contribution, e.g. ``tag`` (optional)
    :type item_type: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count": total, "results": [{"item_type", "item_type_title",
        "item_id", "label" (the item's text as plain text, cut short), "url",
        "package_id", "package_name", "package_title", "flags",
        "flag_reasons": [{"user", "display_name", "reason"}], "hidden",
        "pending", "reason", "at"}, ...]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_moderation_list", context, data_dict)
    if data_dict.get("item_type"):
        core.item_type(data_dict["item_type"])
    limit, offset = page_bounds(data_dict)
    queue = _queue(staff_org_ids(context), data_dict)
    total = model.Session.execute(sa.select(sa.func.count()).select_from(queue)).scalar()
    rows = model.Session.execute(
        sa.select(queue, model.Package.name.label("package_name"),
                  model.Package.title.label("package_title"))
        .outerjoin(model.Package, model.Package.id == queue.c.package_id)
        .order_by(queue.c.at.desc(), queue.c.item_type, queue.c.item_id)
        .limit(limit).offset(offset)
    ).all()
    reasons: dict[tuple[str, str], list[dict[str, str]]] = {}
    if rows:
        for r in model.Session.execute(
            sa.select(flag.c.item_type, flag.c.item_id, flag.c.reason, model.User.name,
                      model.User.fullname)
            .outerjoin(model.User, model.User.id == flag.c.user_id)
            .where(flag.c.state == "open",
                   sa.tuple_(flag.c.item_type, flag.c.item_id).in_(
                       [(r.item_type, r.item_id) for r in rows]))
            .order_by(flag.c.created)
        ):
            reasons.setdefault((r.item_type, r.item_id), []).append(
                {"user": r.name, "display_name": r.fullname or r.name, "reason": r.reason})
    labels: dict[str, dict[str, str]] = {}
    links: dict[str, dict[str, str]] = {}
    kinds = core.item_types()
    for name in {r.item_type for r in rows}:
        kind = kinds.get(name)  # None: flags of a type no plugin gives any more
        ids = [r.item_id for r in rows if r.item_type == name]
        labels[name] = kind.labels(ids) if kind else {}
        links[name] = kind.links(ids) if kind and kind.links else {}
    return listed(total, [{
        "item_type": r.item_type, "item_id": r.item_id,
        "item_type_title": _title(kinds.get(r.item_type), r.item_type),
        "label": labels[r.item_type].get(r.item_id, r.item_id),
        "url": links[r.item_type].get(r.item_id),
        "package_id": r.package_id, "package_name": r.package_name,
        "package_title": r.package_title, "flags": int(r.flags),
        "flag_reasons": reasons.get((r.item_type, r.item_id), []),
        "hidden": r.status == "hidden", "pending": r.status == "pending",
        "reason": r.reason or "", "at": r.at.isoformat(),
    } for r in rows])


@reads(schema.log_list_schema)
def crowdsource_moderation_log_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Moderation decisions, newest first: of the organizations the caller
    moderates (sysadmins: all, including site-wide decisions).

    :param item_type: only this kind of item, e.g. ``tag`` (optional)
    :type item_type: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count": total, "results": [{"id", "item_type", "item_id", "action",
        "reason", "actor", "package_id", "created"}, ...]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_moderation_log_list", context, data_dict)
    limit, offset = page_bounds(data_dict)
    where = []
    orgs = staff_org_ids(context)
    if orgs is not None:
        where.append(moderation_log.c.owner_org.in_(orgs))
    if data_dict.get("item_type"):
        where.append(moderation_log.c.item_type == data_dict["item_type"])
    total = model.Session.execute(
        sa.select(sa.func.count()).select_from(moderation_log).where(*where)
    ).scalar()
    rows = model.Session.execute(
        sa.select(moderation_log, model.User.name.label("actor"))
        .outerjoin(model.User, model.User.id == moderation_log.c.actor_id)
        .where(*where)
        .order_by(moderation_log.c.created.desc(), moderation_log.c.id)
        .limit(limit).offset(offset)
    ).all()
    return listed(total, [{
        "id": r.id, "item_type": r.item_type, "item_id": r.item_id, "action": r.action,
        "reason": r.reason, "actor": r.actor, "package_id": r.package_id,
        "created": r.created.isoformat(),
    } for r in rows])


def purge_dataset(package_id: str) -> None:
    """Flags on a purged dataset's contributions go with it; the log stays."""
    model.Session.execute(sa.delete(flag).where(flag.c.package_id == package_id))


def get_actions() -> dict[str, Any]:
    return {
        "crowdsource_flag_create": crowdsource_flag_create,
        "crowdsource_flag_review": crowdsource_flag_review,
        "crowdsource_moderation_decide": crowdsource_moderation_decide,
        "crowdsource_moderation_list": crowdsource_moderation_list,
        "crowdsource_moderation_log_list": crowdsource_moderation_log_list,
    }
