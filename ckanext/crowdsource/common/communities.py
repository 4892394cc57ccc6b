"""The one way other capabilities ask about subject communities: which
community a group is, whether a reader belongs to it, who moderates it.

Tasks and questions can target a community (``community_id``, a CKAN
group's id) without importing the community capability: they read its two
tables through the light table clauses below, by name (the community
capability owns them and their migrations). Every answer is read from the
database when asked, so a membership or a role taken away ends at once.

A community is *live* while its row is ``active`` and its CKAN group is
not deleted. Targets of a community that is not live (its group deleted,
or a plain group named before communities existed) bind nobody: such a
task is open to everyone, and such a question is an ordinary one.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model

community = sa.table("crowdsource_community", sa.column("id"), sa.column("status"))
member = sa.table("crowdsource_community_member", sa.column("community_id"),
                  sa.column("user_id"), sa.column("role"), sa.column("state"))
# the discussion capability's questions and answers, for a community's experts
thread = sa.table("crowdsource_thread", sa.column("id"), sa.column("kind"),
                  sa.column("community_id"), sa.column("package_id"),
                  sa.column("accepted_post_id"))
post = sa.table("crowdsource_post", sa.column("id"), sa.column("user_id"),
                sa.column("state"), sa.column("created"))
MODERATING = ("moderator", "owner")


def live(community_id: Any) -> sa.ColumnElement[bool]:
    """SQL: ``community_id`` (a column or a value) is a live community."""
    g = model.Group
    return sa.exists().where(community.c.id == community_id, community.c.status == "active",
                             g.id == community.c.id, g.state == "active",
                             g.is_organization.is_(False))


def has_member(community_id: Any, user_id: str | None,
               roles: tuple[str, ...] | None = None) -> sa.ColumnElement[bool]:
    """SQL: ``user_id`` is an active member of ``community_id`` (a column or
    a value), in one of ``roles`` when given."""
    if not user_id:
        return sa.false()
    where = [member.c.community_id == community_id, member.c.user_id == user_id,
             member.c.state == "active"]
    if roles:
        where.append(member.c.role.in_(roles))
    return sa.exists().where(*where)


def my_communities(user_id: str | None) -> sa.Select:
    """SQL: the ids of the live communities the user is an active member of."""
    if not user_id:
        return sa.select(member.c.community_id).where(sa.false())
    return sa.select(member.c.community_id).where(
        member.c.user_id == user_id, member.c.state == "active", live(member.c.community_id))


def live_names() -> list[dict[str, str]]:
    """Every live community's ``name`` and ``display_name``, by title (a
    picker's options: none of the counts ``crowdsource_community_list``
    computes)."""
    g = model.Group
    return [{"name": r.name, "display_name": r.title or r.name}
            for r in model.Session.execute(sa.select(g.name, g.title).where(live(g.id))
                                           .order_by(g.title, g.name))]


def live_community(ref: str) -> Any | None:
    """The live community named by its group's id or name: ``(id, name,
    title)``, or None."""
    g = model.Group
    return model.Session.execute(
        sa.select(g.id, g.name, g.title).where(sa.or_(g.id == ref, g.name == ref),
                                              live(g.id))).first()


def is_member(community_id: str | None, user_id: str | None) -> bool:
    if not community_id or not user_id:
        return False
    return bool(model.Session.execute(sa.select(has_member(community_id, user_id))).scalar())


def moderates(community_id: str | None, user_id: str | None) -> bool:
    """Whether the user moderates (or owns) the live community, now."""
    if not community_id or not user_id:
        return False
    return bool(model.Session.execute(sa.select(sa.and_(
        live(community_id), has_member(community_id, user_id, MODERATING)))).scalar())


def is_live(community_id: str | None) -> bool:
    if not community_id:
        return False
    return bool(model.Session.execute(sa.select(live(community_id))).scalar())


def names(community_ids: set[str | None]) -> dict[str, dict[str, str]]:
    """Name and title of each of these groups (deleted ones too: a page may
    still name a community whose group was deleted), in one query."""
    ids = {c for c in community_ids if c}
    if not ids:
        return {}
    g = model.Group
    rows = model.Session.execute(sa.select(g.id, g.name, g.title, g.state)
                                 .where(g.id.in_(ids))).all()
    return {r.id: {"name": r.name, "title": r.title or r.name, "state": r.state}
            for r in rows}


def experts(community_id: str, visible: sa.Select, limit: int) -> list[dict[str, Any]]:
    """The community's active members whose answers were accepted on
    questions asked within it, most accepted answers first (then the most
    recent), in one query: ``[{"user", "display_name", "accepted_answers"}]``.
    Only questions the viewer may see count: those about no dataset, or
    about a dataset in ``visible`` (the ids of the datasets they may see)."""
    user = model.User
    accepted = sa.func.count(sa.distinct(thread.c.id))
    rows = model.Session.execute(
        sa.select(user.name, user.fullname, accepted.label("accepted"))
        .select_from(thread)
        .join(post, post.c.id == thread.c.accepted_post_id)
        .join(member, sa.and_(member.c.community_id == thread.c.community_id,
                              member.c.user_id == post.c.user_id, member.c.state == "active"))
        .join(user, user.id == post.c.user_id)
        .where(thread.c.community_id == community_id, thread.c.kind == "question",
               post.c.state == "published", user.state == "active",
               sa.or_(thread.c.package_id.is_(None), thread.c.package_id.in_(visible)))
        .group_by(user.id, user.name, user.fullname)
        .order_by(accepted.desc(), sa.func.max(post.c.created).desc(), user.name)
        .limit(limit)).all()
    return [{"user": r.name, "display_name": r.fullname or r.name,
             "accepted_answers": r.accepted} for r in rows]
