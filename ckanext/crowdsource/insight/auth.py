"""Who may see the staff dashboard: staff (editors and admins) of an
organization see its numbers; sysadmins every organization's and the
site's, and the searches that found nothing (of no organization). The
action has found the organization asked about (its id in ``organization``;
none: every organization the caller moderates) and passes the ``metric``."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit
from ckan.types import AuthResult, Context, DataDict

from ckanext.crowdsource.common.roles import is_library_staff, is_staff_for, staff_org_ids

from .core import SITE_WIDE


def crowdsource_stats_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Staff of the organization asked about (of any, when none is named);
    sysadmins. The site's own metrics (the searches that found nothing):
    sysadmins."""
    if data_dict.get("metric") in SITE_WIDE and staff_org_ids(context) is not None:
        return {"success": False,
                "msg": toolkit._("Only sysadmins can see the whole site's numbers")}
    org = data_dict.get("organization")
    if is_staff_for(context, org) if org else is_library_staff(context):
        return {"success": True}
    return {"success": False,
            "msg": toolkit._("Only the library's staff can see these numbers")}


def get_auth_functions() -> dict[str, Any]:
    return {"crowdsource_stats_show": crowdsource_stats_show}
