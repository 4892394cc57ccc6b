"""The numbers of the staff dashboard: one SQL statement per metric,
whatever the period, over what ``sources`` reads.

Days are the library's local days (``ckan.display_timezone``): each row's
time is turned into local time in SQL (``AT TIME ZONE``) before it is cut
into days, weeks (from Monday) or months, and the period's first day starts
at local midnight.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from ckan import model
from ckan.lib import helpers as h

from . import sources
from .model import search_miss
from .sources import KINDS, OPEN_FEEDBACK, OUTCOMES, claim, feedback, post, task, thread

PERIODS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}
DEFAULT_PERIOD = "30d"
GRANULARITIES = ("day", "week", "month")
# the granularity a period gets when none is asked for
DEFAULT_GRANULARITY = {"7d": "day", "30d": "day", "90d": "week", "365d": "month"}
TASK_STATES = ("open", "completed", "cancelled")
CLAIM_STATES = ("claimed", "submitted", "accepted", "rejected", "released", "expired")
QUEUES = ("feedback", "claims", "questions")
SITE_WIDE = ("searches",)  # metrics of the whole site: sysadmins only
BACKLOGS = ("feedback", "claims", "questions", "premoderation")


def timezone_name() -> str:
    """The library's time zone (``ckan.display_timezone``) as PostgreSQL
    and ``zoneinfo`` name it."""
    tz = h.get_display_timezone()
    return getattr(tz, "zone", None) or getattr(tz, "key", None) or str(tz)


@dataclass(frozen=True)
class Window:
    """The period asked about: from local midnight of its first day to now."""

    period: str
    granularity: str
    tz: str
    now: datetime
    first_day: date

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first_day, time(0), ZoneInfo(self.tz)).astimezone(
            timezone.utc)

    def start_of(self, day: date) -> date:
        if self.granularity == "week":
            return day - timedelta(days=day.weekday())
        if self.granularity == "month":
            return day.replace(day=1)
        return day

    def buckets(self) -> list[date]:
        """Every bucket of the period, in order (each named by its first day)."""
        out: list[date] = []
        today = self.now.astimezone(ZoneInfo(self.tz)).date()
        day = self.first_day
        while day <= today:
            start = self.start_of(day)
            if not out or out[-1] != start:
                out.append(start)
            day += timedelta(days=1)
        return out

    def bucket(self, column: Any) -> sa.ColumnElement[Any]:
        """SQL: the bucket of a ``timestamptz`` column, in local time."""
        local = sa.func.timezone(self.tz, column)
        return sa.cast(sa.func.date_trunc(self.granularity, local), sa.Date)

    def holds(self, column: Any) -> sa.ColumnElement[bool]:
        return sa.and_(column >= self.since, column <= self.now)


def window(period: str, granularity: str | None, now: datetime | None = None) -> Window:
    tz = timezone_name()
    now = now or datetime.now(timezone.utc)
    today = now.astimezone(ZoneInfo(tz)).date()
    return Window(period, granularity or DEFAULT_GRANULARITY[period], tz, now,
                  today - timedelta(days=PERIODS[period] - 1))


@dataclass(frozen=True)
class Scope:
    """Whose numbers: ``orgs`` (None: every organization and the site's own
    items, for sysadmins), one community (``community_id``) or all."""

    orgs: tuple[str, ...] | None
    community_id: str | None = None

    def where(self, owner_org: Any, community_id: Any = None) -> list[Any]:
        out: list[Any] = []
        if self.orgs is not None:
            out.append(owner_org.in_(self.orgs) if self.orgs else sa.false())
        if self.community_id:
            out.append(community_id == self.community_id if community_id is not None
                       else sa.false())
        return out


def _rows(query: Any) -> list[Any]:
    return model.Session.execute(query).all()


def _hours(seconds: Any) -> float | None:
    return None if seconds is None else round(float(seconds) / 3600, 1)


def _epoch(delta: Any) -> sa.ColumnElement[float]:
    return sa.func.extract("epoch", delta)


# --- over time -----------------------------------------------------------------

def contributions(scope: Scope, w: Window, **_: Any) -> list[dict[str, Any]]:
    """Per bucket, the contributions of each kind made in it."""
    c = sources.contributions().c
    b = w.bucket(c.created)
    found = {(r.bucket, r.kind): r.n for r in _rows(
        sa.select(b.label("bucket"), c.kind, sa.func.count().label("n"))
        .where(*scope.where(c.owner_org, c.community_id), w.holds(c.created))
        .group_by(b, c.kind))}
    return [{"bucket": day.isoformat(), **{k: found.get((day, k), 0) for k in KINDS}}
            for day in w.buckets()]


def contributors(scope: Scope, w: Window, **_: Any) -> list[dict[str, Any]]:
    """Per bucket, the readers who contributed in it: new (their first
    contribution in this scope ever) and returning."""
    c = sources.contributions()
    mine = [*scope.where(c.c.owner_org, c.c.community_id), c.c.user_id.isnot(None)]
    firsts = (sa.select(c.c.user_id, sa.func.min(c.c.created).label("first"))
              .where(*mine).group_by(c.c.user_id).subquery("firsts"))
    active = (sa.select(w.bucket(c.c.created).label("bucket"), c.c.user_id)
              .where(*mine, w.holds(c.c.created)).distinct().subquery("active"))
    first_bucket = w.bucket(firsts.c.first)
    found = {r.bucket: r for r in _rows(
        sa.select(active.c.bucket,
                  sa.func.count().filter(first_bucket == active.c.bucket).label("new"),
                  sa.func.count().filter(first_bucket < active.c.bucket).label("returning"))
        .join(firsts, firsts.c.user_id == active.c.user_id).group_by(active.c.bucket))}
    return [{"bucket": day.isoformat(),
             "new": found[day].new if day in found else 0,
             "returning": found[day].returning if day in found else 0}
            for day in w.buckets()]


def throughput(scope: Scope, w: Window, **_: Any) -> list[dict[str, Any]]:
    """Per bucket, task submissions made, and claims accepted and rejected."""
    c, k = claim.c, task.c
    joined, org = sources.with_org(claim.join(task, k.id == c.task_id), k.package_id)
    where = scope.where(org, k.community_id)
    events = sa.union_all(
        sa.select(sa.literal("submitted").label("what"), c.submitted_at.label("at"))
        .select_from(joined).where(*where, w.holds(c.submitted_at)),
        sa.select(c.state.label("what"), c.reviewed_at.label("at")).select_from(joined)
        .where(*where, c.state.in_(("accepted", "rejected")), w.holds(c.reviewed_at)),
    ).subquery("events")
    b = w.bucket(events.c.at)
    found = {(r.bucket, r.what): r.n for r in _rows(
        sa.select(b.label("bucket"), events.c.what, sa.func.count().label("n"))
        .group_by(b, events.c.what))}
    return [{"bucket": day.isoformat(),
             **{what: found.get((day, what), 0) for what in ("submitted", "accepted",
                                                              "rejected")}}
            for day in w.buckets()]


# --- shares and states ------------------------------------------------------------

def outcomes(scope: Scope, w: Window, **_: Any) -> list[dict[str, Any]]:
    """Per kind, the contributions of the period by what became of them."""
    c = sources.contributions().c
    found = {(r.kind, r.outcome): r.n for r in _rows(
        sa.select(c.kind, c.outcome, sa.func.count().label("n"))
        .where(*scope.where(c.owner_org, c.community_id), w.holds(c.created))
        .group_by(c.kind, c.outcome))}
    out = []
    for kind in KINDS:
        counts = {o: found.get((kind, o), 0) for o in OUTCOMES}
        out.append({"kind": kind, **counts, "total": sum(counts.values())})
    return out


def _states(table: sa.TableClause, states: tuple[str, ...], scope: Scope, w: Window,
            package_id: Any, community_id: Any, created: Any, state: Any,
            base: Any = None) -> list[dict[str, Any]]:
    joined, org = sources.with_org(base if base is not None else table, package_id)
    found = dict(_rows(sa.select(state, sa.func.count()).select_from(joined)
                       .where(*scope.where(org, community_id), w.holds(created))
                       .group_by(state)))
    return [{"state": s, "count": found.get(s, 0)} for s in states]


def tasks(scope: Scope, w: Window, **_: Any) -> list[dict[str, Any]]:
    """The tasks posted in the period, by their state now."""
    k = task.c
    return _states(task, TASK_STATES, scope, w, k.package_id, k.community_id, k.created,
                   k.state)


def claims(scope: Scope, w: Window, **_: Any) -> list[dict[str, Any]]:
    """The claims made in the period, by their state now."""
    c, k = claim.c, task.c
    return _states(claim, CLAIM_STATES, scope, w, k.package_id, k.community_id, c.created,
                   c.state, base=claim.join(task, k.id == c.task_id))


# --- service levels and backlogs --------------------------------------------------------

def _first_answers() -> sa.Subquery:
    p = post.c
    return (sa.select(p.thread_id, sa.func.min(p.created).label("at"))
            .where(p.kind == "answer", p.state == "published").group_by(p.thread_id)
            .subquery("first_answer"))


def _feedback_org() -> tuple[sa.FromClause, Any]:
    """Feedback with the organization that answers it (its own, or its
    dataset's), on an active dataset or on none."""
    f, pkg = feedback.c, model.Package
    return (feedback.outerjoin(pkg, pkg.id == f.package_id),
            sa.func.coalesce(f.owner_org, pkg.owner_org))


def _alive(package_id: Any) -> sa.ColumnElement[bool]:
    return sa.or_(package_id.is_(None), model.Package.state == "active")


def _waits(scope: Scope) -> list[sa.Select]:
    """Per queue, ``(queue, start, end)``: when an item began to wait and
    when it was answered (null: waiting still)."""
    f, c, k, th, pkg = feedback.c, claim.c, task.c, thread.c, model.Package
    fb_from, fb_org = _feedback_org()
    answers = _first_answers()
    claims_from, claim_org = sources.with_org(claim.join(task, k.id == c.task_id),
                                              k.package_id)
    q_from = thread.outerjoin(pkg, pkg.id == th.package_id).outerjoin(
        answers, answers.c.thread_id == th.id)
    return [
        sa.select(sa.literal("feedback").label("queue"), f.created.label("start"),
                  f.answered.label("end")).select_from(fb_from)
        .where(*scope.where(fb_org), _alive(f.package_id), f.state == "published"),
        sa.select(sa.literal("claims").label("queue"), c.submitted_at.label("start"),
                  sa.case((c.state.in_(("accepted", "rejected")), c.reviewed_at))
                  .label("end")).select_from(claims_from)
        .where(*scope.where(claim_org, k.community_id), c.submitted_at.isnot(None),
               c.state.in_(("submitted", "accepted", "rejected"))),
        sa.select(sa.literal("questions").label("queue"), th.created.label("start"),
                  answers.c.at.label("end")).select_from(q_from)
        .where(*scope.where(pkg.owner_org, th.community_id), th.kind == "question",
               _alive(th.package_id), th.status != "closed"),
    ]


def service(scope: Scope, w: Window, **_: Any) -> list[dict[str, Any]]:
    """Per queue, how long readers waited for the items answered in the
    period: the staff's first reply to feedback, the review of a submitted
    claim, the first published answer to a question (hours: median, 90th
    percentile)."""
    waits = sa.union_all(*_waits(scope)).subquery("waits")
    seconds = _epoch(waits.c.end - waits.c.start)
    found = {r.queue: r for r in _rows(
        sa.select(waits.c.queue, sa.func.count().label("n"),
                  sa.func.percentile_cont(0.5).within_group(seconds).label("median"),
                  sa.func.percentile_cont(0.9).within_group(seconds).label("p90"))
        .where(waits.c.end.isnot(None), w.holds(waits.c.end)).group_by(waits.c.queue))}
    return [{"queue": q, "answered": found[q].n if q in found else 0,
             "median_hours": _hours(found[q].median) if q in found else None,
             "p90_hours": _hours(found[q].p90) if q in found else None} for q in QUEUES]


def backlog(scope: Scope, w: Window, **_: Any) -> list[dict[str, Any]]:
    """Per queue, what waits now and for how long (hours: median, oldest);
    the period does not change it."""
    f, p, th, pkg = feedback.c, post.c, thread.c, model.Package
    waiting = _waits(scope)
    premoderation = (sa.select(sa.literal("premoderation").label("queue"),
                               p.created.label("start"), sa.null().label("end"))
                     .select_from(post.join(thread, th.id == p.thread_id)
                                  .outerjoin(pkg, pkg.id == p.package_id))
                     .where(*scope.where(pkg.owner_org, th.community_id),
                            _alive(p.package_id), p.state == "pending"))
    fb_open = waiting[0].where(f.status.in_(OPEN_FEEDBACK))
    items = sa.union_all(fb_open, *waiting[1:], premoderation).subquery("items")
    age = _epoch(sa.literal(w.now, sa.DateTime(timezone=True)) - items.c.start)
    found = {r.queue: r for r in _rows(
        sa.select(items.c.queue, sa.func.count().label("n"),
                  sa.func.percentile_cont(0.5).within_group(age).label("median"),
                  sa.func.max(age).label("oldest"))
        .where(items.c.end.is_(None)).group_by(items.c.queue))}
    return [{"queue": q, "waiting": found[q].n if q in found else 0,
             "median_age_hours": _hours(found[q].median) if q in found else None,
             "oldest_age_hours": _hours(found[q].oldest) if q in found else None}
            for q in BACKLOGS]


# --- demand (lists, paged) ----------------------------------------------------------------

def _age_days(w: Window, created: Any) -> sa.ColumnElement[int]:
    return sa.cast(sa.func.floor(_epoch(sa.literal(w.now, sa.DateTime(timezone=True))
                                        - created) / 86400), sa.Integer)


def requests(scope: Scope, w: Window, limit: int, offset: int) -> tuple[int, list[dict]]:
    """Open requests, most seconded first (whenever they were made)."""
    f, pkg = feedback.c, model.Package
    fb_from, fb_org = _feedback_org()
    where = [*scope.where(fb_org), _alive(f.package_id), f.kind == "request",
             f.status.in_(OPEN_FEEDBACK), f.state == "published"]
    count = model.Session.execute(sa.select(sa.func.count()).select_from(fb_from)
                                  .where(*where)).scalar_one()
    rows = _rows(sa.select(f.id, f.title, f.seconds, pkg.name.label("dataset"),
                           _age_days(w, f.created).label("age_days"))
                 .select_from(fb_from).where(*where)
                 .order_by(f.seconds.desc(), f.created, f.id).limit(limit).offset(offset))
    return count, [{"id": r.id, "title": r.title or "", "seconds": r.seconds,
                    "dataset": r.dataset or "", "age_days": r.age_days} for r in rows]


def unanswered(scope: Scope, w: Window, limit: int, offset: int) -> tuple[int, list[dict]]:
    """Open questions without a published answer, oldest first."""
    th, pkg = thread.c, model.Package
    answers = _first_answers()
    where = [*scope.where(pkg.owner_org, th.community_id), _alive(th.package_id),
             th.kind == "question", th.status == "open", answers.c.at.is_(None)]
    joined = thread.outerjoin(pkg, pkg.id == th.package_id).outerjoin(
        answers, answers.c.thread_id == th.id)
    count = model.Session.execute(sa.select(sa.func.count()).select_from(joined)
                                  .where(*where)).scalar_one()
    rows = _rows(sa.select(th.id, th.title, pkg.name.label("dataset"),
                           _age_days(w, th.created).label("age_days"))
                 .select_from(joined).where(*where)
                 .order_by(th.created, th.id).limit(limit).offset(offset))
    return count, [{"id": r.id, "title": r.title or "", "dataset": r.dataset or "",
                    "age_days": r.age_days} for r in rows]


def searches(scope: Scope, w: Window, limit: int, offset: int) -> tuple[int, list[dict]]:
    """The searches on ``/dataset`` that found nothing in the period, by
    normalised query, most searched first (site-wide: a search belongs to
    no organization)."""
    s = search_miss.c
    where = [s.day >= w.first_day]
    count = model.Session.execute(sa.select(sa.func.count(sa.distinct(s.query)))
                                  .where(*where)).scalar_one()
    total = sa.func.sum(s.searches)
    rows = _rows(sa.select(s.query, total.label("searches"), sa.func.max(s.day).label("last"))
                 .where(*where).group_by(s.query).order_by(total.desc(), s.query)
                 .limit(limit).offset(offset))
    return count, [{"query": r.query, "searches": int(r.searches),
                    "last_day": r.last.isoformat()} for r in rows]


Metric = Callable[..., Any]
# metric: (its function, its columns, whether it is a paged list)
METRICS: dict[str, tuple[Metric, tuple[str, ...], bool]] = {
    "contributions": (contributions, ("bucket", *KINDS), False),
    "contributors": (contributors, ("bucket", "new", "returning"), False),
    "outcomes": (outcomes, ("kind", *OUTCOMES, "total"), False),
    "service": (service, ("queue", "answered", "median_hours", "p90_hours"), False),
    "backlog": (backlog, ("queue", "waiting", "median_age_hours", "oldest_age_hours"),
                False),
    "requests": (requests, ("title", "seconds", "dataset", "age_days", "id"), True),
    "unanswered": (unanswered, ("title", "dataset", "age_days", "id"), True),
    "searches": (searches, ("query", "searches", "last_day"), True),
    "tasks": (tasks, ("state", "count"), False),
    "claims": (claims, ("state", "count"), False),
    "throughput": (throughput, ("bucket", "submitted", "accepted", "rejected"), False),
}
