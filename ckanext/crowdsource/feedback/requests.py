"""Actions for public requests and ratings: second, list, the demand, a summary."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict
from sqlalchemy.dialects.postgresql import insert

from ckanext.crowdsource import events
from ckanext.crowdsource.common.action import reads, writes
from ckanext.crowdsource.common.db import dataset_or_404, organization_id
from ckanext.crowdsource.common.pagination import listed, page_bounds
from ckanext.crowdsource.common.roles import can_see_dataset, current_user_id

from . import core, index, schema
from .model import OPEN_STATUSES, feedback, rating, second


@writes(schema.second_schema)
def crowdsource_request_second(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Say "me too" to someone else's open request, once (seconding again
    changes nothing); ``second`` false takes it back. A request that is
    resolved or declined is a ``ValidationError`` on ``status``.

    :param id: the request's id
    :type id: string
    :param second: true (default) or false
    :type second: bool

    :returns: the request, as ``crowdsource_feedback_show`` gives it; its
        ``seconds`` is how many readers seconded it, ``seconded`` whether the
        caller did
    :rtype: dictionary
    """
    item = core.row(data_dict["id"])
    toolkit.check_access("crowdsource_request_second", context, data_dict)
    if item.status not in OPEN_STATUSES:
        raise toolkit.ValidationError({"status": [toolkit._("This request is closed")]})
    user_id = current_user_id(context)
    # the request's row lock keeps its count exact under simultaneous seconds
    model.Session.execute(sa.select(feedback.c.id).where(feedback.c.id == item.id)
                          .with_for_update())
    if data_dict["second"]:
        changed = model.Session.execute(
            insert(second).values(feedback_id=item.id, user_id=user_id)
            .on_conflict_do_nothing()).rowcount
    else:
        changed = -model.Session.execute(sa.delete(second).where(
            second.c.feedback_id == item.id, second.c.user_id == user_id)).rowcount
    if changed:
        model.Session.execute(sa.update(feedback).where(feedback.c.id == item.id)
                              .values(seconds=feedback.c.seconds + changed))
        core.changed()
        events.request_seconded.send(item.id, package_id=item.package_id, user_id=user_id,
                                     seconded=data_dict["second"])
    return core.shown(context, core.row(item.id))


@reads(schema.request_list_schema)
def crowdsource_request_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Public requests the caller can see: about one dataset, one
    organization, or everywhere. ``sort=seconds`` with ``open`` is the
    library's view of reader demand.

    :param package_id: one dataset (optional)
    :type package_id: string
    :param organization: one organization (optional)
    :type organization: string
    :param status: one status (optional)
    :type status: string
    :param open: only requests still open (optional)
    :type open: bool
    :param sort: ``seconds`` (most seconded first) or ``newest`` (default)
    :type sort: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count", "results": [requests as crowdsource_feedback_show
        gives them to the public: with the author's name, without the
        rating]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_request_list", context, data_dict)
    limit, offset = page_bounds(data_dict)
    where = [core.public_requests()]
    if data_dict.get("package_id"):
        pkg = dataset_or_404(data_dict["package_id"])
        # one dataset: whether the caller sees it, instead of the list of all they see
        where.append(feedback.c.package_id == pkg.id)
        if not (pkg.state == "active" and can_see_dataset(context, pkg.id)):
            where.append(sa.false())
    else:
        where.append(core.seen_subjects(context))
    if data_dict.get("organization"):
        where.append(feedback.c.owner_org == organization_id(data_dict["organization"]))
    if data_dict.get("status"):
        where.append(feedback.c.status == data_dict["status"])
    if data_dict.get("open"):
        where.append(feedback.c.status.in_(OPEN_STATUSES))
    order = ([feedback.c.seconds.desc(), feedback.c.created.desc()]
             if data_dict.get("sort") == "seconds" else [feedback.c.created.desc()])
    me = current_user_id(context)
    author = model.user_table
    rows = model.Session.execute(  # one query: the page, the count, authors, my seconds
        core.selected().add_columns(
            sa.func.count().over().label("total"),
            author.c.name.label("author_name"), author.c.fullname.label("author_fullname"),
            (sa.exists().where(second.c.feedback_id == feedback.c.id, second.c.user_id == me)
             if me else sa.false()).label("seconded_by_me"))
        .outerjoin(author, sa.and_(author.c.id == feedback.c.user_id,
                                   author.c.state != "deleted"))
        .where(*where).order_by(*order, feedback.c.id).limit(limit).offset(offset)).all()
    if rows:
        total = rows[0].total
    else:  # none, or none on this page
        total = offset and model.Session.execute(
            sa.select(sa.func.count()).select_from(feedback).where(*where)).scalar_one()
    authors = {r.user_id: {"name": r.author_name,
                           "display_name": r.author_fullname or r.author_name}
               for r in rows if r.author_name is not None}
    return listed(total, [core.item_dict(r, "public", authors, bool(r.seconded_by_me))
                          for r in rows])


@reads(schema.rating_summary_schema)
def crowdsource_rating_summary(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A dataset's average rating and how many readers rated it; individual
    ratings stay private. ``mine`` is the caller's own rating.

    :param package_id: the dataset's id or name
    :type package_id: string

    :returns: ``{"average": float or null, "count": int, "mine": int or null}``
    :rtype: dictionary
    """
    pkg = dataset_or_404(data_dict["package_id"])
    toolkit.check_access("crowdsource_rating_summary", context, {"package_id": pkg.id})
    out = index.summaries([pkg.id])[pkg.id]
    mine = model.Session.execute(sa.select(rating.c.rating).where(
        rating.c.package_id == pkg.id, rating.c.user_id == current_user_id(context))).scalar()
    return {**out, "mine": mine}


def get_actions() -> dict[str, Any]:
    return {
        "crowdsource_request_second": crowdsource_request_second,
        "crowdsource_request_list": crowdsource_request_list,
        "crowdsource_rating_summary": crowdsource_rating_summary,
    }
