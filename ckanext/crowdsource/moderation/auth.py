"""Who may read the moderation log."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit
from ckan.types import AuthResult, Context, DataDict

from ckanext.crowdsource.common.roles import staff_org_ids


def crowdsource_moderation_log_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Staff of at least one organization, and sysadmins."""
    if staff_org_ids(context) == []:
        return {"success": False, "msg": toolkit._("Only the library's staff can see this")}
    return {"success": True}


def get_auth_functions() -> dict[str, Any]:
    return {"crowdsource_moderation_log_list": crowdsource_moderation_log_list}
