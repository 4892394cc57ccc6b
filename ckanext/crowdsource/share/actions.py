"""The sharing actions."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit
from ckan.types import Context, DataDict

from ckanext.crowdsource.common import config, ratelimit
from ckanext.crowdsource.common.action import writes
from ckanext.crowdsource.common.roles import current_user_id

from . import core, schema


@writes(schema.record_schema)
def crowdsource_share_record(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Count one share of an item, made through its Share control (the
    portal calls it when a reader copies the link, opens the QR code or a
    share target). Whoever may see the item may share it, visitors too
    (they are limited per client address and hour).

    :param item_type: ``dataset``, ``question``, ``task`` or ``community``
    :type item_type: string
    :param id: the item's id (or, for a dataset or community, its name)
    :type id: string
    :param channel: ``link`` (copied), ``qr`` (the QR code, for WeChat),
        ``weibo``, ``qq`` or ``email``
    :type channel: string

    :returns: ``{"item_type", "id", "channel", "url", "count"}``: the item's
        id, the address shared (with the channel's source code) and how
        often the item was shared in all
    :rtype: dictionary

    Example::

        ckanapi action crowdsource_share_record item_type=dataset id=city-maps \\
            channel=weibo -r https://data.example.org -a "$TOKEN"
    """
    toolkit.check_access("crowdsource_share_record", context, data_dict)
    found = core.item(context, data_dict["item_type"], data_dict["id"])
    user_id = current_user_id(context)
    if not user_id:
        ratelimit.check_address(config.share_visitor_per_hour())
    core.record(found, data_dict["channel"], user_id or None)
    return {"item_type": found.item_type, "id": found.id, "channel": data_dict["channel"],
            "url": found.url(data_dict["channel"]),
            "count": core.counts(found.item_type, [found.id]).get(found.id, 0)}


def get_actions() -> dict[str, Any]:
    return {"crowdsource_share_record": crowdsource_share_record}
