"""Who may flag, review flags, and read the queue and the log."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit
from ckan.types import AuthResult, Context, DataDict

from ckanext.crowdsource.common.roles import current_user, is_staff_for, staff_org_ids

from . import core


def _item(data_dict: DataDict) -> core.Item | None:
    try:
        return core.locate(data_dict.get("item_type", ""), data_dict.get("item_id", ""))
    except (toolkit.ObjectNotFound, toolkit.ValidationError):
        return None


def crowdsource_flag_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Logged-in users who can see the item itself (``ItemType.can_see``, not
    only its dataset), not their own: a published item, or a hidden or
    waiting one for the staff who moderate it.

    Authors do not flag what they wrote: they can edit, delete or remove it,
    and a flag of theirs would count towards hiding their own work. Hidden
    and waiting items are already before the staff; only staff, who see
    them, may add a flag there.
    """
    if current_user(context) is None:
        return {"success": False, "msg": toolkit._("You must be logged in to flag")}
    item = _item(data_dict)
    if item is None or not core.can_see(context, item):
        return {"success": False, "msg": toolkit._("Item not found")}
    if core.is_author(context, item):
        return {"success": False, "msg": toolkit._("You cannot flag your own contribution")}
    if (item.hidden or item.pending) and not is_staff_for(context, item.owner_org):
        return {"success": False, "msg": toolkit._("Only published contributions can be flagged")}
    return {"success": True}


def crowdsource_flag_review(context: Context, data_dict: DataDict) -> AuthResult:
    """Staff of the item's organization, and sysadmins (who alone moderate
    items about the whole site)."""
    item = _item(data_dict)
    if item is not None and is_staff_for(context, item.owner_org):
        return {"success": True}
    return {"success": False, "msg": toolkit._("Only the library's staff can moderate")}


def crowdsource_moderation_log_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Staff of at least one organization, and sysadmins."""
    if staff_org_ids(context) == []:
        return {"success": False, "msg": toolkit._("Only the library's staff can see this")}
    return {"success": True}


crowdsource_moderation_list = crowdsource_moderation_log_list
crowdsource_moderation_decide = crowdsource_flag_review


def get_auth_functions() -> dict[str, Any]:
    return {
        "crowdsource_flag_create": crowdsource_flag_create,
        "crowdsource_flag_review": crowdsource_flag_review,
        "crowdsource_moderation_decide": crowdsource_moderation_decide,
        "crowdsource_moderation_list": crowdsource_moderation_list,
        "crowdsource_moderation_log_list": crowdsource_moderation_log_list,
    }
