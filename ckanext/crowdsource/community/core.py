"""What the community actions share: finding a community and who may see
it, the caller's role in it, the rows' locks, the audit log, the subject
filter as a search, and what the actions return.

A community is *gone* when its CKAN group is deleted (``group_delete``): it is
then neither shown nor listed, and its rows wait for the group's purge. A
declined proposal is the exception: its group is deleted by the decision
(so that a sysadmin can purge it from CKAN's trash and free its name), and
its proposer and the staff still see why it was declined.

Changes to a community's members and roles lock the community's row first
(``SELECT ... FOR UPDATE``), so two owners leaving at the same moment cannot
both leave it without an owner. Joining does not lock it: the unique row per
reader and community is enough (``INSERT ... ON CONFLICT DO NOTHING``).
Nothing here commits: the actions run in ``common.action.writes``'
transaction.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context
from sqlalchemy.dialects.postgresql import insert

from ckanext.crowdsource import events
from ckanext.crowdsource.common.cache import once_per_request, request_memo
from ckanext.crowdsource.common.roles import (
    current_user_id,
    is_library_staff,
    people,
)
from ckanext.crowdsource.moderation import core as moderation

from .model import MODERATING, community, member

# the item types of the audit log's entries
LOG_COMMUNITY = "community"  # a proposal reviewed; item id: the community
LOG_MEMBER = "community_member"  # a membership changed; item id "<community>:<user>"

# The conditions a refusal names (the key of its ValidationError).
STATUS = "status"  # the community is not in a status that allows this
STATE = "state"  # the membership is not in a state that allows this
LAST_OWNER = "last_owner"  # it would leave the community without an owner
PROPOSALS = "proposals"  # the reader has as many proposals waiting as allowed


def refuse(condition: str, message: str) -> toolkit.ValidationError:
    return toolkit.ValidationError({condition: [message]})


def constraint_errors() -> dict[str, tuple[str, Any]]:
    """The constraints a community write may clash with, and what each means."""
    return {
        "crowdsource_community_member_once": ("user_id", lambda: toolkit._(
            "This reader is a member of the community already")),
        "crowdsource_community_pkey": ("id", lambda: toolkit._(
            "This group is a community already")),
        # CKAN's own: two groups of the same name created at the same moment
        "group_name_key": ("name", lambda: toolkit._("That name is taken: choose another")),
    }


def not_found() -> toolkit.ObjectNotFound:
    """The same words for a community that does not exist and for one the
    caller may not see (a proposal of another reader)."""
    return toolkit.ObjectNotFound(toolkit._("Community not found"))


def now_sql() -> Any:
    return sa.func.now()


# --- who ---------------------------------------------------------------------

def role_of(context: Context, community_id: str) -> str | None:
    """The caller's role in the community while they are an active member
    (read from the database for each request: a role taken away ends at once)."""
    user_id = current_user_id(context)
    if not user_id:
        return None
    return once_per_request(
        f"community_role:{community_id}:{user_id}",
        lambda: model.Session.execute(sa.select(member.c.role).where(
            member.c.community_id == community_id, member.c.user_id == user_id,
            member.c.state == "active")).scalar())


def moderates(context: Context, community_id: str) -> bool:
    """Library staff, and the community's own moderators and owners."""
    return is_library_staff(context) or role_of(context, community_id) in MODERATING


def owns(context: Context, community_id: str) -> bool:
    """Library staff, and the community's owners."""
    return is_library_staff(context) or role_of(context, community_id) == "owner"


def can_see(context: Context, row: Any) -> bool:
    """Everyone sees an active community; a proposal (waiting or declined)
    is seen by its proposer and by the library's staff."""
    if row.status == "active":
        return True
    user_id = current_user_id(context)
    return (bool(user_id) and row.proposed_by == user_id) or is_library_staff(context)


def user_or_error(ref: str, field: str) -> model.User:
    """An active user by id or name, or a ``ValidationError`` naming ``field``."""
    user = model.User.get(ref)
    if user is None or user.state != "active":
        raise toolkit.ValidationError({field: [toolkit._("No such user")]})
    return user


# --- rows --------------------------------------------------------------------

def _group() -> Any:
    return model.Group


def live() -> Any:
    """The condition of a community that is not gone (see the module's text)."""
    g = _group()
    return sa.and_(g.is_organization.is_(False),
                   sa.or_(g.state != "deleted", community.c.status == "declined"))


def select_rows() -> sa.Select:
    """Communities with their groups' names, titles and descriptions."""
    g = _group()
    return (sa.select(community, g.name, g.title, g.description, g.image_url)
            .join(g, g.id == community.c.id))


def community_row(ref: str, lock: bool = False) -> Any:
    """The community by its group's id or name (its row locked until the
    transaction ends, with ``lock``), or ``ObjectNotFound``. A page asks
    for it once: its actions and their auth functions share the row."""
    memo = None if lock else request_memo()
    key = f"community_row:{ref}"
    row = memo.get(key) if memo is not None else None
    if row is None:
        g = _group()
        query = select_rows().where(sa.or_(g.id == ref, g.name == ref), live())
        if lock:
            query = query.with_for_update(of=community)
        row = model.Session.execute(query).first()
        if row is None:
            raise not_found()
        if memo is not None:
            memo[key] = memo[f"community_row:{row.id}"] = memo[f"community_row:{row.name}"] = row
    return row


def seen_row(context: Context, ref: str, lock: bool = False) -> Any:
    """The community if the caller may see it, else ``ObjectNotFound``."""
    row = community_row(ref, lock)
    if not can_see(context, row):
        raise not_found()
    return row


def membership(community_id: str, user_id: str, lock: bool = False) -> Any | None:
    query = sa.select(member).where(member.c.community_id == community_id,
                                    member.c.user_id == user_id)
    if lock:
        query = query.with_for_update()
    return model.Session.execute(query).first()


def other_owners(community_id: str, user_id: str) -> int:
    """Active owners of the community other than ``user_id`` (deleted users
    are no owners). Call with the community's row locked."""
    return model.Session.execute(
        sa.select(sa.func.count()).select_from(member)
        .join(model.User, model.User.id == member.c.user_id)
        .where(member.c.community_id == community_id, member.c.role == "owner",
               member.c.state == "active", member.c.user_id != user_id,
               model.User.state != "deleted")).scalar_one()


def keep_an_owner(community_id: str, user_id: str) -> None:
    """Refuse a change that would take away the community's last owner."""
    row = membership(community_id, user_id)
    if row is not None and row.role == "owner" and row.state == "active" \
            and other_owners(community_id, user_id) == 0:
        raise refuse(LAST_OWNER, toolkit._(
            "This is the community's last owner: make another member an owner first"))


def add_member(community_id: str, user_id: str, role: str, state: str) -> tuple[Any, bool]:
    """The reader's membership, inserted unless there is one already (also
    when another request inserts it at the same moment); (row, whether this
    call inserted it)."""
    inserted = model.Session.execute(
        insert(member).values(id=str(uuid.uuid4()), community_id=community_id,
                              user_id=user_id, role=role, state=state)
        .on_conflict_do_nothing(constraint="crowdsource_community_member_once")
        .returning(member.c.id)).scalar()
    return membership(community_id, user_id), inserted is not None


def set_member(community_id: str, user_id: str, **values: Any) -> Any:
    """Change a membership; the row as it is now."""
    model.Session.execute(
        sa.update(member).where(member.c.community_id == community_id,
                                member.c.user_id == user_id)
        .values(modified=now_sql(), **values))
    return membership(community_id, user_id)


def drop_member(community_id: str, user_id: str) -> None:
    model.Session.execute(sa.delete(member).where(member.c.community_id == community_id,
                                                  member.c.user_id == user_id))


def record(community_id: str, user_id: str, action: str, actor_id: str,
           reason: str = "") -> None:
    """A membership change in the moderation audit log (sysadmins read it)."""
    moderation.record(LOG_MEMBER, f"{community_id}:{user_id}", action, actor_id, reason)


def record_review(community_id: str, decision: str, actor_id: str, note: str) -> None:
    moderation.record(LOG_COMMUNITY, community_id, decision, actor_id, note)


# --- the subject filter --------------------------------------------------------

def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dataset_filter(name: str, scope: dict[str, Any] | None) -> str:
    """The community's datasets as a ``package_search`` filter query (``fq``):
    those in its group, and those its subject filter matches: with any of its
    tags or reader tags (official or readers', a subject is a subject), of
    its organization, and with every word of its text. ``package_search``
    still shows each caller only what they may see."""
    scope = scope or {}
    parts = []
    tagged = [f"tags:({' OR '.join(_quoted(t) for t in scope['tags'])})"] \
        if scope.get("tags") else []
    if scope.get("reader_tags"):
        tagged.append("vocab_crowd_tags:("
                      + " OR ".join(_quoted(t) for t in scope["reader_tags"]) + ")")
    if len(tagged) > 1:
        parts.append(f"({' OR '.join(tagged)})")
    else:
        parts.extend(tagged)
    if scope.get("organization"):
        parts.append(f"owner_org:{_quoted(scope['organization'])}")
    if scope.get("q"):
        parts.extend(f"text:{_quoted(word)}" for word in scope["q"].split())
    in_group = f"groups:{_quoted(name)}"
    if not parts:
        return in_group
    return f"{in_group} OR ({' AND '.join(parts)})"


def organization_of_scope(scope: dict[str, Any]) -> dict[str, Any]:
    """The filter with its organization named by id (a ``ValidationError``
    naming ``scope`` when there is no such organization)."""
    if not scope.get("organization"):
        return scope
    org = model.Group.get(scope["organization"])
    if org is None or not org.is_organization or org.state != "active":
        raise toolkit.ValidationError({"scope": [toolkit._("No such organization: {org}").format(
            org=scope["organization"])]})
    return {**scope, "organization": org.id}


# --- what actions return -------------------------------------------------------

def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def member_counts(community_ids: list[str]) -> dict[str, int]:
    """Active members (not deleted users) of each community, in one query."""
    if not community_ids:
        return {}
    return dict(model.Session.execute(
        sa.select(member.c.community_id, sa.func.count())
        .join(model.User, model.User.id == member.c.user_id)
        .where(member.c.community_id.in_(community_ids), member.c.state == "active",
               model.User.state != "deleted")
        .group_by(member.c.community_id)).all())


def memberships_of(user_id: str, community_ids: list[str]) -> dict[str, dict[str, str]]:
    """The caller's role and state in each of these communities, in one query."""
    if not user_id or not community_ids:
        return {}
    rows = model.Session.execute(
        sa.select(member.c.community_id, member.c.role, member.c.state)
        .where(member.c.user_id == user_id, member.c.community_id.in_(community_ids))).all()
    return {r.community_id: {"role": r.role, "state": r.state} for r in rows}


def community_dicts(context: Context, rows: list[Any]) -> list[dict[str, Any]]:
    """Communities as the caller sees them, in a constant number of queries."""
    ids = [r.id for r in rows]
    counts = member_counts(ids)
    me = current_user_id(context)
    mine = memberships_of(me, ids)
    names = people({r.proposed_by for r in rows} | {r.reviewed_by for r in rows})
    staff = is_library_staff(context) if any(r.reviewed_by for r in rows) else False
    out = []
    for r in rows:
        d = {
            "id": r.id, "name": r.name, "title": r.title or "",
            "display_name": r.title or r.name, "description": r.description or "",
            "image_url": r.image_url or "", "status": r.status,
            "join_policy": r.join_policy, "scope": r.scope or {},
            "dataset_search": {"fq": dataset_filter(r.name, r.scope)},
            "proposed_by": (names.get(r.proposed_by) or {}).get("name"),
            "member_count": counts.get(r.id, 0), "my_membership": mine.get(r.id),
            "created": _iso(r.created), "modified": _iso(r.modified),
        }
        if r.reviewed_by and (staff or (me and me == r.proposed_by)):
            d.update(reviewed_by=(names.get(r.reviewed_by) or {}).get("name"),
                     review_note=r.review_note, reviewed_at=_iso(r.reviewed_at))
        out.append(d)
    return out


def member_dict(row: Any, names: dict[str, dict[str, str]],
                community_id: str | None = None) -> dict[str, Any]:
    """A membership (``row`` may be None: no membership, ``state`` ``none``)."""
    if row is None:
        return {"id": None, "community_id": community_id, "user": None,
                "user_display_name": None, "role": None, "state": "none",
                "created": None, "modified": None}
    person = names.get(row.user_id) or {}
    return {"id": row.id, "community_id": row.community_id, "user": person.get("name"),
            "user_display_name": person.get("display_name"), "role": row.role,
            "state": row.state, "created": _iso(row.created), "modified": _iso(row.modified)}


def returned_member(row: Any, community_id: str) -> dict[str, Any]:
    return member_dict(row, people({row.user_id} if row is not None else set()), community_id)


# --- a purged group takes its community with it ----------------------------------

def purge_orphans() -> list[str]:
    """Delete the community rows whose group no longer exists (no commit);
    the ids of the communities deleted."""
    gone = model.Session.execute(sa.select(community.c.id).where(
        ~sa.exists().where(model.Group.id == community.c.id))).scalars().all()
    if gone:
        model.Session.execute(sa.delete(member).where(member.c.community_id.in_(gone)))
        model.Session.execute(sa.delete(community).where(community.c.id.in_(gone)))
    return list(gone)


def after_action(sender: str, **kwargs: Any) -> None:
    """``action_succeeded`` receiver: after ``group_purge`` (which has
    committed and may have been given the group's name, which no longer
    leads anywhere), delete every community row left without its group,
    and tell the capabilities whose contributions named it
    (``community_purged``: they unlink them), in one transaction."""
    if sender != "group_purge":
        return
    context = kwargs.get("context") or {}
    actor = current_user_id(context) if context.get("user") else ""
    for community_id in purge_orphans():
        events.community_purged.send(community_id, community_id=community_id, user_id=actor)
    model.Session.commit()
