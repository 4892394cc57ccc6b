"""What insight reads of the other capabilities' tables, and nothing more.

Insight never writes those tables and imports none of their modules: it
names the columns it reads through light table clauses (``sa.table``, as
``common/communities.py`` does), so the contract between insight and each
capability is this one file. Every statement built here is a ``SELECT``.

Why not database views made by a migration: CKAN's own ``ckan db clean``
and its test reset (``model.repo.clean_db``) reflect the tables and drop
them without ``CASCADE``, which PostgreSQL refuses while a view depends on
them; a view also pins the type of every column it reads, so another
capability's migration that changes one would fail. A subquery built here
costs the same to PostgreSQL (a view is inlined the same way).
"""
from __future__ import annotations

import sqlalchemy as sa
from ckan import model

tag = sa.table("crowdsource_tag", sa.column("id"), sa.column("package_id"),
               sa.column("user_id"), sa.column("state"), sa.column("created"))
thread = sa.table("crowdsource_thread", sa.column("id"), sa.column("kind"),
                  sa.column("package_id"), sa.column("community_id"), sa.column("user_id"),
                  sa.column("title"), sa.column("status"), sa.column("created"))
post = sa.table("crowdsource_post", sa.column("id"), sa.column("thread_id"),
                sa.column("kind"), sa.column("package_id"), sa.column("user_id"),
                sa.column("state"), sa.column("deleted_by"), sa.column("created"),
                sa.column("modified"))
task = sa.table("crowdsource_task", sa.column("id"), sa.column("package_id"),
                sa.column("community_id"), sa.column("state"), sa.column("created"))
claim = sa.table("crowdsource_claim", sa.column("id"), sa.column("task_id"),
                 sa.column("user_id"), sa.column("state"), sa.column("created"),
                 sa.column("submitted_at"), sa.column("reviewed_at"))
feedback = sa.table("crowdsource_feedback", sa.column("id"), sa.column("kind"),
                    sa.column("package_id"), sa.column("owner_org"), sa.column("user_id"),
                    sa.column("title"), sa.column("status"), sa.column("state"),
                    sa.column("seconds"), sa.column("answered"), sa.column("created"))

# the kinds of contribution, in the order charts and tables show them
KINDS = ("tag", "comment", "question", "answer", "submission", "feedback", "request")
OUTCOMES = ("accepted", "pending", "hidden", "rejected")
OPEN_FEEDBACK = ("new", "acknowledged", "in_progress")
_NULL = sa.null().cast(sa.UnicodeText)


def _post_outcome() -> sa.ColumnElement[str]:
    p = post.c
    return sa.case((p.state == "published", "accepted"), (p.state == "pending", "pending"),
                   (p.state == "hidden", "hidden"), else_="rejected")


def contributions() -> sa.Subquery:
    """Every reader contribution as one row: ``kind``, ``user_id``,
    ``package_id``, ``owner_org`` (the organization that answers for it),
    ``community_id``, ``created``, ``outcome`` (accepted, pending, hidden,
    rejected).

    - tags: shown (accepted) or hidden by staff; a tag its reader removed is
      gone;
    - comments, questions, answers: published (accepted), waiting for
      approval (pending), hidden, or deleted by staff (rejected); deleted by
      their author: left out;
    - task submissions (claims once submitted, counted when submitted):
      accepted, rejected, or waiting for review (pending);
    - feedback and requests: resolved (accepted), declined (rejected),
      hidden, or still open (pending).

    Rows on a dataset that is no longer active are left out.
    """
    t, p, th, c, k, f = tag.c, post.c, thread.c, claim.c, task.c, feedback.c
    branches = [
        sa.select(sa.literal("tag").label("kind"), t.user_id, t.package_id,
                  _NULL.label("org"), _NULL.label("community_id"), t.created,
                  sa.case((t.state == "hidden", "hidden"), else_="accepted").label("outcome")),
        sa.select(p.kind.label("kind"), p.user_id, p.package_id, _NULL.label("org"),
                  th.community_id, p.created, _post_outcome().label("outcome"))
        .join(thread, th.id == p.thread_id)
        .where(sa.or_(p.state != "deleted", p.deleted_by == "staff")),
        sa.select(sa.literal("submission").label("kind"), c.user_id, k.package_id,
                  _NULL.label("org"), k.community_id, c.submitted_at.label("created"),
                  sa.case((c.state == "accepted", "accepted"), (c.state == "rejected", "rejected"),
                          else_="pending").label("outcome"))
        .join(task, k.id == c.task_id).where(c.submitted_at.isnot(None)),
        sa.select(sa.case((f.kind == "request", "request"), else_="feedback").label("kind"),
                  f.user_id, f.package_id, f.owner_org.label("org"),
                  _NULL.label("community_id"), f.created,
                  sa.case((f.state == "hidden", "hidden"), (f.status == "resolved", "accepted"),
                          (f.status == "declined", "rejected"), else_="pending").label("outcome")),
    ]
    union = sa.union_all(*branches).subquery("u")
    pkg = model.Package
    return (sa.select(union.c.kind, union.c.user_id, union.c.package_id,
                      sa.func.coalesce(union.c.org, pkg.owner_org).label("owner_org"),
                      union.c.community_id, union.c.created, union.c.outcome)
            .select_from(union).outerjoin(pkg, pkg.id == union.c.package_id)
            .where(sa.or_(union.c.package_id.is_(None), pkg.state == "active"))
            .subquery("contribution"))


def with_org(table: sa.TableClause, package_id: sa.ColumnElement[str]
             ) -> tuple[sa.FromClause, sa.ColumnElement[str]]:
    """``table`` joined to the active dataset it is about, and the
    dataset's organization (rows of no active dataset drop out)."""
    pkg = model.Package
    return (table.join(pkg, sa.and_(pkg.id == package_id, pkg.state == "active")),
            pkg.owner_org)
