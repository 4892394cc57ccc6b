"""Who may read, post, vote, moderate and accept (DESIGN section 6).

Every function takes its action's own input (so ``h.check_access`` works
with it) and finds the thread's subject from it: a post (``id`` of post
actions, ``parent_id``), a thread (``id`` of thread and question actions,
``thread_id``) or a dataset (``package_id``, ``resource_id``). Actions may
name the subject itself (``subject_type`` and ``subject_id``).
"""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit
from ckan.types import AuthResult, Context, DataDict

from ckanext.crowdsource.common import communities
from ckanext.crowdsource.common.roles import current_user, is_staff_for, refused

from . import read, subjects


def _find(data_dict: DataDict) -> tuple[Any, Any, subjects.Subject] | None:
    """(post or None, thread or None, subject), or None when it does not exist."""
    try:
        if data_dict.get("subject_type"):
            return None, None, subjects.resolve(data_dict["subject_type"],
                                                data_dict.get("subject_id", ""))
        post_id = data_dict.get("id") or data_dict.get("parent_id")
        if post_id:
            row = read.post_row(post_id)
            parent = read.thread_row(row.thread_id)
            return row, parent, read.subject_of(parent)
        if data_dict.get("thread_id"):
            parent = read.thread_row(data_dict["thread_id"])
            return None, parent, read.subject_of(parent)
        return None, None, subjects.from_input(data_dict)
    except (toolkit.ObjectNotFound, toolkit.ValidationError):
        return None


def _of_thread(data_dict: DataDict) -> DataDict:
    """A thread action's input, whose ``id`` is the thread's, as :func:`_find` reads it."""
    if data_dict.get("id") and not data_dict.get("thread_id"):
        rest = {k: v for k, v in data_dict.items() if k != "id"}
        return {**rest, "thread_id": data_dict["id"]}
    return data_dict


def _sees(context: Context, data_dict: DataDict) -> AuthResult:
    found = _find(data_dict)
    if found is None or not subjects.can_see(context, found[2]):
        return refused(toolkit._("You cannot see this"))
    return {"success": True}


def _contributes(context: Context, data_dict: DataDict) -> AuthResult:
    if current_user(context) is None:
        return refused(toolkit._("You must be logged in to take part"))
    return _sees(context, data_dict)


def _staff(context: Context, data_dict: DataDict) -> AuthResult:
    found = _find(data_dict)
    if found is not None and is_staff_for(context, found[2].owner_org):
        return {"success": True}
    return refused(toolkit._("Only the library's staff can do this"))


def _is_author(context: Context, row: Any) -> bool:
    user = current_user(context)
    return bool(user and row is not None and row.user_id == user.id)


@toolkit.auth_allow_anonymous_access
def crowdsource_thread_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone who can see the thread's subject."""
    return _sees(context, _of_thread(data_dict))


@toolkit.auth_allow_anonymous_access
def crowdsource_post_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone who can see the post's subject."""
    return _sees(context, data_dict)


crowdsource_thread_list = crowdsource_post_show


@toolkit.auth_allow_anonymous_access
def crowdsource_question_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: the list holds only questions the caller can see."""
    if data_dict.get("package_id") or data_dict.get("resource_id"):
        return _sees(context, data_dict)
    return {"success": True}


# Logged-in users who can see the subject.
crowdsource_post_create = _contributes


def crowdsource_question_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Logged-in users who can see the subject; within a community
    (``community_id``), its active members alone."""
    result = _contributes(context, data_dict)
    if not result["success"] or not data_dict.get("community_id"):
        return result
    user = current_user(context)
    if user is not None and communities.is_member(data_dict["community_id"], user.id):
        return result
    return refused(toolkit._("Only the members of a community ask questions within it: "
                             "join the community first"))


@toolkit.auth_sysadmins_check
def crowdsource_post_vote(context: Context, data_dict: DataDict) -> AuthResult:
    """Logged-in users who can see the post, on other people's posts
    (sysadmins too: nobody votes on their own post)."""
    result = _contributes(context, data_dict)
    if result["success"]:
        found = _find(data_dict)
        if found is not None and _is_author(context, found[0]):
            return refused(toolkit._("You cannot vote on your own post"))
    return result


@toolkit.auth_sysadmins_check
def crowdsource_post_update(context: Context, data_dict: DataDict) -> AuthResult:
    """The post's author (sysadmins too: staff hide or delete, they do not
    rewrite what readers wrote)."""
    found = _find(data_dict)
    if found is not None and _is_author(context, found[0]):
        return _sees(context, data_dict)
    return refused(toolkit._("Only its author can edit a post"))


def crowdsource_post_delete(context: Context, data_dict: DataDict) -> AuthResult:
    """The post's author, and staff."""
    found = _find(data_dict)
    if found is not None and _is_author(context, found[0]):
        return _sees(context, data_dict)
    return _staff(context, data_dict)


def crowdsource_answer_accept(context: Context, data_dict: DataDict) -> AuthResult:
    """The asker, and staff."""
    found = _find(data_dict)
    if found is not None and found[1] is not None and _is_author(context, found[1]):
        return _sees(context, data_dict)
    result = _staff(context, data_dict)
    if not result["success"]:
        return refused(toolkit._("Only the asker or the library's staff can accept an answer"))
    return result


# Staff of the subject's organization (sysadmins for the site).
crowdsource_post_history = crowdsource_answer_verify = _staff


def crowdsource_question_close(context: Context, data_dict: DataDict) -> AuthResult:
    """Staff of the question's subject (sysadmins for the library's
    questions), and the moderators of the community it was asked in."""
    data = _of_thread(data_dict)
    found, user = _find(data), current_user(context)
    if (found is not None and found[1] is not None and user is not None
            and communities.moderates(found[1].community_id, user.id)):
        return _sees(context, data)
    return _staff(context, data)


crowdsource_question_reopen = crowdsource_question_close


def get_auth_functions() -> dict[str, Any]:
    return {name: globals()[name] for name in (
        "crowdsource_thread_show", "crowdsource_thread_list", "crowdsource_post_show",
        "crowdsource_question_list", "crowdsource_post_create", "crowdsource_question_create",
        "crowdsource_post_vote", "crowdsource_post_update", "crowdsource_post_delete",
        "crowdsource_answer_accept", "crowdsource_post_history", "crowdsource_answer_verify",
        "crowdsource_question_close", "crowdsource_question_reopen",
    )}
