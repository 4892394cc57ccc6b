"""Actions on lendable datasets: make a dataset lendable, show what may be
borrowed and how much of it is free.

A lendable dataset's record (title, description, availability) is shown to
everyone through ``crowdsource_lendable_show``, never its resources: those
follow CKAN's ``package_show``, which a reader passes only while a loan of
theirs is active (``labels.py``).
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict
from sqlalchemy.dialects.postgresql import insert

from ckanext.crowdsource.common import reindex
from ckanext.crowdsource.common.action import reads, writes
from ckanext.crowdsource.common.db import dataset_or_404
from ckanext.crowdsource.common.pagination import listed, page_bounds
from ckanext.crowdsource.common.roles import (
    can_see_dataset,
    current_user,
    current_user_id,
    is_staff_for,
    people,
    reader_or_404,
)

from . import core, schema
from .model import QUEUED, lendable, loan, reservation, verified

SETTINGS = ("copies", "loan_days", "renewals", "needs_approval", "eligibility",
            "community_ids")


def _mine(context: Context, package_ids: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The caller's live loan and place in the queue of each dataset."""
    me = current_user_id(context)
    if not me or not package_ids:
        return {}, {}
    loans = model.Session.execute(sa.select(loan).where(
        loan.c.user_id == me, loan.c.package_id.in_(package_ids),
        core.holding())).all()
    places = model.Session.execute(sa.select(reservation).where(
        reservation.c.user_id == me, reservation.c.package_id.in_(package_ids),
        reservation.c.state.in_(QUEUED))).all()
    return ({d["package_id"]: d for d in core.loan_dicts(loans)},
            {d["package_id"]: d for d in core.reservation_dicts(places)})


def lendable_dicts(context: Context, rows: list[Any]) -> list[dict[str, Any]]:
    """Lendable datasets as the actions return them: the record, the loan
    settings, availability, and the caller's own loan and place (staff of
    the dataset's organization also see the communities allowed)."""
    free = core.availabilities(rows)
    loans, places = _mine(context, [r.package_id for r in rows])
    out = []
    for r in rows:
        out.append({
            "package_id": r.package_id, "name": r.package_name,
            "title": r.package_title or r.package_name, "notes": r.package_notes or "",
            "owner_org": r.owner_org, "lendable": True, "copies": r.copies,
            "loan_days": r.loan_days, "renewals": r.renewals,
            "needs_approval": r.needs_approval, "eligibility": r.eligibility,
            "community_ids": list(r.community_ids or []),
            "availability": free[r.package_id],
            "my_loan": loans.get(r.package_id), "my_reservation": places.get(r.package_id),
            "can_borrow": _can_borrow(context, r),
            "is_staff": is_staff_for(context, r.owner_org),
            "created": r.created.isoformat() if r.created else None,
            "modified": r.modified.isoformat() if r.modified else None})
    return out


def _can_borrow(context: Context, row: Any) -> bool:
    """What ``crowdsource_loan_request``'s auth function answers, for a row
    already read (sysadmins pass every auth function)."""
    user = current_user(context)
    return user is not None and (user.sysadmin or core.eligible(context, row))


def _communities(context: Context, refs: list[str]) -> list[str]:
    """The ids of these communities (ids or names), or a ValidationError."""
    show = toolkit.get_action("crowdsource_community_show")
    ids = []
    for ref in refs:
        try:
            found = show(toolkit.fresh_context(context), {"id": ref})
        except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
            raise toolkit.ValidationError({"community_ids": [toolkit._(
                "No such community: {ref}").format(ref=ref)]}) from None
        if found.get("status") != "active":
            raise toolkit.ValidationError({"community_ids": [toolkit._(
                "No such community: {ref}").format(ref=ref)]})
        ids.append(found["id"])
    return list(dict.fromkeys(ids))


def _end_all(package_id: str, by: str, out: core.Outbox) -> None:
    """A dataset no longer lendable: its loans revoked, its queue cancelled."""
    from ckanext.crowdsource import events

    for ended in model.Session.execute(
            sa.update(loan).where(loan.c.package_id == package_id,
                                  loan.c.state.in_(("requested", "active")))
            .values(state="revoked", ended=sa.func.now(), decided_by=by,
                    reason="not lendable any more", modified=sa.func.now())
            .returning(loan.c.id, loan.c.user_id)).all():
        out.add(events.loan_ended, ended.id, package_id=package_id, reader_id=ended.user_id,
                user_id=by, state="revoked")
    model.Session.execute(
        sa.update(reservation).where(reservation.c.package_id == package_id,
                                     reservation.c.state.in_(QUEUED))
        .values(state="cancelled", modified=sa.func.now()))


@writes(schema.lendable_set_schema)
def crowdsource_lendable_set(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Make a private dataset lendable, change how it is lent, or stop
    lending it (staff of its organization). Only a private dataset can be
    lent (``package_id`` refuses a public one): its readers then see it while
    a loan of theirs is active. Making it lendable or not reindexes it once;
    stopping revokes its loans and cancels its queue. More copies offer the
    new ones to the readers waiting.

    :param package_id: the dataset's id or name
    :type package_id: string
    :param lendable: false to stop lending it (optional, default true)
    :type lendable: bool
    :param copies: simultaneous loans, 0 for unlimited (optional, default 1)
    :type copies: int
    :param loan_days: the loan period in days (optional, default 14)
    :type loan_days: int
    :param renewals: how many times a loan may be renewed (optional, default 1)
    :type renewals: int
    :param needs_approval: whether loans wait for staff approval (optional,
        default false)
    :type needs_approval: bool
    :param eligibility: who may borrow: ``registered`` (any logged-in
        reader, the default), ``communities`` (active members of
        ``community_ids``) or ``verified`` (readers the library verified;
        until readers can be verified, the dataset's staff alone)
    :type eligibility: string
    :param community_ids: the communities (ids or names) whose members may
        borrow, with ``eligibility`` ``communities``
    :type community_ids: list of strings

    :returns: the lendable dataset, as ``crowdsource_lendable_show`` gives it
    :rtype: dictionary
    """
    pkg = dataset_or_404(data_dict["package_id"])
    toolkit.check_access("crowdsource_lendable_set", context, {"package_id": pkg.id})
    on = data_dict.get("lendable", True)
    me = current_user_id(context)
    existing = model.Session.execute(
        sa.select(lendable).where(lendable.c.package_id == pkg.id)
        .with_for_update()).first()
    if not on:
        if existing is None or not existing.active:
            raise toolkit.ObjectNotFound(toolkit._("This dataset is not lendable"))
        out = core.Outbox()
        _end_all(pkg.id, me, out)
        model.Session.execute(sa.update(lendable).where(lendable.c.id == existing.id)
                              .values(active=False, modified=sa.func.now()))
        reindex.later(pkg.id)
        out.send()
        return {"package_id": pkg.id, "name": pkg.name, "lendable": False}
    if not pkg.private:
        raise toolkit.ValidationError({"package_id": [toolkit._(
            "Only a private dataset can be lent: make it private first")]})
    values = {k: data_dict[k] for k in SETTINGS if k in data_dict}
    if "community_ids" in values:
        values["community_ids"] = _communities(context, values["community_ids"])
    eligibility = values.get("eligibility", existing.eligibility if existing else "registered")
    communities = values.get("community_ids",
                             list(existing.community_ids or []) if existing else [])
    if eligibility == "communities" and not communities:
        raise toolkit.ValidationError({"community_ids": [toolkit._(
            "Name at least one community")]})
    if existing is None:
        model.Session.execute(sa.insert(lendable).values(
            id=core.new_id(), package_id=pkg.id, created_by=me, **values))
        reindex.later(pkg.id)
    else:
        if not existing.active:
            reindex.later(pkg.id)
        model.Session.execute(sa.update(lendable).where(lendable.c.id == existing.id)
                              .values(active=True, modified=sa.func.now(), **values))
    row = core.lendable_row(pkg.id, lock=True)
    out = core.Outbox()
    core.settle(row, out)
    out.send()
    return lendable_dicts(context, [row])[0]


@reads(schema.package_schema)
def crowdsource_lendable_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A lendable dataset's record and availability, for everyone (never
    its resources: those come with ``package_show`` to its borrowers). For
    a dataset that is not lendable, ``{"package_id", "lendable": false}`` to
    those who may see it, and "not found" to others.

    :param package_id: the dataset's id or name
    :type package_id: string

    :returns: ``{"package_id", "name", "title", "notes", "owner_org",
        "lendable", "copies", "loan_days", "renewals", "needs_approval",
        "eligibility", "community_ids", "availability" ({"copies",
        "copies_free" (null: unlimited), "queue_length", "next_free"}),
        "my_loan", "my_reservation" (the caller's, or null), "can_borrow",
        "is_staff", "created", "modified"}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_lendable_show", context, data_dict)
    try:
        row = core.lendable_row(data_dict["package_id"])
    except toolkit.ObjectNotFound:
        pkg = dataset_or_404(data_dict["package_id"])
        if not can_see_dataset(context, pkg.id):
            raise toolkit.ObjectNotFound(toolkit._("Dataset not found")) from None
        return {"package_id": pkg.id, "name": pkg.name, "lendable": False}
    return lendable_dicts(context, [row])[0]


@reads(schema.lendable_list_schema)
def crowdsource_lendable_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Every dataset that may be borrowed, by title: what
    ``crowdsource_lendable_show`` shows of each.

    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count": total, "results": [lendable datasets]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_lendable_list", context, data_dict)
    limit, offset = page_bounds(data_dict)
    p = model.Package
    where = [p.state == "active", lendable.c.active.is_(True)]
    joined = lendable.join(p, p.id == lendable.c.package_id)
    rows = model.Session.execute(
        sa.select(lendable, p.owner_org, p.name.label("package_name"),
                  p.title.label("package_title"), p.notes.label("package_notes"),
                  p.private.label("package_private"))
        .select_from(joined).where(*where)
        .order_by(sa.func.coalesce(p.title, p.name), p.id).limit(limit).offset(offset)).all()
    total = model.Session.execute(
        sa.select(sa.func.count()).select_from(joined).where(*where)).scalar_one()
    return listed(total, lendable_dicts(context, rows))


def _verified_dicts(rows: list[Any]) -> list[dict[str, Any]]:
    names = people({r.user_id for r in rows} | {r.verified_by for r in rows})
    return [{"user_id": r.user_id, "user": names.get(r.user_id, {}).get("name"),
             "display_name": names.get(r.user_id, {}).get("display_name"), "verified": True,
             "verified_by": names.get(r.verified_by, {}).get("name"),
             "verified_at": r.created.isoformat() if r.created else None} for r in rows]


@writes(schema.verify_schema)
def crowdsource_reader_verify(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Mark a reader verified by the library (their identity checked, a
    library card), or take it back (``verified`` false): datasets lent to
    verified readers (eligibility ``verified``) lend to them. Staff of any
    organization; saying it twice is no error. Taking it back ends no loan.

    :param user_id: the reader's id or name
    :type user_id: string
    :param verified: true (the default) to verify, false to take it back
    :type verified: bool

    :returns: ``{"user_id", "user", "display_name", "verified",
        "verified_by", "verified_at"}`` (the last two null when not verified)
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_reader_verify", context, data_dict)
    user = reader_or_404(context, data_dict["user_id"])
    if data_dict.get("verified", True):
        model.Session.execute(insert(verified).values(
            user_id=user.id, verified_by=current_user_id(context))
            .on_conflict_do_nothing(index_elements=[verified.c.user_id]))
        row = model.Session.execute(sa.select(verified).where(
            verified.c.user_id == user.id)).one()
        return _verified_dicts([row])[0]
    model.Session.execute(sa.delete(verified).where(verified.c.user_id == user.id))
    return {"user_id": user.id, "user": user.name, "display_name": user.display_name,
            "verified": False, "verified_by": None, "verified_at": None}


@reads(schema.verified_list_schema)
def crowdsource_reader_verified_list(context: Context, data_dict: DataDict
                                     ) -> dict[str, Any]:
    """The readers the library has verified, the most recent first (staff of
    any organization).

    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count": total, "results": [as crowdsource_reader_verify
        gives them]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_reader_verified_list", context, data_dict)
    limit, offset = page_bounds(data_dict)
    live = sa.exists().where(model.User.id == verified.c.user_id,
                             model.User.state != "deleted")
    rows = model.Session.execute(sa.select(verified).where(live).order_by(
        verified.c.created.desc(), verified.c.user_id).limit(limit).offset(offset)).all()
    total = model.Session.execute(
        sa.select(sa.func.count()).select_from(verified).where(live)).scalar_one()
    return listed(total, _verified_dicts(rows))


def purge_dataset(package_id: str) -> None:
    """A purged dataset's lendable row, loans and reservations go with it."""
    for table in (lendable, loan, reservation):
        model.Session.execute(sa.delete(table).where(table.c.package_id == package_id))


def get_actions() -> dict[str, Any]:
    return {name: fn for name, fn in globals().items()
            if name.startswith("crowdsource_") and callable(fn)}
