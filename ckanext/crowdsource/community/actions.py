"""Actions on communities: propose, create, review, update, show, list.

Each takes the community as ``id`` (its CKAN group's id or name) and returns
the community as ``crowdsource_community_show`` gives it. The group is made
with CKAN's own ``group_create`` in the same transaction, so a refusal later
in the action leaves no group behind.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict

from ckanext.crowdsource import events
from ckanext.crowdsource.common import communities, config
from ckanext.crowdsource.common.action import inner_context, reads, writes
from ckanext.crowdsource.common.pagination import listed, page_bounds
from ckanext.crowdsource.common.roles import current_user_id, people, visible_datasets

from . import core, schema
from .model import MODERATING, member
from .model import community as community_table

EXPERTS_SHOWN = 5  # the most experts a community shows


def _shown(context: Context, community_id: str) -> dict[str, Any]:
    return crowdsource_community_show(toolkit.fresh_context(context), {"id": community_id})


def _name_is_free(name: str) -> None:
    taken = model.Session.execute(
        sa.select(model.Group.id).where(model.Group.name == name)).first()
    if taken is not None:
        raise toolkit.ValidationError({"name": [toolkit._("That name is taken: choose another")]})


def _new_group(context: Context, data_dict: DataDict, creator: str, state: str) -> str:
    """A new CKAN group, made by CKAN's ``group_create`` as ``creator`` (who
    becomes its admin in CKAN) inside this write's transaction; its id."""
    _name_is_free(data_dict["name"])
    ctx = inner_context(context)
    ctx.pop("auth_user_obj", None)  # type: ignore[misc]
    # our auth function has decided; not ``return_id_only``: the activity
    # plugin's receiver of group_create wants the group's dict
    ctx.update(user=creator, ignore_auth=True)
    try:
        made = toolkit.get_action("group_create")(ctx, {
            "name": data_dict["name"], "title": data_dict["title"],
            "description": data_dict.get("description", "")})
    except toolkit.ValidationError as e:  # CKAN's own checks: its fields are ours
        raise toolkit.ValidationError(e.error_dict) from None
    group_id = made["id"]
    if state != "active":
        group = model.Group.get(group_id)
        group.state = state
        model.Session.flush()
    return group_id


def _make_owner(community_id: str, user_id: str, actor_id: str) -> None:
    """The user becomes an owner (an active member), in the audit log, with
    its signal."""
    row, inserted = core.add_member(community_id, user_id, "owner", "active")
    if not inserted and (row.role, row.state) != ("owner", "active"):
        core.set_member(community_id, user_id, role="owner", state="active")
    core.record(community_id, user_id, "role_owner", actor_id)
    events.community_joined.send(community_id, community_id=community_id, user_id=actor_id,
                                 member_id=user_id, role="owner", state="active")


def _insert(community_id: str, status: str, data_dict: DataDict, scope: dict[str, Any],
            by: str) -> None:
    model.Session.execute(community_table.insert().values(
        id=community_id, status=status, join_policy=data_dict.get("join_policy", "open"),
        scope=scope or sa.null(), proposed_by=by))


def _proposals_waiting(user_id: str) -> int:
    g = model.Group
    return model.Session.execute(
        sa.select(sa.func.count()).select_from(community_table)
        .join(g, g.id == community_table.c.id)
        .where(community_table.c.proposed_by == user_id,
               community_table.c.status == "proposed", core.live())).scalar_one()


@writes(schema.propose_schema)
def crowdsource_community_propose(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Propose a subject community (any logged-in reader). It waits for the
    library's staff to approve it (``crowdsource_community_review``), unless
    ``ckanext.crowdsource.community.approval`` is false: then it is open at
    once. Its proposer becomes its owner when it opens. The community is a
    CKAN group, kept out of sight until it opens; a reader may have
    ``ckanext.crowdsource.community.proposals_per_reader`` proposals waiting
    at once (more are refused under ``proposals``).

    :param name: the group's name in URLs: 2 to 100 lowercase letters,
        digits, ``-`` and ``_``
    :type name: string
    :param title: its title, in Chinese and/or English
    :type title: string
    :param description: what it is about, in markdown (optional)
    :type description: string
    :param join_policy: ``open`` (default: readers join at once) or
        ``request`` (its moderators approve each reader)
    :type join_policy: string
    :param scope: its subject filter, a JSON object with any of ``tags``
        (official tags), ``reader_tags``, ``organization`` (name or id) and
        ``q`` (words): its datasets are those in the group, and those with
        any of its tags or reader tags, of its organization and with all of
        its words (optional)
    :type scope: dictionary

    :returns: the community, as ``crowdsource_community_show`` gives it
        (``status``: ``proposed``, or ``active`` without approval)
    :rtype: dictionary

    Example::

        ckanapi action crowdsource_community_propose name=local-history \\
            title="地方史 Local history" description="The town's past" \\
            scope:'{"tags": ["history"], "reader_tags": ["地方志"]}' -r ... -a ...
    """
    toolkit.check_access("crowdsource_community_propose", context, data_dict)
    me = current_user_id(context)
    approval = config.community_approval()
    if approval:
        # one reader's proposals one at a time, across all web workers
        model.Session.execute(sa.select(sa.func.pg_advisory_xact_lock(
            sa.func.hashtextextended(f"crowdsource-proposals:{me}", 0))))
        limit = config.proposals_per_reader()
        if _proposals_waiting(me) >= limit:
            raise core.refuse(core.PROPOSALS, toolkit._(
                "You have {n} proposals waiting for review already").format(n=limit))
    scope = core.organization_of_scope(data_dict.get("scope") or {})
    site_user = toolkit.get_action("get_site_user")(
        {"ignore_auth": True, "defer_commit": True}, {})["name"]
    # made by the site's own user: the reader gets no powers over the group in CKAN
    group_id = _new_group(context, data_dict, site_user, "pending" if approval else "active")
    status = "proposed" if approval else "active"
    _insert(group_id, status, data_dict, scope, me)
    events.community_proposed.send(group_id, community_id=group_id, user_id=me, status=status)
    if not approval:
        _make_owner(group_id, me, me)
    return _shown(context, group_id)


def _existing_group(ref: str) -> model.Group:
    group = model.Group.get(ref)
    if group is None or group.state != "active":
        raise toolkit.ObjectNotFound(toolkit._("Group not found"))
    if group.is_organization:
        raise toolkit.ValidationError(
            {"id": [toolkit._("An organization cannot be a community")]})
    if model.Session.execute(sa.select(community_table.c.id).where(
            community_table.c.id == group.id)).first() is not None:
        raise toolkit.ValidationError({"id": [toolkit._("This group is a community already")]})
    return group


@writes(schema.create_schema)
def crowdsource_community_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Create a community at once (sysadmins and staff of any organization):
    a new group (``name``, ``title``), or an existing group (``id``) that
    becomes a community, keeping its name, datasets and members in CKAN.

    :param id: an existing group's id or name (optional: instead of ``name``)
    :type id: string
    :param name: a new group's name in URLs (optional: instead of ``id``)
    :type name: string
    :param title: its title; for an existing group, replaces the group's
        (required for a new group)
    :type title: string
    :param description: what it is about, in markdown (optional)
    :type description: string
    :param join_policy: ``open`` (default) or ``request``
    :type join_policy: string
    :param scope: its subject filter, as for ``crowdsource_community_propose``
        (optional)
    :type scope: dictionary
    :param owner: a user (id or name) who becomes its first owner (optional;
        without one, staff look after it until they name one)
    :type owner: string

    :returns: the community, as ``crowdsource_community_show`` gives it
    :rtype: dictionary

    Example::

        ckanapi action crowdsource_community_create name=rare-books title="古籍 Rare books" \\
            join_policy=request owner=wang -r ... -a "$STAFF_TOKEN"
        ckanapi action crowdsource_community_create id=maps-group -r ... -a "$STAFF_TOKEN"
    """
    toolkit.check_access("crowdsource_community_create", context, data_dict)
    me = current_user_id(context)
    owner = core.user_or_error(data_dict["owner"], "owner") if data_dict.get("owner") else None
    scope = core.organization_of_scope(data_dict.get("scope") or {})
    if data_dict.get("id"):
        if data_dict.get("name"):
            raise toolkit.ValidationError({"name": [toolkit._(
                "Give either id (an existing group) or name (a new one)")]})
        group = _existing_group(data_dict["id"])
        for key in ("title", "description"):
            if key in data_dict:
                setattr(group, key, data_dict[key])
        model.Session.flush()  # CKAN's session does not flush by itself
        group_id = group.id
    else:
        missing = {key: [toolkit._("Missing value")] for key in ("name", "title")
                   if not data_dict.get(key)}
        if missing:
            raise toolkit.ValidationError(missing)
        group_id = _new_group(context, data_dict, context["user"], "active")
    _insert(group_id, "active", data_dict, scope, me)
    events.community_created.send(group_id, community_id=group_id, user_id=me)
    if owner is not None:
        _make_owner(group_id, owner.id, me)
    return _shown(context, group_id)


@writes(schema.review_schema)
def crowdsource_community_review(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve or decline a proposed community (sysadmins and staff of any
    organization). Approving opens it and makes its proposer its owner;
    declining deletes its group in CKAN (a sysadmin may purge it from the
    trash to free its name), and the proposer sees the note. A proposal that
    was reviewed already is refused under ``status``.

    :param id: the community's id or name
    :type id: string
    :param decision: ``approve`` or ``decline``
    :type decision: string
    :param note: why, for the proposer (optional)
    :type note: string

    :returns: the community, as ``crowdsource_community_show`` gives it
    :rtype: dictionary
    """
    row = core.seen_row(context, data_dict["id"], lock=True)
    toolkit.check_access("crowdsource_community_review", context, {"id": row.id})
    if row.status != "proposed":
        raise core.refuse(core.STATUS, toolkit._("This proposal was reviewed already"))
    me = current_user_id(context)
    approve = data_dict["decision"] == "approve"
    note = data_dict.get("note", "")
    model.Session.execute(sa.update(community_table).where(community_table.c.id == row.id)
                          .values(status="active" if approve else "declined", reviewed_by=me,
                                  review_note=note, reviewed_at=sa.func.now(),
                                  modified=sa.func.now()))
    model.Group.get(row.id).state = "active" if approve else "deleted"
    model.Session.flush()
    core.record_review(row.id, data_dict["decision"], me, note)
    signal = events.community_approved if approve else events.community_declined
    signal.send(row.id, community_id=row.id, user_id=me, proposer_id=row.proposed_by)
    proposer = model.User.get(row.proposed_by) if row.proposed_by else None
    if approve and proposer is not None and proposer.state == "active":
        _make_owner(row.id, proposer.id, me)
    return _shown(context, row.id)


@writes(schema.update_schema)
def crowdsource_community_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change a community: its owners and the library's staff change any of
    these, its moderators the subject filter (``scope``) alone, and a
    proposer their proposal while it waits. A declined proposal is refused
    under ``status``. Readers waiting to join an on-request community keep
    waiting when it becomes open: its moderators still decide.

    :param id: the community's id or name
    :type id: string
    :param title: its title (optional)
    :type title: string
    :param description: what it is about, in markdown (optional)
    :type description: string
    :param join_policy: ``open`` or ``request`` (optional)
    :type join_policy: string
    :param scope: its subject filter, as for ``crowdsource_community_propose``;
        ``{}`` removes it (optional)
    :type scope: dictionary

    :returns: the community, as ``crowdsource_community_show`` gives it
    :rtype: dictionary
    """
    row = core.seen_row(context, data_dict["id"], lock=True)
    toolkit.check_access("crowdsource_community_update", context, {**data_dict, "id": row.id})
    if row.status == "declined":
        raise core.refuse(core.STATUS, toolkit._("This proposal was declined"))
    values: dict[str, Any] = {}
    if "join_policy" in data_dict:
        values["join_policy"] = data_dict["join_policy"]
    if "scope" in data_dict:
        values["scope"] = core.organization_of_scope(data_dict["scope"]) or sa.null()
    group = model.Group.get(row.id)
    for key in ("title", "description"):
        if key in data_dict:
            setattr(group, key, data_dict[key])
    model.Session.execute(sa.update(community_table).where(community_table.c.id == row.id)
                          .values(modified=sa.func.now(), **values))
    model.Session.flush()
    changed = sorted(k for k in data_dict if k != "id")
    events.community_updated.send(row.id, community_id=row.id, user_id=current_user_id(context),
                                  fields=changed)
    return _shown(context, row.id)


@reads(schema.id_schema)
def crowdsource_community_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A community: everyone sees an active one; a proposal only its
    proposer and the library's staff (others are told it does not exist).
    Its moderators and staff also see how many readers wait to join.

    :param id: the community's id or name (its group's)
    :type id: string

    :returns: ``{"id", "name", "title", "display_name", "description",
        "image_url", "status", "join_policy", "scope", "dataset_search"
        ({"fq"}: its datasets, for package_search), "proposed_by",
        "member_count", "my_membership" ({"role", "state"} or null),
        "moderators" ([{"user", "display_name", "role"}]: owners and
        moderators), "experts" ([{"user", "display_name",
        "accepted_answers"}]: the members whose answers to questions asked
        within it were accepted, most first, at most
        five; questions on datasets the caller may not see do
        not count), "created", "modified"}``, with ``"reviewed_by",
        "review_note", "reviewed_at"`` for staff and the proposer once it was
        reviewed, and ``"pending_count"`` for those who decide on requests
    :rtype: dictionary
    """
    row = core.seen_row(context, data_dict["id"])
    toolkit.check_access("crowdsource_community_show", context, {"id": row.id})
    out = core.community_dicts(context, [row])[0]
    leaders = model.Session.execute(
        sa.select(member.c.user_id, member.c.role)
        .join(model.User, model.User.id == member.c.user_id)
        .where(member.c.community_id == row.id, member.c.state == "active",
               member.c.role.in_(MODERATING), model.User.state != "deleted")
        .order_by(sa.case((member.c.role == "owner", 0), else_=1), member.c.created,
                  member.c.id)).all()
    names = people({r.user_id for r in leaders})
    out["moderators"] = [{"user": names.get(r.user_id, {}).get("name"),
                          "display_name": names.get(r.user_id, {}).get("display_name"),
                          "role": r.role} for r in leaders]
    out["experts"] = communities.experts(row.id, visible_datasets(context), EXPERTS_SHOWN)
    if core.moderates(context, row.id):
        out["pending_count"] = model.Session.execute(
            sa.select(sa.func.count()).select_from(member)
            .where(member.c.community_id == row.id, member.c.state == "pending")).scalar_one()
    return out


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@reads(schema.list_schema)
def crowdsource_community_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Communities, with their member counts: the active ones (everyone), or
    the proposals (``status``): all of them for the library's staff, their
    own for readers. Communities whose group was deleted are not listed.

    :param q: words of the name, title or description (optional)
    :type q: string
    :param mine: only communities the caller belongs to or asked to join
        (optional)
    :type mine: bool
    :param status: ``active`` (default), ``proposed`` or ``declined``
    :type status: string
    :param sort: ``mine`` (default: the caller's own communities first, then
        by title), ``name`` (by title), ``members`` (most members first) or
        ``newest``
    :type sort: string
    :param limit: page size (optional)
    :type limit: int
    :param offset: how many to skip (optional)
    :type offset: int

    :returns: ``{"count": total, "results": [communities as
        crowdsource_community_show gives them, without "moderators" and
        "pending_count"]}``
    :rtype: dictionary
    """
    toolkit.check_access("crowdsource_community_list", context, data_dict)
    limit, offset = page_bounds(data_dict)
    g, c = model.Group, community_table
    me = current_user_id(context)
    status = data_dict.get("status", "active")
    where = [c.c.status == status, core.live()]
    if status != "active" and not core.is_library_staff(context):
        where.append(c.c.proposed_by == me if me else sa.false())
    if data_dict.get("mine"):
        where.append(sa.exists().where(member.c.community_id == c.c.id,
                                       member.c.user_id == me) if me else sa.false())
    for word in (data_dict.get("q") or "").split():
        pattern = f"%{_escape_like(word)}%"
        where.append(sa.or_(g.name.ilike(pattern), g.title.ilike(pattern),
                            g.description.ilike(pattern)))
    title = sa.func.lower(sa.func.coalesce(sa.func.nullif(g.title, ""), g.name))
    sort = data_dict.get("sort", "mine")
    query = core.select_rows().where(*where)
    if sort == "members":
        counts = (sa.select(member.c.community_id, sa.func.count().label("n"))
                  .where(member.c.state == "active").group_by(member.c.community_id)
                  .subquery())
        query = query.outerjoin(counts, counts.c.community_id == c.c.id)
        order = [sa.func.coalesce(counts.c.n, 0).desc(), title]
    elif sort == "newest":
        order = [c.c.created.desc()]
    elif sort == "mine" and me:
        mine = sa.exists().where(member.c.community_id == c.c.id, member.c.user_id == me)
        order = [mine.desc(), title]
    else:
        order = [title]
    rows = model.Session.execute(query.order_by(*order, c.c.id).limit(limit).offset(offset)).all()
    total = model.Session.execute(
        sa.select(sa.func.count()).select_from(c).join(g, g.id == c.c.id).where(*where)
    ).scalar_one()
    return listed(total, core.community_dicts(context, rows))


def get_actions() -> dict[str, Any]:
    return {
        "crowdsource_community_propose": crowdsource_community_propose,
        "crowdsource_community_create": crowdsource_community_create,
        "crowdsource_community_review": crowdsource_community_review,
        "crowdsource_community_update": crowdsource_community_update,
        "crowdsource_community_show": crowdsource_community_show,
        "crowdsource_community_list": crowdsource_community_list,
    }

