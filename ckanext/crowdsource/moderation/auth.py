"""Who may flag, review flags, and read the queue and the log."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit
from ckan.types import AuthResult, Context, DataDict

from ckanext.crowdsource.common.roles import (
    can_see_dataset,
    current_user,
    is_staff_for,
    staff_org_ids,
)

from . import core


def _item(data_dict: DataDict) -> core.Item | None:
    try:
        return core.locate(data_dict.get("item_type", ""), data_dict.get("item_id", ""))
    except (toolkit.ObjectNotFound, toolkit.ValidationError):
        return None


def crowdsource_flag_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Logged-in users who can see the item's dataset."""
    item = _item(data_dict)
    if current_user(context) is None:
        return {"success": False, "msg": toolkit._("You must be logged in to flag")}
    if item is None or (item.package_id and not can_see_dataset(context, item.package_id)):
        return {"success": False, "msg": toolkit._("You cannot see this dataset")}
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
