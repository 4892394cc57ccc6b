"""Who may see and change notifications, settings and follows: each
reader their own (DESIGN's row "see own notifications, settings, loans");
sysadmins anyone's settings. Anonymous callers have none."""
from __future__ import annotations

from ckan.plugins import toolkit
from ckan.types import AuthResult, Context, DataDict

from ckanext.crowdsource.common.roles import OK, current_user


def _logged_in(context: Context, data_dict: DataDict) -> AuthResult:
    if current_user(context) is None:
        return {"success": False, "msg": toolkit._("You must be logged in")}
    return OK


def _own_settings(context: Context, data_dict: DataDict) -> AuthResult:
    me = current_user(context)
    if me is not None and (me.sysadmin or me.id == data_dict.get("user_id")):
        return OK
    return {"success": False, "msg": toolkit._("Only your own settings")}


@toolkit.auth_allow_anonymous_access
def crowdsource_notify_unsubscribe(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone with the link of a mail: the signed token is the proof."""
    return OK


crowdsource_notification_list = _logged_in
crowdsource_notification_count = _logged_in
crowdsource_notification_mark_read = _logged_in
crowdsource_follow = _logged_in
crowdsource_unfollow = _logged_in
crowdsource_follow_list = _logged_in
crowdsource_notify_settings_show = _own_settings
crowdsource_notify_settings_update = _own_settings


def get_auth_functions() -> dict[str, object]:
    return {name: globals()[name] for name in (
        "crowdsource_notification_list", "crowdsource_notification_count",
        "crowdsource_notification_mark_read", "crowdsource_notify_settings_show",
        "crowdsource_notify_settings_update", "crowdsource_follow", "crowdsource_unfollow",
        "crowdsource_follow_list", "crowdsource_notify_unsubscribe")}
