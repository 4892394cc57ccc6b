"""Reading the moderation log."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict

from ckanext.crowdsource.common.pagination import page_bounds, page_schema
from ckanext.crowdsource.common.roles import staff_org_ids

from .model import moderation_log


def log_list_schema() -> dict[str, list[Any]]:
    v = toolkit.get_validator
    return {"item_type": [v("ignore_missing"), v("unicode_safe")], **page_schema()}


@toolkit.side_effect_free
@toolkit.validate(log_list_schema)
def crowdsource_moderation_log_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Moderation decisions, newest first: of the organizations the caller
    moderates (sysadmins: all, including site-wide decisions).

    :param item_type: only this kind of item, e.g. ``tag`` (optional)
    :type item_type: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count": total, "results": [{"item_type", "item_id", "action",
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
    return {"count": total, "results": [{
        "item_type": r.item_type, "item_id": r.item_id, "action": r.action,
        "reason": r.reason, "actor": r.actor, "package_id": r.package_id,
        "created": r.created.isoformat(),
    } for r in rows]}


def get_actions() -> dict[str, Any]:
    return {"crowdsource_moderation_log_list": crowdsource_moderation_log_list}
