"""Receivers of the capabilities' signals that write notifications, in the
transaction of the contribution that sent them (a contribution and its
notifications are saved together, or neither is).

They read what the signals carry and, for what they do not (who wrote the
post replied to, a question's title), the other capabilities' show actions
as the site user: notify never reaches into another capability's tables.
Each event writes its recipients with one ``INSERT ... SELECT``
(``core.notify``), the actor and readers who turned the rule off left out.
"""
from __future__ import annotations

from typing import Any

from ckan import model
from ckan.plugins import toolkit

from . import core

_PUBLISHED = "published"


def _site() -> dict[str, Any]:
    user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": user["name"], "ignore_auth": True}


def _show(action: str, data: dict[str, Any]) -> dict[str, Any]:
    """Another capability's show action as the site user; {} when gone."""
    try:
        return toolkit.get_action(action)(_site(), data)
    except (toolkit.ObjectNotFound, toolkit.ValidationError):
        return {}


def _user_id(person: dict[str, Any] | None) -> str | None:
    """A user's id from the ``{"name", ...}`` the show actions give."""
    if not person or not person.get("name"):
        return None
    user = model.User.get(person["name"])
    return user.id if user is not None else None


def _thread_link(thread: dict[str, Any], post_id: str | None = None) -> str:
    anchor = f"#post-{post_id}" if post_id else ""
    if thread.get("kind") == "question":
        return f"/crowdsource/questions/{thread['id']}{anchor}"
    if thread.get("subject_type") == "resource" and thread.get("package_name"):
        return f"/dataset/{thread['package_name']}/resource/{thread['subject_id']}{anchor}"
    if thread.get("package_name"):
        return f"/dataset/{thread['package_name']}/discussion{anchor}"
    if thread.get("community_name"):
        return f"/crowdsource/community/{thread['community_name']}"
    return "/crowdsource/questions"


def _thread_title(thread: dict[str, Any]) -> str | None:
    return thread.get("title") or thread.get("subject_label") or None


def post_created(sender: str, **kw: Any) -> None:
    """A reply tells the author of the post replied to; an answer tells the
    asker and the question's followers; a comment in a question tells the
    asker. The asker and each answerer follow the question from then on.
    A post waiting for approval notifies hidden, shown when approved."""
    actor, kind = kw.get("user_id"), kw.get("kind")
    post = _show("crowdsource_post_show", {"id": sender})
    thread = _show("crowdsource_thread_show", {"id": kw.get("thread_id"), "limit": 0,
                                               "replies": 0})
    if not post or not thread:
        return
    common = {"item_type": "post", "item_id": sender, "package_id": kw.get("package_id"),
              "community_id": thread.get("community_id"), "title": _thread_title(thread),
              "link": _thread_link(thread, sender),
              "hidden": post.get("state") != _PUBLISHED}
    question = thread.get("kind") == "question"
    asker = _user_id(thread.get("author")) if question else None
    if kind == "question":
        core.set_follow(actor, "question", thread["id"])
        core.notify(core.anyone(core.followers("community", kw.get("community_id")),
                                core.followers("dataset", kw.get("package_id"))),
                    "followed_question", actor,
                    **{**common, "link": _thread_link(thread)})
        return
    if question:
        common["muted"] = ("question", thread["id"])
    told: set[str] = set()
    if post.get("parent_id"):
        parent = _show("crowdsource_post_show", {"id": post["parent_id"]})
        author = _user_id(parent.get("author"))
        if author and author != actor:
            core.notify(core.one(author), "reply", actor, **common)
            told.add(author)
    if question and asker and asker != actor and asker not in told:
        core.notify(core.one(asker), "answer" if kind == "answer" else "question_comment",
                    actor, **common)
        told.add(asker)
    if question and kind == "answer":
        followers = core.followers("question", thread["id"])
        if followers is not None and told:
            followers = followers.where(core.follow.c.user_id.notin_(told))
        core.notify(followers, "followed_answer", actor, **common)
        core.set_follow(actor, "question", thread["id"])


def _answer(kind: str, flag: str) -> Any:
    def receive(sender: str, **kw: Any) -> None:
        if not kw.get(flag, True):
            return
        thread = _show("crowdsource_thread_show", {"id": kw.get("thread_id"), "limit": 0,
                                                   "replies": 0})
        core.notify(core.one(kw.get("author_id")), kind, kw.get("user_id"), item_type="post",
                    item_id=sender, package_id=kw.get("package_id"),
                    community_id=thread.get("community_id"), title=_thread_title(thread),
                    link=_thread_link(thread, sender) if thread else None)
    return receive


answer_accepted = _answer("answer_accepted", "accepted")
answer_verified = _answer("answer_verified", "verified")


def _task(task_id: str | None) -> dict[str, Any]:
    return _show("crowdsource_task_show", {"id": task_id}) if task_id else {}


def _claim(kind: str) -> Any:
    """A review of a claim tells its reader; an expired claim too (nobody
    acted: the lease ran out)."""
    def receive(sender: str, **kw: Any) -> None:
        task = _task(kw.get("task_id"))
        if kind == "claim_expired":
            reader, actor = kw.get("user_id"), None
        else:
            reader, actor = kw.get("reader_id"), kw.get("user_id")
        core.notify(core.one(reader), kind, actor, item_type="claim", item_id=sender,
                    package_id=kw.get("package_id"), community_id=task.get("community_id"),
                    title=task.get("title"), link=f"/crowdsource/tasks/{kw.get('task_id')}")
    return receive


def claim_submitted(sender: str, **kw: Any) -> None:
    """Work handed in tells the staff of the task's dataset."""
    task = _task(kw.get("task_id"))
    core.notify(core.staff_of(core.owner_org(kw.get("package_id"))), "claim_submitted",
                kw.get("user_id"), item_type="claim", item_id=sender,
                package_id=kw.get("package_id"), community_id=task.get("community_id"),
                title=task.get("title"), link=f"/crowdsource/tasks/{kw.get('task_id')}")


def task_created(sender: str, **kw: Any) -> None:
    """A new task tells the followers of its community and of its dataset."""
    task = {"community_id": kw.get("community_id"), "title": kw.get("title")}
    core.notify(core.anyone(core.followers("community", task.get("community_id")),
                            core.followers("dataset", kw.get("package_id"))),
                "followed_task", kw.get("user_id"), item_type="task", item_id=sender,
                package_id=kw.get("package_id"), community_id=task.get("community_id"),
                title=task.get("title"), link=f"/crowdsource/tasks/{sender}")


def _feedback_link(feedback_id: str) -> str:
    return f"/crowdsource/feedback/{feedback_id}"


def feedback_created(sender: str, **kw: Any) -> None:
    """New feedback tells the staff of its dataset (the sysadmins for the
    library's service); a request's author follows it."""
    package_id = kw.get("package_id")
    core.notify(core.staff_of(core.owner_org(package_id)), "feedback_new", kw.get("user_id"),
                item_type="feedback", item_id=sender, package_id=package_id,
                link=_feedback_link(sender), data={"kind": kw.get("kind")})
    if kw.get("kind") == "request":
        core.set_follow(kw.get("user_id"), "request", sender)


def feedback_replied(sender: str, **kw: Any) -> None:
    """The staff's reply tells the feedback's author."""
    if kw.get("by_staff"):
        core.notify(core.one(kw.get("author_id")), "feedback_reply", kw.get("user_id"),
                    item_type="feedback", item_id=sender, package_id=kw.get("package_id"),
                    link=_feedback_link(sender))


def feedback_status_changed(sender: str, **kw: Any) -> None:
    """A request resolved tells its author and everyone who seconded it;
    any other change of status tells the author."""
    common = {"item_type": "feedback", "item_id": sender, "package_id": kw.get("package_id"),
              "link": _feedback_link(sender)}
    actor = kw.get("user_id")
    if kw.get("kind") == "request" and kw.get("status") == "resolved":
        core.notify(core.anyone(core.one(kw.get("author_id")), core.followers("request", sender)),
                    "request_fulfilled", actor, **common)
        return
    core.notify(core.one(kw.get("author_id")), "feedback_status", actor,
                data={"status": kw.get("status")}, **common)


def request_seconded(sender: str, **kw: Any) -> None:
    """Who seconds a request follows it (and stops when they take it back)."""
    if kw.get("seconded"):
        core.set_follow(kw.get("user_id"), "request", sender)
    elif kw.get("user_id"):
        core.drop_follow(kw["user_id"], "request", sender)


def item_flagged(sender: str, **kw: Any) -> None:
    """The first flag on a contribution tells the staff who moderate it."""
    if kw.get("flags") != 1:
        return
    core.notify(core.staff_of(kw.get("owner_org")), "item_flagged", kw.get("user_id"),
                item_type=kw.get("item_type") or "item", item_id=kw.get("item_id"),
                package_id=kw.get("package_id"), link="/crowdsource/moderation",
                data={"item_type": kw.get("item_type")})


def _hiding(hidden: bool) -> Any:
    def receive(sender: str, **kw: Any) -> None:
        core.set_hidden(sender, hidden)
    return receive


def community_joined(sender: str, **kw: Any) -> None:
    """Members follow their community (its new questions and tasks)."""
    if kw.get("state", "active") == "active":
        core.set_follow(kw.get("member_id"), "community", kw.get("community_id") or sender)


def community_left(sender: str, **kw: Any) -> None:
    if kw.get("member_id"):
        core.drop_follow(kw["member_id"], "community", kw.get("community_id") or sender)


RECEIVERS = {
    "crowdsource:post_created": [post_created],
    "crowdsource:answer_accepted": [answer_accepted],
    "crowdsource:answer_verified": [answer_verified],
    "crowdsource:claim_accepted": [_claim("claim_accepted")],
    "crowdsource:claim_rejected": [_claim("claim_rejected")],
    "crowdsource:claim_changes_requested": [_claim("claim_changes")],
    "crowdsource:claim_expired": [_claim("claim_expired")],
    "crowdsource:claim_submitted": [claim_submitted],
    "crowdsource:task_created": [task_created],
    "crowdsource:feedback_created": [feedback_created],
    "crowdsource:feedback_replied": [feedback_replied],
    "crowdsource:feedback_status_changed": [feedback_status_changed],
    "crowdsource:request_seconded": [request_seconded],
    "crowdsource:item_flagged": [item_flagged],
    "crowdsource:post_hidden": [_hiding(True)],
    "crowdsource:post_deleted": [_hiding(True)],
    "crowdsource:post_restored": [_hiding(False)],
    "crowdsource:feedback_hidden": [_hiding(True)],
    "crowdsource:feedback_restored": [_hiding(False)],
    "crowdsource:community_joined": [community_joined],
    "crowdsource:community_request_approved": [community_joined],
    "crowdsource:community_left": [community_left],
    "crowdsource:community_member_removed": [community_left],
}


def dataset_purged(package_id: str) -> None:
    """``purge_hooks``: a purged dataset's notifications and follows go."""
    from .model import follow, notification

    model.Session.execute(notification.delete().where(notification.c.package_id == package_id))
    model.Session.execute(follow.delete().where(follow.c.object_type == "dataset",
                                                follow.c.object_id == package_id))
