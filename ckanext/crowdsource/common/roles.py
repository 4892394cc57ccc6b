"""The one way to ask who the user is and what they may do with a dataset."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from ckan import authz, model
from ckan.lib.plugins import get_permission_labels
from ckan.types import Context

from . import hooks


def _remembered(context: Context, name: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, once per action call and user: kept in the context."""
    key = f"crowdsource:{name}:{context.get('user') or ''}"
    if key not in context:
        context[key] = compute()  # type: ignore[literal-required]
    return context[key]  # type: ignore[literal-required]


def current_user(context: Context) -> model.User | None:
    """The logged-in user of the context, or None for anonymous callers.

    (``auth_user_obj`` is an anonymous-user object, not None, for anonymous
    web requests, so the user name decides.)
    """
    if authz.auth_is_anon_user(context):
        return None
    return _remembered(context, "user", lambda: model.User.get(context["user"]))


def current_user_id(context: Context) -> str:
    """The logged-in user's id, or "" for anonymous callers."""
    user = current_user(context)
    return user.id if user else ""


def people(user_ids: set[str | None]) -> dict[str, dict[str, str]]:
    """Name and display name of each (not deleted) user, in one query."""
    ids = {u for u in user_ids if u}
    if not ids:
        return {}
    rows = model.Session.execute(
        sa.select(model.User.id, model.User.name, model.User.fullname)
        .where(model.User.id.in_(ids), model.User.state != "deleted")).all()
    return {r.id: {"name": r.name, "display_name": r.fullname or r.name} for r in rows}


def can_see_dataset(context: Context, package_id: str) -> bool:
    """Whether the context's user may ``package_show`` the dataset."""
    ctx = dict(context)
    ctx.setdefault("model", model)  # CKAN 2.11's auth functions read it
    ctx.setdefault("session", model.Session)
    if "auth_user_obj" not in ctx:  # set by check_access, which may not have run yet
        ctx["auth_user_obj"] = current_user(context)
    return authz.is_authorized("package_show", ctx, {"id": package_id})["success"]


STAFF_ROLES = ("editor", "admin")


def is_staff_for(context: Context, owner_org: str | None) -> bool:
    """Sysadmins, and editors and admins of the organization; for things of no
    organization (the site), sysadmins alone. One query per action call, so
    lists may ask for each row."""
    orgs = staff_org_ids(context)
    staff = orgs is None or (owner_org is not None and owner_org in orgs)
    return hooks.is_staff_for(context, owner_org, staff)


def staff_org_ids(context: Context) -> list[str] | None:
    """The organizations the user moderates; None means all (sysadmin)."""
    user = current_user(context)
    if user is None:
        return []
    if user.sysadmin:
        return None
    return _remembered(context, "staff_orgs", lambda: [r.group_id for r in model.Session.query(
        model.Member.group_id).filter(
        model.Member.table_name == "user",
        model.Member.table_id == user.id,
        model.Member.state == "active",
        model.Member.capacity.in_(STAFF_ROLES),
    )])


def visibility_key(context: Context) -> list[str]:
    """What decides which datasets the user sees: CKAN's permission labels
    (``["*"]`` for sysadmins, who see all). Users with the same key see the
    same datasets, so they can share cached counts."""
    user = current_user(context)
    if user is not None and user.sysadmin:
        return ["*"]
    return sorted(_labels(context, user))


def _labels(context: Context, user: model.User | None) -> list[str]:
    """The user's permission labels, from CKAN (once per action call)."""
    return _remembered(context, "labels",
                       lambda: get_permission_labels().get_user_dataset_labels(user))


def visible_datasets(context: Context) -> sa.Select:
    """The ids of the active datasets the user may see, as a subquery for lists
    and counts across datasets.

    It reads the user's permission labels from CKAN (``IPermissionLabels``)
    and gives datasets the labels of CKAN's default rule (public; members of
    the owner organization; the creator of a dataset without one;
    collaborators). A plugin that labels datasets differently is not followed
    here.
    """
    pkg = model.Package
    active = sa.select(pkg.id).where(pkg.state == "active")
    user = current_user(context)
    if user is not None and user.sysadmin:
        return active
    labels = _labels(context, user)
    by_kind: dict[str, list[str]] = {}
    for label in labels:
        kind, _, value = label.partition("-")
        by_kind.setdefault(kind, []).append(value)
    rules = []
    if "public" in by_kind:
        rules.append(pkg.private.is_(False))
    if by_kind.get("member"):
        rules.append(pkg.owner_org.in_(by_kind["member"]))
    if by_kind.get("creator"):
        rules.append(sa.and_(pkg.owner_org.is_(None),
                             pkg.creator_user_id.in_(by_kind["creator"])))
    if by_kind.get("collaborator"):
        rules.append(pkg.id.in_(by_kind["collaborator"]))
    return active.where(sa.or_(*rules) if rules else sa.false())
