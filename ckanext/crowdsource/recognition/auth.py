"""Who may see and change what of the ledger.

- a reader's points (list, summary): the reader; everyone while the reader's
  profile is public (the default); sysadmins always;
- leaderboards and what readers were recognised for lately: everyone
  (readers who opted out are never listed);
- a reader's badges and contributions: as their points; the holders of a
  badge: everyone;
- recognition settings: the reader's own; sysadmins anyone's (DESIGN's row
  "see own notifications, settings, loans");
- points by hand: the library's staff (editors and admins of any
  organization) and sysadmins, never to themselves.

Functions about one reader are given the reader's ``user_id`` (the action
has found them: the caller's own when the call names nobody).
"""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit
from ckan.types import AuthResult, Context, DataDict

from ckanext.crowdsource.common.roles import OK, current_user, is_library_staff, refused

from . import core


def _own_or_sysadmin(context: Context, data_dict: DataDict) -> bool:
    me = current_user(context)
    return me is not None and (me.sysadmin or me.id == data_dict.get("user_id"))


@toolkit.auth_allow_anonymous_access
def crowdsource_points_list(context: Context, data_dict: DataDict) -> AuthResult:
    """The reader, sysadmins, and everyone while the reader's profile is public."""
    if _own_or_sysadmin(context, data_dict):
        return OK
    if not data_dict.get("user_id"):
        return refused(toolkit._("You must be logged in"))
    if core.settings_of(data_dict["user_id"])["public_profile"]:
        return OK
    return refused(toolkit._("This reader keeps their contributions private"))


crowdsource_points_summary = crowdsource_points_list
crowdsource_contribution_list = crowdsource_points_list
crowdsource_contribution_summary = crowdsource_points_list


@toolkit.auth_allow_anonymous_access
def crowdsource_badge_list(context: Context, data_dict: DataDict) -> AuthResult:
    """One reader's badges: as their points; the holders of a badge (no
    ``user_id``): everyone (readers who keep their profile private are left
    out)."""
    if not data_dict.get("user_id"):
        return OK
    return crowdsource_points_list(context, data_dict)


@toolkit.auth_allow_anonymous_access
def crowdsource_leaderboard(context: Context, data_dict: DataDict) -> AuthResult:
    """Everyone."""
    return OK


crowdsource_points_recent = crowdsource_leaderboard


def crowdsource_recognition_settings_show(context: Context, data_dict: DataDict
                                          ) -> AuthResult:
    """The reader's own; sysadmins anyone's."""
    if _own_or_sysadmin(context, data_dict):
        return OK
    return refused(toolkit._("You can only see and change your own settings"))


crowdsource_recognition_settings_update = crowdsource_recognition_settings_show


def crowdsource_points_grant(context: Context, data_dict: DataDict) -> AuthResult:
    """The library's staff and sysadmins, never to themselves."""
    me = current_user(context)
    if me is None or not is_library_staff(context):
        return refused(toolkit._("Only the library's staff can do this"))
    if me.id == data_dict.get("user_id"):
        return refused(toolkit._("Nobody gives points to themselves"))
    return OK


def get_auth_functions() -> dict[str, Any]:
    return {name: globals()[name] for name in (
        "crowdsource_points_list", "crowdsource_points_summary", "crowdsource_leaderboard",
        "crowdsource_recognition_settings_show", "crowdsource_recognition_settings_update",
        "crowdsource_points_grant", "crowdsource_points_recent",
        "crowdsource_badge_list", "crowdsource_contribution_list",
        "crowdsource_contribution_summary",
    )}
