"""Actions on what a reader follows: a dataset, a question, a community or
a request, each at a watching level (``all`` activity, only ``direct``
answers and replies, ``muted``). Askers and answerers follow their question,
members their community, and who makes or seconds a request that request,
without asking (``receivers``)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict

from ckanext.crowdsource.common.action import inner_context, reads, writes
from ckanext.crowdsource.common.pagination import listed, page_bounds
from ckanext.crowdsource.common.roles import logged_in_user

from . import core, schema
from .model import follow

# the show action that finds each kind of thing as the caller may see it,
# and what it is called there
_SHOW = {"dataset": "package_show", "question": "crowdsource_thread_show",
         "community": "crowdsource_community_show", "request": "crowdsource_feedback_show"}


def _found(context: Context, object_type: str, ref: str) -> dict[str, Any]:
    """The thing as the caller sees it (``ObjectNotFound`` when they may
    not: nobody learns that a thing they cannot see exists)."""
    data: dict[str, Any] = {"id": ref}
    if object_type == "question":
        data.update(limit=0, replies=0)
    try:
        found = toolkit.get_action(_SHOW[object_type])(inner_context(context), data)
    except (toolkit.NotAuthorized, toolkit.ObjectNotFound, toolkit.ValidationError):
        raise toolkit.ObjectNotFound(toolkit._("Not found")) from None
    if object_type == "question" and found.get("kind") != "question" or \
            object_type == "request" and found.get("kind") != "request":
        raise toolkit.ObjectNotFound(toolkit._("Not found"))
    return found


def _follow_dict(row: Any) -> dict[str, Any]:
    return {"id": row.id, "object_type": row.object_type, "object_id": row.object_id,
            "level": row.level, "created": row.created.isoformat(),
            "modified": row.modified.isoformat()}


def _row(user_id: str, object_type: str, object_id: str) -> Any:
    return model.Session.execute(sa.select(follow).where(
        follow.c.user_id == user_id, follow.c.object_type == object_type,
        follow.c.object_id == object_id)).first()


@writes(schema.follow_schema)
def crowdsource_follow(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Follow a thing one can see, or change the watching level of a
    follow; following again changes nothing.

    :param object_type: ``dataset``, ``question``, ``community`` or ``request``
    :type object_type: string
    :param object_id: its id (or name, for datasets and communities)
    :type object_id: string
    :param level: ``all`` (default), ``direct`` (only answers and replies to
        oneself) or ``muted`` (nothing, not even the automatic follow's)
    :type level: string

    :returns: the follow: ``{"id", "object_type", "object_id", "level",
        "created", "modified"}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_follow", context, data_dict)
    user = logged_in_user(context)
    kind = data_dict["object_type"]
    found = _found(context, kind, data_dict["object_id"])
    core.set_follow(user.id, kind, found["id"], data_dict.get("level", "all"), keep=False)
    return _follow_dict(_row(user.id, kind, found["id"]))


@writes(schema.unfollow_schema)
def crowdsource_unfollow(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Stop following a thing (an automatic follow too: use ``level``
    ``muted`` to keep it from coming back).

    :param object_type: ``dataset``, ``question``, ``community`` or ``request``
    :type object_type: string
    :param object_id: its id (or name, for datasets and communities)
    :type object_id: string

    :returns: the follow as it was; ``ObjectNotFound`` when the caller did
        not follow it
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_unfollow", context, data_dict)
    user = logged_in_user(context)
    kind, ref = data_dict["object_type"], data_dict["object_id"]
    row = _row(user.id, kind, ref)
    if row is None and kind in ("dataset", "community"):
        thing = model.Package.get(ref) if kind == "dataset" else model.Group.get(ref)
        row = _row(user.id, kind, thing.id) if thing is not None else None
    if row is None:
        raise toolkit.ObjectNotFound(toolkit._("You do not follow this"))
    core.drop_follow(user.id, kind, row.object_id)
    return _follow_dict(row)


@reads(schema.follow_list_schema)
def crowdsource_follow_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What the caller follows, newest first.

    :param object_type: only this kind (optional)
    :type object_type: string
    :param object_id: only this thing (its id) (optional)
    :type object_id: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count", "results": [follows, as ``crowdsource_follow``
        returns them]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_follow_list", context, data_dict)
    user = logged_in_user(context)
    limit, offset = page_bounds(data_dict)
    where = [follow.c.user_id == user.id]
    for key in ("object_type", "object_id"):
        if data_dict.get(key):
            where.append(follow.c[key] == data_dict[key])
    count = model.Session.execute(
        sa.select(sa.func.count()).select_from(follow).where(*where)).scalar_one()
    rows = model.Session.execute(sa.select(follow).where(*where).order_by(
        follow.c.created.desc(), follow.c.id).limit(limit).offset(offset)).all()
    return listed(count, [_follow_dict(r) for r in rows])


def get_actions() -> dict[str, Any]:
    return {f.__name__: f for f in (crowdsource_follow, crowdsource_unfollow,
                                    crowdsource_follow_list)}
