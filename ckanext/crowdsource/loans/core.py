"""What the loan actions share: locking a lendable dataset, settling its
loans and offers, counting copies, and turning rows into what the actions
return.

Every change to a dataset's loans and queue locks its lendable row first
(``SELECT ... FOR UPDATE``), so the copies in use are counted right across
all web workers; a reader's requests on different datasets are ordered by a
transaction-level advisory lock on the reader, which keeps the per-reader
limit exact too. Nothing here commits: the actions run in
``common.action.writes``' transaction, and the locks last until it ends.
Signals are collected in an :class:`Outbox` and sent once nothing can refuse
the change any more.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context

from ckanext.crowdsource import events
from ckanext.crowdsource.common import communities, config
from ckanext.crowdsource.common.cache import once_per_request
from ckanext.crowdsource.common.db import one_or_404
from ckanext.crowdsource.common.roles import current_user, is_staff_for, people

from .model import QUEUED, lendable, loan, reservation, verified

# The conditions a refusal names (the key of its ValidationError).
STATE = "state"  # the loan or reservation is not in a state that allows this
ALREADY = "already_borrowing"  # the reader has a loan or a place in the queue already
LIMIT = "loan_limit"  # the reader holds as many loans and reservations as allowed
RENEWALS = "renewals"  # renewed as often as allowed, or others are waiting


def refuse(condition: str, message: str) -> toolkit.ValidationError:
    return toolkit.ValidationError({condition: [message]})


def constraint_errors() -> dict[str, tuple[str, Any]]:
    return {
        "crowdsource_loan_live_once": (ALREADY, lambda: toolkit._(
            "You have borrowed or requested this dataset already")),
        "crowdsource_reservation_live_once": (ALREADY, lambda: toolkit._(
            "You are in the queue for this dataset already")),
        "crowdsource_lendable_copies": ("copies", lambda: toolkit._("Must be 0 or more")),
    }


def now() -> datetime:
    return datetime.now(timezone.utc)


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Outbox:
    """Signals to send once the change can no longer be refused."""

    sends: list[tuple[Any, str, dict[str, Any]]] = field(default_factory=list)

    def add(self, signal: Any, sender: str, **kwargs: Any) -> None:
        self.sends.append((signal, sender, kwargs))

    def send(self) -> None:
        for signal, sender, kwargs in self.sends:
            signal.send(sender, **kwargs)
        self.sends.clear()


def _columns() -> list[Any]:
    p = model.Package
    return [lendable, p.owner_org, p.name.label("package_name"),
            p.title.label("package_title"), p.notes.label("package_notes"),
            p.private.label("package_private")]


def lendable_row(package_id: str, lock: bool = False) -> Any:
    """The dataset's lendable row (locked until the transaction ends, with
    ``lock``), or ``ObjectNotFound``: a dataset that is not lendable, or
    deleted, has none."""
    p = model.Package
    query = (sa.select(*_columns()).join(p, p.id == lendable.c.package_id)
             .where(sa.or_(p.id == package_id, p.name == package_id),
                    p.state == "active", lendable.c.active.is_(True)))
    if lock:
        query = query.with_for_update(of=lendable)
    return one_or_404(query, toolkit._("This dataset is not lendable"))


def loan_row(loan_id: str) -> Any:
    return one_or_404(sa.select(loan).where(loan.c.id == loan_id), toolkit._("Loan not found"))


def reservation_row(reservation_id: str) -> Any:
    return one_or_404(sa.select(reservation).where(reservation.c.id == reservation_id),
                      toolkit._("Reservation not found"))


def user_lock(user_id: str) -> None:
    """Order this reader's requests across all web workers, until the transaction ends."""
    model.Session.execute(sa.select(sa.func.pg_advisory_xact_lock(
        sa.func.hashtextextended(f"crowdsource-loans:{user_id}", 0))))


def in_use(package_id: str) -> int:
    """Copies held: active and requested loans, and offers waiting to be taken."""
    return in_use_of([package_id]).get(package_id, 0)


def holding() -> sa.ColumnElement[bool]:
    """SQL: the loan holds a copy (requested, or active and not yet due: one
    past its due time holds none, even before the sweeper ends it)."""
    return sa.or_(loan.c.state == "requested",
                  sa.and_(loan.c.state == "active", loan.c.due > sa.func.now()))


def offering() -> sa.ColumnElement[bool]:
    """SQL: the reservation is an offer still open."""
    return sa.and_(reservation.c.state == "offered",
                   reservation.c.offer_expires > sa.func.now())


def in_use_of(package_ids: list[str]) -> dict[str, int]:
    """Copies held per dataset, in two queries."""
    if not package_ids:
        return {}
    counts: dict[str, int] = {}
    for table, where in ((loan, holding()), (reservation, offering())):
        for pid, n in model.Session.execute(
                sa.select(table.c.package_id, sa.func.count())
                .where(table.c.package_id.in_(package_ids), where)
                .group_by(table.c.package_id)).all():
            counts[pid] = counts.get(pid, 0) + int(n)
    return counts


def queue_length(package_id: str) -> int:
    return queue_lengths([package_id]).get(package_id, 0)


def queue_lengths(package_ids: list[str]) -> dict[str, int]:
    """Readers waiting per dataset (offers still open included), in one query."""
    if not package_ids:
        return {}
    return {pid: int(n) for pid, n in model.Session.execute(
        sa.select(reservation.c.package_id, sa.func.count())
        .where(reservation.c.package_id.in_(package_ids),
               sa.or_(reservation.c.state == "waiting", offering()))
        .group_by(reservation.c.package_id)).all()}


def free_copies(row: Any) -> int | None:
    """Copies free now (None: unlimited)."""
    if row.copies == 0:
        return None
    return max(row.copies - in_use(row.package_id), 0)


def held_by(user_id: str) -> int:
    """The reader's loans (active or requested) and places in queues."""
    loans = model.Session.execute(
        sa.select(sa.func.count()).select_from(loan)
        .where(loan.c.user_id == user_id, holding())).scalar_one()
    places = model.Session.execute(
        sa.select(sa.func.count()).select_from(reservation)
        .where(reservation.c.user_id == user_id, reservation.c.state.in_(QUEUED))).scalar_one()
    return int(loans) + int(places)


def end_loan(loan_id: str, state: str, by: str | None, reason: str | None = None) -> None:
    model.Session.execute(sa.update(loan).where(loan.c.id == loan_id).values(
        state=state, ended=sa.func.now(), decided_by=by, reason=reason,
        modified=sa.func.now()))


def start_loan(loan_id: str, loan_days: int) -> datetime:
    """Make the loan active from now; its due time."""
    start = now()
    due = start + timedelta(days=loan_days)
    model.Session.execute(sa.update(loan).where(loan.c.id == loan_id).values(
        state="active", started=start, due=due, modified=sa.func.now()))
    return due


def settle(row: Any, out: Outbox) -> None:
    """End the dataset's loans past their due time, pass expired offers on,
    and offer the copies that are free to the first readers waiting. The
    lendable row must be locked."""
    pid = row.package_id
    for ended in model.Session.execute(
            sa.update(loan).where(loan.c.package_id == pid, loan.c.state == "active",
                                  loan.c.due <= sa.func.now())
            .values(state="expired", ended=sa.func.now(), modified=sa.func.now())
            .returning(loan.c.id, loan.c.user_id)).all():
        out.add(events.loan_ended, ended.id, package_id=pid, reader_id=ended.user_id,
                user_id=None, state="expired")
    model.Session.execute(
        sa.update(reservation).where(reservation.c.package_id == pid,
                                     reservation.c.state == "offered",
                                     reservation.c.offer_expires <= sa.func.now())
        .values(state="expired", modified=sa.func.now()))
    offer_free(row, out)


def offer_free(row: Any, out: Outbox) -> None:
    """Turn the first waiting reservations into offers while copies are free."""
    free = free_copies(row)
    waiting = model.Session.execute(
        sa.select(reservation.c.id, reservation.c.user_id)
        .where(reservation.c.package_id == row.package_id, reservation.c.state == "waiting")
        .order_by(reservation.c.seq).limit(free)).all() if free != 0 else []
    if not waiting:
        return
    expires = now() + timedelta(hours=config.loan_offer_hours())
    model.Session.execute(sa.update(reservation)
                          .where(reservation.c.id.in_([w.id for w in waiting]))
                          .values(state="offered", offer_expires=expires,
                                  modified=sa.func.now()))
    for w in waiting:
        out.add(events.loan_offer_made, w.id, package_id=row.package_id, reader_id=w.user_id,
                user_id=None, offer_expires=expires)


def eligible(context: Context, row: Any) -> bool:
    """Whether the caller may borrow the dataset: staff of its organization
    always; else by the lendable's rule (``verified``: the readers staff
    marked verified with ``crowdsource_reader_verify``)."""
    user = current_user(context)
    if user is None:
        return False
    if is_staff_for(context, row.owner_org):
        return True
    if row.eligibility == "registered":
        return True
    if row.eligibility == "communities" and row.community_ids:
        # one query per request, however many datasets a list asks about
        mine = once_per_request(f"my_communities:{user.id}", lambda: set(
            model.Session.execute(communities.my_communities(user.id)).scalars()))
        return bool(mine & set(row.community_ids))
    if row.eligibility == "verified":
        return is_verified(user.id)
    return False


def is_verified(user_id: str) -> bool:
    """Whether the library has verified the reader (asked once per request)."""
    return once_per_request(f"verified_reader:{user_id}", lambda: model.Session.execute(
        sa.select(verified.c.user_id).where(verified.c.user_id == user_id)).first()
        is not None)


def availabilities(rows: list[Any]) -> dict[str, dict[str, Any]]:
    """Per lendable row: its copies, the copies free now (None: unlimited),
    how many readers wait, and when the first active loan is due back (in
    four queries, however many rows)."""
    ids = [r.package_id for r in rows]
    used, queued = in_use_of(ids), queue_lengths(ids)
    due = dict(model.Session.execute(
        sa.select(loan.c.package_id, sa.func.min(loan.c.due))
        .where(loan.c.package_id.in_(ids), loan.c.state == "active",
               loan.c.due > sa.func.now())
        .group_by(loan.c.package_id)).all()) if ids else {}
    out = {}
    for r in rows:
        free = None if r.copies == 0 else max(r.copies - used.get(r.package_id, 0), 0)
        next_free = due.get(r.package_id) if free == 0 else None
        out[r.package_id] = {"copies": r.copies, "copies_free": free,
                             "queue_length": queued.get(r.package_id, 0),
                             "next_free": _iso(next_free)}
    return out


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _packages(ids: set[str]) -> dict[str, Any]:
    if not ids:
        return {}
    p = model.Package
    return {r.id: r for r in model.Session.execute(
        sa.select(p.id, p.name, p.title, p.owner_org).where(p.id.in_(ids))).all()}


def _held(rows: list[Any]) -> list[dict[str, Any]]:
    """What loans and reservations show alike: the dataset, the reader and
    the times (one query for the people, one for the datasets)."""
    names = people({r.user_id for r in rows})
    pkgs = _packages({r.package_id for r in rows})
    out = []
    for r in rows:
        pkg, who = pkgs.get(r.package_id), names.get(r.user_id, {})
        out.append({"id": r.id, "package_id": r.package_id,
                    "package_name": pkg.name if pkg else None,
                    "package_title": (pkg.title or pkg.name) if pkg else None,
                    "user_id": r.user_id, "user": who.get("name"),
                    "display_name": who.get("display_name"),
                    "created": _iso(r.created), "modified": _iso(r.modified)})
    return out


def loan_dicts(rows: list[Any]) -> list[dict[str, Any]]:
    """Loans as the actions return them (one query for the people, one for
    the datasets)."""
    return [{**common, "type": "loan", "state": r.state, "started": _iso(r.started),
             "due": _iso(r.due), "ended": _iso(r.ended), "renewals_used": r.renewals_used,
             "overdue": bool(r.state == "active" and r.due and r.due <= now()),
             "reason": r.reason} for r, common in zip(rows, _held(rows), strict=True)]


def loan_returned(loan_id: str) -> dict[str, Any]:
    return loan_dicts([loan_row(loan_id)])[0]


def places(rows: list[Any]) -> dict[str, int]:
    """Each live reservation's place in its queue (1: first), in one query."""
    live = [r.id for r in rows if r.state in QUEUED]
    if not live:
        return {}
    other = reservation.alias("other")
    counted = (sa.select(sa.func.count()).select_from(other)
               .where(other.c.package_id == reservation.c.package_id,
                      other.c.state.in_(QUEUED), other.c.seq <= reservation.c.seq)
               .scalar_subquery())
    return dict(model.Session.execute(
        sa.select(reservation.c.id, counted).where(reservation.c.id.in_(live))).all())


def reservation_dicts(rows: list[Any]) -> list[dict[str, Any]]:
    place = places(rows)
    return [{**common, "type": "reservation", "state": r.state, "place": place.get(r.id),
             "offer_expires": _iso(r.offer_expires) if r.state == "offered" else None}
            for r, common in zip(rows, _held(rows), strict=True)]


def reservation_returned(reservation_id: str) -> dict[str, Any]:
    return reservation_dicts([reservation_row(reservation_id)])[0]


def staff_of(context: Context, package_id: str) -> bool:
    pkg = model.Package.get(package_id)
    return pkg is not None and is_staff_for(context, pkg.owner_org)
