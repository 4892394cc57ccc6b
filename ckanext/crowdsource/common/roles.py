"""The one way to ask who the user is and what they may do with a dataset."""
from __future__ import annotations

from ckan import authz, model
from ckan.lib.plugins import get_permission_labels
from ckan.types import Context


def current_user(context: Context) -> model.User | None:
    """The logged-in user of the context, or None for anonymous callers.

    (``auth_user_obj`` is an anonymous-user object, not None, for anonymous
    web requests, so the user name decides.)
    """
    if authz.auth_is_anon_user(context):
        return None
    return model.User.get(context["user"])


def can_see_dataset(context: Context, package_id: str) -> bool:
    """Whether the context's user may ``package_show`` the dataset."""
    return authz.is_authorized("package_show", dict(context), {"id": package_id})["success"]


STAFF_ROLES = ("editor", "admin")


def is_staff_for(context: Context, owner_org: str | None) -> bool:
    """Sysadmins, and editors and admins of the organization."""
    user = current_user(context)
    if user is None:
        return False
    if user.sysadmin:
        return True
    return authz.users_role_for_group_or_org(owner_org, user.name) in STAFF_ROLES


def staff_org_ids(context: Context) -> list[str] | None:
    """The organizations the user moderates; None means all (sysadmin)."""
    user = current_user(context)
    if user is None:
        return []
    if user.sysadmin:
        return None
    rows = model.Session.query(model.Member.group_id).filter(
        model.Member.table_name == "user",
        model.Member.table_id == user.id,
        model.Member.state == "active",
        model.Member.capacity.in_(STAFF_ROLES),
    )
    return [r.group_id for r in rows]


def visibility_key(context: Context) -> list[str]:
    """What decides which datasets the user sees: CKAN's permission labels
    (``["*"]`` for sysadmins, who see all). Users with the same key see the
    same datasets, so they can share cached counts."""
    user = current_user(context)
    if user is not None and user.sysadmin:
        return ["*"]
    return sorted(get_permission_labels().get_user_dataset_labels(user))
