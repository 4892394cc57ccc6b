"""Badges: a small set of marks of standing, each awarded once per
(reader, badge, community) and never taken back.

They are decided from recognition's own contribution stream
(``stream.py``), by the same receivers that write it, in the transaction of
the contribution that earned them; each award is announced by the signal
``badge_awarded``. Which badges are on and their numbers are configurable
(``ckanext.crowdsource.recognition.badges*``).
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from sqlalchemy.dialects.postgresql import insert

from ckanext.crowdsource import events
from ckanext.crowdsource.common import config

badge = sa.Table(
    "crowdsource_badge",
    toolkit.BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("user_id", sa.UnicodeText, nullable=False),
    sa.Column("badge", sa.UnicodeText, nullable=False),  # BADGES
    # the community a badge is for ("" for site-wide ones: part of the key)
    sa.Column("community_id", sa.UnicodeText, nullable=False, server_default=""),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.UniqueConstraint("user_id", "badge", "community_id", name="crowdsource_badge_once"),
    sa.Index("crowdsource_badge_badge_idx", "badge", "created"),
    sa.Index("crowdsource_badge_community_idx", "community_id"),
    extend_existing=True,
)

BADGES = ("first_tag", "first_accepted_answer", "tasks_accepted", "community_expert",
          "helpful_reviewer")


def label(name: str) -> str:
    """A badge's name (template helper)."""
    return {
        "first_tag": toolkit._("First tag"),
        "first_accepted_answer": toolkit._("First accepted answer"),
        "tasks_accepted": toolkit._("Task veteran"),
        "community_expert": toolkit._("Community expert"),
        "helpful_reviewer": toolkit._("Helpful reviewer"),
    }.get(name, name)


def description(name: str) -> str:
    """What a badge is for, in words."""
    if name == "tasks_accepted":
        n = config.recognition_badge_threshold("tasks_accepted")
        return toolkit.ungettext("{n} task result accepted by the library",
                                 "{n} task results accepted by the library", n).format(n=n)
    if name == "helpful_reviewer":
        n = config.recognition_badge_threshold("helpful_reviewer")
        return toolkit.ungettext("Reviewed {n} task result", "Reviewed {n} task results",
                                 n).format(n=n)
    if name == "community_expert":
        return toolkit._("Most accepted answers in the community in the last {n} days").format(
            n=config.recognition_badge_threshold("community_expert_days"))
    return {
        "first_tag": toolkit._("Tagged a dataset for the first time"),
        "first_accepted_answer": toolkit._("An answer accepted for the first time"),
    }.get(name, "")


def on(name: str) -> bool:
    return name in config.recognition_badges()


def give(user_id: str | None, name: str, community_id: str | None = None) -> bool:
    """The badge to the reader unless they hold it; whether it is new
    (then ``badge_awarded`` is sent, in this transaction)."""
    if not user_id or not on(name):
        return False
    row_id = model.Session.execute(
        insert(badge).values(id=str(uuid.uuid4()), user_id=user_id, badge=name,
                             community_id=community_id or "")
        .on_conflict_do_nothing(constraint="crowdsource_badge_once")
        .returning(badge.c.id)).scalar()
    if row_id is None:
        return False
    events.badge_awarded.send(row_id, user_id=user_id, badge=name,
                              community_id=community_id or None)
    return True


def _count(user_id: str, kind: str) -> int:
    from .stream import contribution

    c = contribution.c
    return model.Session.execute(sa.select(sa.func.count()).where(
        c.user_id == user_id, c.kind == kind, c.state == "shown")).scalar_one()


# --- the rules, called by the stream's receivers ---------------------------------

def first_tag(user_id: str) -> None:
    give(user_id, "first_tag")


def accepted_answer(user_id: str | None, community_id: str | None) -> None:
    if not user_id:
        return
    give(user_id, "first_accepted_answer")
    if community_id and on("community_expert"):
        _community_expert(user_id, community_id)


def _community_expert(user_id: str, community_id: str) -> None:
    """The reader with most accepted answers in the community lately (at
    least the minimum; ties count) is its expert."""
    from .stream import contribution

    c = contribution.c
    start = datetime.now(timezone.utc) - timedelta(
        days=config.recognition_badge_threshold("community_expert_days"))
    counts = dict(model.Session.execute(
        sa.select(c.user_id, sa.func.count()).where(
            c.kind == "accepted_answer", c.community_id == community_id, c.state == "shown",
            c.created >= start).group_by(c.user_id)).all())
    mine = counts.get(user_id, 0)
    if mine >= config.recognition_badge_threshold("community_expert_minimum") \
            and mine >= max(counts.values()):
        give(user_id, "community_expert", community_id)


def task_done(user_id: str | None) -> None:
    if user_id and on("tasks_accepted") and \
            _count(user_id, "task") >= config.recognition_badge_threshold("tasks_accepted"):
        give(user_id, "tasks_accepted")


def reviewed(user_id: str | None) -> None:
    if user_id and on("helpful_reviewer") and \
            _count(user_id, "review") >= config.recognition_badge_threshold("helpful_reviewer"):
        give(user_id, "helpful_reviewer")


# --- reading ----------------------------------------------------------------------

def of_names(names: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Each named reader's badges (oldest first, each badge once), in one
    query; readers who keep their profile private show none."""
    from .model import settings

    if not names:
        return {}
    u = model.User
    rows = model.Session.execute(
        sa.select(u.name, badge.c.badge, badge.c.community_id)
        .join(u, u.id == badge.c.user_id)
        .where(u.name.in_(names), u.state == "active",
               badge.c.user_id.notin_(sa.select(settings.c.user_id).where(
                   settings.c.public_profile.is_(False))))
        .order_by(badge.c.created)).all()
    found: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    for r in rows:  # a badge held in several communities shows once
        if r.badge not in {b["badge"] for b in found[r.name]}:
            found[r.name].append({"badge": r.badge, "community_id": r.community_id or None})
    return found
