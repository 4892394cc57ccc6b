"""Actions on loans and reservations: borrow (or join the queue), approve,
decline, renew, return, revoke, cancel, read; and the sweeper.

Loan actions take the loan as ``id`` (``crowdsource_loan_request`` takes
the dataset) and return the loan as ``crowdsource_loan_show`` gives it.
Every change locks the dataset's lendable row first (``core``), and settles
its loans past due and its offers past their time before it decides. A
refusal for a state conflict names the condition (``state``,
``already_borrowing``, ``loan_limit``, ``renewals``).
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict

from ckanext.crowdsource import events
from ckanext.crowdsource.common import config
from ckanext.crowdsource.common.action import reads, writes
from ckanext.crowdsource.common.db import organization_id
from ckanext.crowdsource.common.pagination import listed, page_bounds
from ckanext.crowdsource.common.roles import current_user_id, staff_org_ids

from . import core, schema
from .model import HOLDING, QUEUED, lendable, loan, reservation


def _new_loan(row: Any, user_id: str, by: str, out: core.Outbox) -> str:
    """A loan of the locked lendable ``row``: active at once, or requested
    when the dataset's loans wait for approval."""
    loan_id = core.new_id()
    model.Session.execute(sa.insert(loan).values(
        id=loan_id, package_id=row.package_id, user_id=user_id, state="requested"))
    if not row.needs_approval:
        due = core.start_loan(loan_id, row.loan_days)
        out.add(events.loan_started, loan_id, package_id=row.package_id, reader_id=user_id,
                user_id=by, due=due)
    return loan_id


@writes(schema.package_schema)
def crowdsource_loan_request(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Borrow a lendable dataset: a loan at once when a copy is free (or a
    request waiting for staff approval, when its loans need it), otherwise
    a place at the end of its queue. A reader offered a copy from the queue
    takes it up this way. A reader holds at most
    ``ckanext.crowdsource.loans.per_reader_limit`` loans and places in
    queues at once. Refusals: ``already_borrowing``, ``loan_limit``.

    :param package_id: the dataset's id or name
    :type package_id: string

    :returns: the loan, as ``crowdsource_loan_show`` gives it, or (queued)
        the reservation, as ``crowdsource_reservation_list`` gives it; its
        ``type`` says which
    :rtype: dictionary
    """
    first = core.lendable_row(data_dict["package_id"])
    toolkit.check_access("crowdsource_loan_request", context, {"package_id": first.package_id})
    me = current_user_id(context)
    core.user_lock(me)
    row = core.lendable_row(first.package_id, lock=True)
    out = core.Outbox()
    core.settle(row, out)
    if model.Session.execute(sa.select(loan.c.id).where(
            loan.c.package_id == row.package_id, loan.c.user_id == me,
            core.holding())).first():
        raise core.refuse(core.ALREADY, toolkit._(
            "You have borrowed or requested this dataset already"))
    place = model.Session.execute(sa.select(reservation).where(
        reservation.c.package_id == row.package_id, reservation.c.user_id == me,
        reservation.c.state.in_(QUEUED))).first()
    if place is not None and place.state == "waiting":
        raise core.refuse(core.ALREADY, toolkit._(
            "You are in the queue for this dataset already"))
    if place is not None:  # an offer: the copy held for it becomes the loan
        model.Session.execute(sa.update(reservation).where(reservation.c.id == place.id)
                              .values(state="taken", modified=sa.func.now()))
        loan_id = _new_loan(row, me, me, out)
        out.send()
        return core.loan_returned(loan_id)
    limit = config.loans_per_reader_limit()
    if core.held_by(me) >= limit:
        raise core.refuse(core.LIMIT, toolkit._(
            "You may hold {n} loans and reservations at once").format(n=limit))
    if core.free_copies(row) != 0:
        loan_id = _new_loan(row, me, me, out)
        out.send()
        return core.loan_returned(loan_id)
    reservation_id = core.new_id()
    model.Session.execute(sa.insert(reservation).values(
        id=reservation_id, package_id=row.package_id, user_id=me, state="waiting"))
    out.send()
    return core.reservation_returned(reservation_id)


def _locked(context: Context, loan_id: str, action: str) -> tuple[Any, Any, core.Outbox]:
    """The loan after its dataset's row is locked and settled, the row, and
    the outbox; access checked for ``action``."""
    first = core.loan_row(loan_id)
    toolkit.check_access(action, context, {"id": loan_id})
    row = core.lendable_row(first.package_id, lock=True)
    out = core.Outbox()
    core.settle(row, out)
    return core.loan_row(loan_id), row, out


def _in_state(found: Any, *states: str) -> None:
    if found.state not in states:
        raise core.refuse(core.STATE, toolkit._("This loan is {state}").format(
            state=found.state))


def _ended(context: Context, found: Any, row: Any, out: core.Outbox, state: str,
           reason: str | None = None) -> dict[str, Any]:
    """End the loan in ``state``, offer its copy to the next reader, send."""
    me = current_user_id(context)
    core.end_loan(found.id, state, me, reason)
    core.offer_free(row, out)
    out.add(events.loan_ended, found.id, package_id=row.package_id, reader_id=found.user_id,
            user_id=me, state=state)
    out.send()
    return core.loan_returned(found.id)


@writes(schema.id_schema)
def crowdsource_loan_approve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve a requested loan (staff): it starts now, for the dataset's
    loan period. Refusal: ``state`` (not requested).

    :param id: the loan's id
    :type id: string

    :returns: the loan, as ``crowdsource_loan_show`` gives it
    :rtype: dictionary
    """
    found, row, out = _locked(context, data_dict["id"], "crowdsource_loan_approve")
    _in_state(found, "requested")
    due = core.start_loan(found.id, row.loan_days)
    model.Session.execute(sa.update(loan).where(loan.c.id == found.id)
                          .values(decided_by=current_user_id(context)))
    out.add(events.loan_started, found.id, package_id=row.package_id, reader_id=found.user_id,
            user_id=current_user_id(context), due=due)
    out.send()
    return core.loan_returned(found.id)


@writes(schema.id_reason_schema)
def crowdsource_loan_decline(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Decline a requested loan (staff); its copy goes to the next reader
    waiting. Refusal: ``state`` (not requested).

    :param id: the loan's id
    :type id: string
    :param reason: why, shown to the reader (optional)
    :type reason: string

    :returns: the loan, as ``crowdsource_loan_show`` gives it
    :rtype: dictionary
    """
    found, row, out = _locked(context, data_dict["id"], "crowdsource_loan_decline")
    _in_state(found, "requested")
    return _ended(context, found, row, out, "declined", data_dict.get("reason"))


@writes(schema.id_reason_schema)
def crowdsource_loan_revoke(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """End an active (or requested) loan early (staff): access ends at once
    and the copy goes to the next reader waiting. Refusal: ``state``.

    :param id: the loan's id
    :type id: string
    :param reason: why, shown to the reader (optional)
    :type reason: string

    :returns: the loan, as ``crowdsource_loan_show`` gives it
    :rtype: dictionary
    """
    found, row, out = _locked(context, data_dict["id"], "crowdsource_loan_revoke")
    _in_state(found, "active", "requested")
    return _ended(context, found, row, out, "revoked", data_dict.get("reason"))


@writes(schema.id_schema)
def crowdsource_loan_return(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Give a loan back (the borrower, or staff), or withdraw a request
    still waiting for approval: access ends at once and the copy goes to the
    next reader waiting. Refusal: ``state``.

    :param id: the loan's id
    :type id: string

    :returns: the loan, as ``crowdsource_loan_show`` gives it
    :rtype: dictionary
    """
    found, row, out = _locked(context, data_dict["id"], "crowdsource_loan_return")
    _in_state(found, "active", "requested")
    return _ended(context, found, row, out, "returned")


@writes(schema.id_schema)
def crowdsource_loan_renew(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Extend an active loan by the dataset's loan period (the borrower, or
    staff), up to its number of renewals, and only while nobody waits for
    the dataset (``renewals`` refuses otherwise; ``state`` when the loan is
    not active).

    :param id: the loan's id
    :type id: string

    :returns: the loan, as ``crowdsource_loan_show`` gives it
    :rtype: dictionary
    """
    found, row, out = _locked(context, data_dict["id"], "crowdsource_loan_renew")
    _in_state(found, "active")
    if found.renewals_used >= row.renewals:
        raise core.refuse(core.RENEWALS, toolkit._(
            "This loan can be renewed {n} times").format(n=row.renewals))
    if core.queue_length(row.package_id):
        raise core.refuse(core.RENEWALS, toolkit._(
            "Other readers are waiting for this dataset: it cannot be renewed"))
    model.Session.execute(sa.update(loan).where(loan.c.id == found.id).values(
        due=found.due + timedelta(days=row.loan_days), renewals_used=found.renewals_used + 1,
        due_soon_sent=False, modified=sa.func.now()))
    out.send()
    return core.loan_returned(found.id)


@reads(schema.id_schema)
def crowdsource_loan_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A loan (its borrower, and staff of its dataset's organization).

    :param id: the loan's id
    :type id: string

    :returns: ``{"id", "type": "loan", "package_id", "package_name",
        "package_title", "user_id", "user", "display_name", "state",
        "started", "due", "ended", "renewals_used", "overdue", "reason",
        "created", "modified"}``
    :rtype: dictionary
    """
    found = core.loan_row(data_dict["id"])
    toolkit.check_access("crowdsource_loan_show", context, {"id": found.id})
    return core.loan_dicts([found])[0]


def _whose(context: Context, table: Any, data_dict: DataDict) -> list[Any]:
    """The list's filter: a dataset's, an organization's or the loan desk's
    rows (staff), else the caller's own."""
    if data_dict.get("package_id"):
        pkg = model.Package.get(data_dict["package_id"])
        return [table.c.package_id == (pkg.id if pkg else data_dict["package_id"])]
    if data_dict.get("organization"):
        org = organization_id(data_dict["organization"])
        return [table.c.package_id.in_(sa.select(model.Package.id)
                                       .where(model.Package.owner_org == org))]
    if data_dict.get("desk"):
        orgs = staff_org_ids(context)
        if orgs is None:  # sysadmins: every organization
            return []
        return [table.c.package_id.in_(sa.select(model.Package.id)
                                       .where(model.Package.owner_org.in_(orgs)))]
    return [table.c.user_id == current_user_id(context)]


@reads(schema.loan_list_schema)
def crowdsource_loan_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Loans, newest first: the caller's own; or (staff) a dataset's, an
    organization's, or (``desk``) those of every organization the caller is
    staff of.

    :param package_id: a dataset's loans (staff; optional)
    :type package_id: string
    :param organization: an organization's loans (staff; optional)
    :type organization: string
    :param desk: the loans of every organization the caller is staff of
        (staff; optional)
    :type desk: bool
    :param state: only loans in this state (optional)
    :type state: string
    :param overdue: only active loans past their due time (optional)
    :type overdue: bool
    :param ended: only loans that have ended (returned, expired, revoked,
        declined: the history; optional)
    :type ended: bool
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count": total, "results": [loans]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_loan_list", context, data_dict)
    where = _whose(context, loan, data_dict)
    if data_dict.get("state"):
        where.append(loan.c.state == data_dict["state"])
    if data_dict.get("overdue"):
        where.extend([loan.c.state == "active", loan.c.due <= sa.func.now()])
    if data_dict.get("ended"):
        where.append(loan.c.state.notin_(HOLDING))
    limit, offset = page_bounds(data_dict)
    rows = model.Session.execute(sa.select(loan).where(*where).order_by(
        loan.c.created.desc(), loan.c.id).limit(limit).offset(offset)).all()
    total = model.Session.execute(
        sa.select(sa.func.count()).select_from(loan).where(*where)).scalar_one()
    return listed(total, core.loan_dicts(rows))


@writes(schema.id_schema)
def crowdsource_reservation_cancel(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Leave a queue (the reader, or staff), or turn down an offer, which
    then passes to the next reader waiting. Refusal: ``state``.

    :param id: the reservation's id
    :type id: string

    :returns: the reservation, as ``crowdsource_reservation_list`` gives it
    :rtype: dictionary
    """
    first = core.reservation_row(data_dict["id"])
    toolkit.check_access("crowdsource_reservation_cancel", context, {"id": first.id})
    row = core.lendable_row(first.package_id, lock=True)
    out = core.Outbox()
    core.settle(row, out)
    found = core.reservation_row(first.id)
    if found.state not in QUEUED:
        raise core.refuse(core.STATE, toolkit._("This reservation is {state}").format(
            state=found.state))
    model.Session.execute(sa.update(reservation).where(reservation.c.id == found.id)
                          .values(state="cancelled", modified=sa.func.now()))
    core.offer_free(row, out)
    out.send()
    return core.reservation_returned(found.id)


@reads(schema.reservation_list_schema)
def crowdsource_reservation_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Reservations in queue order: the caller's own; or (staff) a
    dataset's or an organization's queues, or (``desk``) those of every
    organization the caller is staff of. Without ``state``, those still in
    a queue (waiting or offered).

    :param package_id: a dataset's queue (staff; optional)
    :type package_id: string
    :param organization: an organization's queues (staff; optional)
    :type organization: string
    :param desk: the queues of every organization the caller is staff of
        (staff; optional)
    :type desk: bool
    :param state: only reservations in this state (optional)
    :type state: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count": total, "results": [{"id", "type": "reservation",
        "package_id", "package_name", "package_title", "user_id", "user",
        "display_name", "state", "place" (in the queue, 1 first; null when
        no longer queued), "offer_expires", "created", "modified"}]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_reservation_list", context, data_dict)
    where = _whose(context, reservation, data_dict)
    where.append(reservation.c.state == data_dict["state"] if data_dict.get("state")
                 else reservation.c.state.in_(QUEUED))
    limit, offset = page_bounds(data_dict)
    rows = model.Session.execute(sa.select(reservation).where(*where).order_by(
        reservation.c.package_id, reservation.c.seq).limit(limit).offset(offset)).all()
    total = model.Session.execute(
        sa.select(sa.func.count()).select_from(reservation).where(*where)).scalar_one()
    return listed(total, core.reservation_dicts(rows))


@writes(schema.empty_schema, limited=False)
def crowdsource_loans_expire(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The sweeper (sysadmins; ``ckan crowdsource expire-loans``): end the
    loans past their due time, pass offers past their time on to the next
    readers, and send "due soon" once per loan period for loans ending
    within ``ckanext.crowdsource.loans.due_soon_hours``. Running it twice
    changes nothing the second time.

    :returns: ``{"count": loans ended, "results": [their ids]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_loans_expire", context, data_dict)
    stale = sa.union(
        sa.select(loan.c.package_id).where(loan.c.state == "active",
                                           loan.c.due <= sa.func.now()),
        sa.select(reservation.c.package_id).where(
            reservation.c.state == "offered", reservation.c.offer_expires <= sa.func.now()))
    package_ids = model.Session.execute(
        sa.select(lendable.c.package_id).where(lendable.c.package_id.in_(stale))
        .order_by(lendable.c.package_id)).scalars().all()
    out = core.Outbox()
    for package_id in package_ids:
        try:
            row = core.lendable_row(package_id, lock=True)
        except toolkit.ObjectNotFound:
            continue
        core.settle(row, out)
    ended = [sender for signal, sender, _ in out.sends if signal is events.loan_ended]
    soon = model.Session.execute(
        sa.update(loan).where(
            loan.c.state == "active", loan.c.due_soon_sent.is_(False),
            loan.c.due <= sa.func.now() + sa.func.make_interval(
                0, 0, 0, 0, config.loan_due_soon_hours()))
        .values(due_soon_sent=True).returning(loan.c.id, loan.c.package_id, loan.c.user_id,
                                              loan.c.due)).all()
    for r in soon:
        out.add(events.loan_due_soon, r.id, package_id=r.package_id, reader_id=r.user_id,
                user_id=None, due=r.due)
    out.send()
    return listed(len(ended), ended)


def reader_deleted(user_id: str) -> None:
    """``user_delete_hooks``: a deleted reader's loans end (revoked) and
    their places in queues go (cancelled); each copy let go is offered to the
    next reader waiting."""
    held = sa.union(
        sa.select(loan.c.package_id).where(loan.c.user_id == user_id,
                                           loan.c.state.in_(HOLDING)),
        sa.select(reservation.c.package_id).where(reservation.c.user_id == user_id,
                                                  reservation.c.state.in_(QUEUED)))
    out = core.Outbox()
    for package_id in model.Session.execute(
            sa.select(lendable.c.package_id).where(lendable.c.package_id.in_(held))
            .order_by(lendable.c.package_id)).scalars().all():
        try:
            row = core.lendable_row(package_id, lock=True)
        except toolkit.ObjectNotFound:  # not lent any more: nothing waits
            continue
        core.settle(row, out)
        for ended in model.Session.execute(
                sa.update(loan).where(loan.c.package_id == package_id,
                                      loan.c.user_id == user_id, loan.c.state.in_(HOLDING))
                .values(state="revoked", ended=sa.func.now(), modified=sa.func.now())
                .returning(loan.c.id)).scalars().all():
            out.add(events.loan_ended, ended, package_id=package_id, reader_id=user_id,
                    user_id=None, state="revoked")
        model.Session.execute(
            sa.update(reservation).where(reservation.c.package_id == package_id,
                                         reservation.c.user_id == user_id,
                                         reservation.c.state.in_(QUEUED))
            .values(state="cancelled", modified=sa.func.now()))
        core.offer_free(row, out)
    out.send()


def get_actions() -> dict[str, Any]:
    return {name: fn for name, fn in globals().items()
            if name.startswith("crowdsource_") and callable(fn)}
