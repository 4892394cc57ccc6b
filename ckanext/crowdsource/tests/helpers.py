"""Helpers shared by the test modules."""
from typing import Any

from ckan.tests import helpers


def as_user(user: dict | None, action: str, /, **data: Any) -> Any:
    """Call an action as ``user`` (None: anonymous), with auth checked."""
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    return helpers.call_action(action, context=context, **data)
