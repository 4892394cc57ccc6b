"""Who may send, read, answer and second feedback (DESIGN section 6).

Functions are given the feedback (``id``) or its dataset (``package_id``).
"""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit
from ckan.types import AuthResult, Context, DataDict

from ckanext.crowdsource.common import config
from ckanext.crowdsource.common.roles import (
    OK,
    can_see_dataset,
    current_user,
    is_staff_for,
    refused,
    staff_org_ids,
)

from . import core


def _item(data_dict: DataDict) -> Any | None:
    ids = data_dict.get("id")
    try:
        return core.row(ids if isinstance(ids, str) else "")
    except toolkit.ObjectNotFound:
        return None


def _sees_package(context: Context, data_dict: DataDict) -> bool:
    package_id = data_dict.get("package_id")
    return not package_id or can_see_dataset(context, package_id)


@toolkit.auth_allow_anonymous_access
def crowdsource_feedback_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Logged-in users who can see the dataset; anonymous visitors too when
    ``ckanext.crowdsource.feedback.anonymous`` is on."""
    if current_user(context) is None and not config.anonymous_feedback():
        return refused(toolkit._("You must be logged in to send feedback"))
    if not _sees_package(context, data_dict):
        return refused(toolkit._("You cannot see this dataset"))
    return OK


@toolkit.auth_allow_anonymous_access
def crowdsource_feedback_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Its author and staff; anyone who can see its dataset, for a request."""
    item = _item(data_dict)
    if item is not None and core.access(context, item) is not None:
        return OK
    return refused(toolkit._("You cannot see this feedback"))


def crowdsource_feedback_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Staff of at least one organization, and sysadmins; anyone logged in
    for their own feedback (``mine``)."""
    if current_user(context) is None:
        return refused(toolkit._("You must be logged in"))
    if data_dict.get("mine") or staff_org_ids(context) != []:
        return OK
    return refused(toolkit._("Only the library's staff can see the inbox"))


def crowdsource_feedback_summary(context: Context, data_dict: DataDict) -> AuthResult:
    """Who may list the feedback (``crowdsource_feedback_list``)."""
    return crowdsource_feedback_list(context, data_dict)


def crowdsource_feedback_export(context: Context, data_dict: DataDict) -> AuthResult:
    """Staff of at least one organization, and sysadmins."""
    if staff_org_ids(context) == []:
        return refused(toolkit._("Only the library's staff can see the inbox"))
    return OK


def crowdsource_feedback_reply(context: Context, data_dict: DataDict) -> AuthResult:
    """The feedback's author, and the staff who answer it."""
    item = _item(data_dict)
    if item is not None and core.access(context, item) == "full":
        return OK
    return refused(toolkit._("You cannot answer this feedback"))


def crowdsource_feedback_set_status(context: Context, data_dict: DataDict) -> AuthResult:
    """Staff of the feedback's organization (sysadmins for the service)."""
    item = _item(data_dict)
    if item is not None and is_staff_for(context, item.owner_org) \
            and core.subject_visible(context, item):
        return OK
    return refused(toolkit._("Only the library's staff can change this"))


def crowdsource_feedback_set_status_bulk(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may change each of the items (``ids``), as
    ``crowdsource_feedback_set_status``; asked without ids (may the user
    change statuses at all?): staff of at least one organization, and
    sysadmins."""
    ids = data_dict.get("ids")
    if not ids:
        if staff_org_ids(context) == []:
            return refused(toolkit._("Only the library's staff can change this"))
        return OK
    for item_id in ids if isinstance(ids, list) else [ids]:
        answer = crowdsource_feedback_set_status(context, {"id": item_id})
        if not answer["success"]:
            return answer
    return OK


@toolkit.auth_sysadmins_check
def crowdsource_request_second(context: Context, data_dict: DataDict) -> AuthResult:
    """Logged-in users who can see a public request, not their own."""
    item = _item(data_dict)
    user = current_user(context)
    if user is None:
        return refused(toolkit._("You must be logged in"))
    if item is None or item.kind != "request" or core.access(context, item) is None:
        return refused(toolkit._("You cannot see this request"))
    if item.user_id == user.id:
        return refused(toolkit._("This is your own request"))
    return OK


@toolkit.auth_allow_anonymous_access
def crowdsource_request_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: the list holds only requests the caller can see."""
    if not _sees_package(context, data_dict):
        return refused(toolkit._("You cannot see this dataset"))
    return OK


@toolkit.auth_allow_anonymous_access
def crowdsource_rating_summary(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone who can see the dataset."""
    if not _sees_package(context, data_dict):
        return refused(toolkit._("You cannot see this dataset"))
    return OK


def get_auth_functions() -> dict[str, Any]:
    return {name: globals()[name] for name in (
        "crowdsource_feedback_create", "crowdsource_feedback_show", "crowdsource_feedback_list",
        "crowdsource_feedback_summary", "crowdsource_feedback_export",
        "crowdsource_feedback_reply", "crowdsource_feedback_set_status",
        "crowdsource_feedback_set_status_bulk", "crowdsource_request_second",
        "crowdsource_request_list", "crowdsource_rating_summary",
    )}
