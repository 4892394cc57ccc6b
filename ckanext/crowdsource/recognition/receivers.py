"""Receivers of the capabilities' signals that write the ledger.

They read only what the signals carry (and the task through its action, for
its reward and community): recognition never reaches into another
capability's tables. Each runs in the transaction of the contribution that
sent it.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckan.plugins import toolkit

from . import core
from .model import points


def _task(task_id: str | None) -> dict[str, Any]:
    if not task_id:
        return {}
    try:
        return toolkit.get_action("crowdsource_task_show")({"ignore_auth": True},
                                                          {"id": task_id})
    except toolkit.ObjectNotFound:
        return {}


def claim_accepted(sender: str, **kw: Any) -> None:
    """The reader of an accepted claim earns the task's reward (or the
    reason's default when the task names none)."""
    task = _task(kw.get("task_id"))
    reward = kw.get("points") or task.get("reward_points") or None
    core.award(kw.get("reader_id"), "claim_accepted", "claim", sender,
               actor_id=kw.get("user_id"), package_id=kw.get("package_id"),
               community_id=task.get("community_id"), amount=reward)


def _answer(reason: str, flag: str) -> Callable[..., None]:
    """An answer accepted (``flag`` "accepted") or verified ("verified")
    earns its author the reason's points; undone, takes them back."""
    def receive(sender: str, **kw: Any) -> None:
        if kw.get(flag, True):
            core.award(kw.get("author_id"), reason, "post", sender,
                       actor_id=kw.get("user_id"), package_id=kw.get("package_id"))
        else:
            core.take_back(kw.get("author_id"), reason, sender)
    return receive


answer_accepted = _answer("answer_accepted", "accepted")
answer_verified = _answer("answer_verified", "verified")


def post_voted(sender: str, **kw: Any) -> None:
    """An upvote gives the post's author points, once per voter and post,
    and once a day between the same two readers; withdrawn (or turned
    down), it takes them back."""
    voter = kw.get("user_id")
    if kw.get("vote") == 1:
        core.award(kw.get("author_id"), "post_upvoted", "post", sender, actor_id=voter,
                   package_id=kw.get("package_id"), per_actor=True)
    else:
        core.take_back(kw.get("author_id"), "post_upvoted", sender, actor_id=voter,
                       per_actor=True)


def post_hidden(sender: str, **kw: Any) -> None:
    """A hidden post loses what it earned (restoring it does not give it
    back: the staff may grant points by hand)."""
    core.take_back_all(points.c.item_id == sender)


def tag_promoted(sender: str, **kw: Any) -> None:
    """Every reader who gave the tag that became official earns points."""
    package_id = kw.get("package_id")
    for giver in kw.get("givers") or []:
        core.award(giver, "tag_promoted", "tag", f"{package_id}:{sender}",
                   actor_id=kw.get("user_id"), package_id=package_id)


def feedback_status_changed(sender: str, **kw: Any) -> None:
    """A request resolved earns its reader ``request_fulfilled``, other
    feedback resolved ``feedback_resolved``; reopened, they are taken back."""
    reason = "request_fulfilled" if kw.get("kind") == "request" else "feedback_resolved"
    if kw.get("status") == "resolved":
        core.award(kw.get("author_id"), reason, "feedback", sender,
                   actor_id=kw.get("user_id"), package_id=kw.get("package_id"))
    elif kw.get("previous") == "resolved":
        core.take_back(kw.get("author_id"), reason, sender)


def dataset_purged(package_id: str) -> None:
    """``purge_hooks``: a purged dataset's points are taken back."""
    core.take_back_all(points.c.package_id == package_id)


RECEIVERS = {
    "crowdsource:claim_accepted": [claim_accepted],
    "crowdsource:answer_accepted": [answer_accepted],
    "crowdsource:answer_verified": [answer_verified],
    "crowdsource:post_voted": [post_voted],
    "crowdsource:post_hidden": [post_hidden],
    "crowdsource:tag_promoted": [tag_promoted],
    "crowdsource:feedback_status_changed": [feedback_status_changed],
}
