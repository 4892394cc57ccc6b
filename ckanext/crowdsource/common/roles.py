"""The one way to ask who the user is and what they may do with a dataset."""
from __future__ import annotations

from ckan import authz, model
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
