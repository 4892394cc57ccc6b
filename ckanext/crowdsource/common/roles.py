"""The one way to ask who the user is and what they may do with a dataset.

Each answer is asked once per action call (kept in the context) and, in a
GET request the app serves, once per request: a page asks several actions
and helpers about the same user and dataset, and nothing in a read-only
request changes who the user is, which organizations they moderate, or
which datasets they may see.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from ckan import authz, model
from ckan.common import current_user as web_user
from ckan.lib.plugins import get_permission_labels
from ckan.plugins import toolkit
from ckan.types import AuthResult, Context

from . import hooks
from .cache import once_per_request, request_memo

# what auth functions answer
OK: AuthResult = {"success": True}


def refused(message: str) -> AuthResult:
    """An auth function's refusal, saying why."""
    return {"success": False, "msg": message}


def _remembered(context: Context, name: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, once per action call and user (kept in the context),
    and once per read-only request and user."""
    key = f"crowdsource:{name}:{context.get('user') or ''}"
    if key not in context:
        context[key] = once_per_request(key, compute)  # type: ignore[literal-required]
    return context[key]  # type: ignore[literal-required]


def _logged_in_user(name: str) -> model.User | None:
    """The user of the web request, when ``name`` is theirs: CKAN loaded it
    for the request (its ``authz`` does the same)."""
    try:
        if web_user.is_authenticated and web_user.name == name:
            user = web_user._get_current_object()  # type: ignore[attr-defined]
            if user in model.Session:
                return user
    except (AttributeError, RuntimeError, TypeError):  # no request, or no user loader
        pass
    return None


def page_context() -> Context:
    """A context for the actions a page (a view, a template helper) calls as
    the web request's user, with the user CKAN loaded for the request (so
    that ``check_access`` does not load it again)."""
    if web_user.is_authenticated:
        user = _logged_in_user(web_user.name)
        if user is not None:
            return {"user": user.name, "auth_user_obj": user}  # type: ignore[typeddict-item]
    return {}


def allowed(action: str, data_dict: dict[str, Any]) -> bool:
    """Whether the web request's user passes ``action``'s auth function
    (CKAN's ``h.check_access``, without loading the user again)."""
    try:
        return toolkit.check_access(action, page_context(), data_dict)
    except toolkit.NotAuthorized:
        return False


def current_user(context: Context) -> model.User | None:
    """The logged-in user of the context, or None for anonymous callers.

    (``auth_user_obj`` is an anonymous-user object, not None, for anonymous
    web requests, so the user name decides.)
    """
    if authz.auth_is_anon_user(context):
        return None
    return _remembered(context, "user", lambda: _logged_in_user(context["user"])
                       or model.User.get(context["user"]))


def logged_in_user(context: Context) -> model.User:
    """The caller, or ``NotAuthorized`` for anonymous callers."""
    user = current_user(context)
    if user is None:
        raise toolkit.NotAuthorized(toolkit._("You must be logged in"))
    return user


def reader_or_404(context: Context, ref: str | None) -> model.User:
    """The reader a call is about: ``ref`` (an id or name), or (no ``ref``)
    the caller; ``ObjectNotFound`` for a user who does not exist or was
    deleted."""
    if not ref:
        return logged_in_user(context)
    user = model.User.get(ref)
    if user is None or user.state == "deleted":
        raise toolkit.ObjectNotFound(toolkit._("User not found"))
    return user


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
    if context.get("ignore_auth"):
        return True

    def ask() -> bool:
        ctx = dict(context)
        ctx.setdefault("model", model)  # CKAN 2.11's auth functions read it
        ctx.setdefault("session", model.Session)
        if "auth_user_obj" not in ctx:  # set by check_access, which may not have run yet
            ctx["auth_user_obj"] = current_user(context)
        return authz.is_authorized("package_show", ctx, {"id": package_id})["success"]

    return once_per_request(f"crowdsource:sees:{context.get('user') or ''}:{package_id}", ask)


def remember_shown(sender: str, **kwargs: Any) -> None:
    """``action_succeeded`` receiver: when ``package_show`` has just passed
    its auth function for a user in a read-only request (the dataset page
    does, before its template asks the helpers), that user may see that
    dataset: :func:`can_see_dataset` need not ask again."""
    if sender != "package_show":
        return
    context, result = kwargs.get("context") or {}, kwargs.get("result")
    if context.get("ignore_auth") or not isinstance(result, dict):
        return
    memo = request_memo()
    if memo is None:
        return
    for ref in {result.get("id"), result.get("name")} - {None, ""}:
        memo.setdefault(f"crowdsource:sees:{context.get('user') or ''}:{ref}", True)


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


def is_library_staff(context: Context) -> bool:
    """Sysadmins, and editors and admins of any organization: they create,
    review and look after every community."""
    return staff_org_ids(context) != [] or is_staff_for(context, None)


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
    collaborators), and of this extension's own rule (a lendable dataset's
    ``loan-<id>``). A plugin that labels datasets differently is not followed
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
    if by_kind.get("loan"):  # a reader's active loans (the loans capability)
        rules.append(pkg.id.in_(by_kind["loan"]))
    return active.where(sa.or_(*rules) if rules else sa.false())
