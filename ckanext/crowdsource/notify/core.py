"""What notify's actions and receivers share: the rules (kinds of
notification), writing notifications with one statement per event, who the
staff of a dataset are, and the condition of rows a reader may still see."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context

from ckanext.crowdsource.common import roles

from .model import follow, notification, settings

_ = toolkit._

# Each rule, the kind of notification it writes: the reader switches each on
# or off (all on by default). ``staff``: rules that only reach the library's
# staff. The sentence says who did what; {actor} and {item} are filled in.
READER_RULES: dict[str, tuple[Callable[[], str], Callable[[], str]]] = {
    "reply": (lambda: _("Replies to my posts"),
              lambda: _("{actor} replied to your post on {item}")),
    "answer": (lambda: _("Answers to my questions"),
               lambda: _("{actor} answered your question {item}")),
    "question_comment": (lambda: _("Comments on my questions"),
                         lambda: _("{actor} commented on your question {item}")),
    "answer_accepted": (lambda: _("My answer accepted"),
                        lambda: _("{actor} accepted your answer to {item}")),
    "answer_verified": (lambda: _("My answer verified by the library"),
                        lambda: _("{actor} verified your answer to {item}")),
    "claim_accepted": (lambda: _("My task result accepted"),
                       lambda: _("{actor} accepted your work on the task {item}")),
    "claim_rejected": (lambda: _("My task result rejected"),
                       lambda: _("{actor} rejected your work on the task {item}")),
    "claim_changes": (lambda: _("Changes asked of my task result"),
                      lambda: _("{actor} asked for changes to your work on the task {item}")),
    "claim_expired": (lambda: _("My claim on a task expired"),
                      lambda: _("Your claim on the task {item} expired")),
    "feedback_reply": (lambda: _("The library's replies to my feedback"),
                       lambda: _("{actor} replied to your feedback on {item}")),
    "feedback_status": (lambda: _("Changes of my feedback's status"),
                        lambda: _("{actor} marked your feedback on {item} as {status}")),
    "request_fulfilled": (lambda: _("Requests I made or seconded fulfilled"),
                          lambda: _("{actor} fulfilled the request on {item}")),
    "followed_answer": (lambda: _("New answers to questions I follow"),
                        lambda: _("{actor} answered the question {item}")),
    "followed_question": (lambda: _("New questions in my communities and on datasets I "
                                    "follow"),
                          lambda: _("{actor} asked {item}")),
    "followed_task": (lambda: _("New tasks in my communities and on datasets I follow"),
                      lambda: _("{actor} posted the task {item}")),
}
STAFF_RULES: dict[str, tuple[Callable[[], str], Callable[[], str]]] = {
    "claim_submitted": (lambda: _("Task results waiting for review"),
                        lambda: _("{actor} handed in work on the task {item} for review")),
    "feedback_new": (lambda: _("New feedback"),
                     lambda: _("{actor} sent feedback on {item}")),
    "item_flagged": (lambda: _("Flagged contributions"),
                     lambda: _("{actor} flagged a contribution on {item}")),
}
KINDS = (*READER_RULES, *STAFF_RULES)
EMAIL = ("immediately", "daily", "weekly", "never")
DEFAULT_EMAIL = "daily"
FOLLOWABLE = ("dataset", "question", "community", "request")
LEVELS = ("all", "direct", "muted")


def rule_label(kind: str) -> str:
    found = READER_RULES.get(kind) or STAFF_RULES.get(kind)
    return found[0]() if found else kind


def sentence(kind: str) -> str:
    found = READER_RULES.get(kind) or STAFF_RULES.get(kind)
    return found[1]() if found else "{actor} {item}"


def staff_of(owner_org: str | None) -> sa.Select:
    """The user ids of the library's staff who look after a dataset of
    ``owner_org``: its organization's editors and admins; for things of no
    organization (the library's service), the sysadmins."""
    u = model.User
    if owner_org is None:
        return sa.select(u.id.label("user_id")).where(u.sysadmin.is_(True),
                                                      u.state == "active")
    m = model.Member
    return (sa.select(m.table_id.label("user_id"))
            .join(u, u.id == m.table_id)
            .where(m.group_id == owner_org, m.table_name == "user", m.state == "active",
                   m.capacity.in_(roles.STAFF_ROLES), u.state == "active"))


def one(user_id: str | None) -> sa.Select | None:
    """A recipients select of one user (None: nobody)."""
    if not user_id:
        return None
    return sa.select(sa.literal(user_id, sa.UnicodeText).label("user_id"))


def anyone(*selects: sa.Select | None) -> sa.Select | None:
    """The recipients of any of the selects (None: nobody)."""
    found = [s for s in selects if s is not None]
    if not found:
        return None
    return found[0] if len(found) == 1 else sa.union(*found).subquery().select()


def owner_org(package_id: str | None) -> str | None:
    pkg = model.Package.get(package_id) if package_id else None
    return pkg.owner_org if pkg is not None else None


def notify(recipients: sa.Select | None, kind: str, actor_id: str | None, *,
           item_type: str, item_id: str, package_id: str | None = None,
           community_id: str | None = None, title: str | None = None,
           link: str | None = None, data: dict[str, Any] | None = None,
           hidden: bool = False, muted: tuple[str, str] | None = None) -> int:
    """Notify every recipient of the select (a column ``user_id``) of one
    event, in one ``INSERT ... SELECT`` in the caller's transaction: never
    the actor, never twice, and not those who turned ``kind`` off or muted
    the thing ``muted`` names (``(object_type, object_id)``). Readers who
    want their mail at once get it from a job queued after the commit.
    Returns how many rows it wrote."""
    if recipients is None:
        return 0
    r = sa.select(recipients.subquery().c.user_id).distinct().subquery("r")
    where = [r.c.user_id.is_not(None),
             ~sa.exists().where(settings.c.user_id == r.c.user_id,
                                settings.c.disabled.any(kind))]
    if actor_id:
        where.append(r.c.user_id != actor_id)
    if muted is not None:
        where.append(~sa.exists().where(
            follow.c.user_id == r.c.user_id, follow.c.object_type == muted[0],
            follow.c.object_id == muted[1], follow.c.level == "muted"))
    values = {
        "actor_id": actor_id, "kind": kind, "item_type": item_type, "item_id": item_id,
        "package_id": package_id, "community_id": community_id, "title": title,
        "link": link, "hidden": hidden}
    select = sa.select(
        sa.cast(sa.func.gen_random_uuid(), sa.UnicodeText), r.c.user_id,
        *[sa.literal(v, notification.c[k].type).label(k) for k, v in values.items()],
        sa.literal(data, notification.c.data.type) if data is not None
        else sa.cast(sa.null(), notification.c.data.type),
    ).where(*where)
    columns = ["id", "user_id", *values, "data"]
    # the rows written, and in the same statement which of their readers want
    # mail at once (one row back, however many followers were told)
    told = (notification.insert().from_select(columns, select)
            .returning(notification.c.user_id).cte("told"))
    s = settings.c
    count, immediate = model.Session.execute(
        sa.select(sa.func.count(),
                  sa.func.array_agg(told.c.user_id).filter(s.email == "immediately"))
        .select_from(told.outerjoin(settings, s.user_id == told.c.user_id))).one()
    if immediate and not hidden:
        from .mail import written

        written(immediate)  # their mail, queued after the commit
    return count


def followers(object_type: str, object_id: str | None, levels: tuple[str, ...] = ("all",)
              ) -> sa.Select | None:
    """The readers following a thing at one of ``levels``."""
    if not object_id:
        return None
    return sa.select(follow.c.user_id).where(
        follow.c.object_type == object_type, follow.c.object_id == object_id,
        follow.c.level.in_(levels))


def set_follow(user_id: str | None, object_type: str, object_id: str, level: str = "all",
               keep: bool = True) -> None:
    """Follow a thing at ``level``; with ``keep``, a follow the reader
    already has (perhaps muted) stays as it is."""
    if not user_id:
        return
    from sqlalchemy.dialects.postgresql import insert

    stmt = insert(follow).values(id=str(uuid.uuid4()), user_id=user_id,
                                 object_type=object_type, object_id=object_id, level=level)
    if keep:
        stmt = stmt.on_conflict_do_nothing(constraint="crowdsource_follow_once")
    else:
        stmt = stmt.on_conflict_do_update(constraint="crowdsource_follow_once", set_={
            "level": level, "modified": sa.func.now()})
    model.Session.execute(stmt)


def drop_follow(user_id: str, object_type: str, object_id: str) -> int:
    return model.Session.execute(sa.delete(follow).where(
        follow.c.user_id == user_id, follow.c.object_type == object_type,
        follow.c.object_id == object_id)).rowcount


def set_hidden(item_id: str, hidden: bool) -> None:
    """The item was hidden (or deleted) or shown again: its notifications
    follow it."""
    model.Session.execute(sa.update(notification).where(notification.c.item_id == item_id)
                          .values(hidden=hidden))


def visible(context: Context) -> Any:
    """The condition of the notifications the reader may still see: about
    no dataset or a dataset they may ``package_show`` now (CKAN's
    permission labels, asked when read), and not about a hidden item
    (except flags, which are for the staff who look at hidden items)."""
    n = notification.c
    datasets = roles.visible_datasets(context)
    return sa.and_(
        sa.or_(n.package_id.is_(None),
               sa.exists(datasets.where(model.Package.id == n.package_id)
                         .correlate(notification))),
        sa.or_(n.hidden.is_(False), n.kind == "item_flagged"))


def settings_of(user_id: str) -> dict[str, Any]:
    row = model.Session.execute(sa.select(settings).where(settings.c.user_id == user_id)).first()
    disabled = set(row.disabled) if row else set()
    return {"rules": {k: k not in disabled for k in KINDS},
            "email": row.email if row else DEFAULT_EMAIL}
