"""The one way crowdsource actions are made: :func:`reads` and :func:`writes`.

Both validate the input against the action's schema and refuse keys the
schema does not know (a ``ValidationError`` naming each of them), so a
script's typo is an error rather than silently ignored. :func:`writes` adds
what every write needs:

- one transaction: all or nothing; on any error everything the action wrote
  is rolled back and its row locks are released;
- CKAN's ``defer_commit``: with it (and for a write called from inside
  another write) the action runs in a savepoint and leaves the commit to the
  caller;
- the per-user rate limit across web workers (``common.ratelimit``), once
  per outermost call;
- a clash with a database constraint becomes a ``ValidationError`` naming
  the field or condition the constraint stands for (``ICrowdsource``'s
  ``get_constraint_errors``), or ``conflict`` when it is not known;
- after the commit, datasets queued with ``reindex.later`` are reindexed.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context, DataDict

from . import cache, hooks, ratelimit, reindex

Schema = Callable[[], dict[str, Any]]
_DEPTH = "crowdsource_write_depth"


def validated(schema_fn: Schema, context: Context, data_dict: DataDict) -> dict[str, Any]:
    """``data_dict`` checked against the schema; unknown keys are errors too."""
    schema = schema_fn()
    errors: dict[str, Any] = {
        key: [toolkit._("Unknown parameter")]
        for key in data_dict if key not in schema and not str(key).startswith("__")}
    data, found = toolkit.navl_validate(
        {k: v for k, v in data_dict.items() if k not in errors}, schema, context)
    errors.update(found)
    if errors:
        raise toolkit.ValidationError(errors)
    return data


def reads(schema_fn: Schema) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A read action: validated input, callable with GET."""

    def decorate(action: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(action)
        def run(context: Context, data_dict: DataDict) -> Any:
            return action(context, validated(schema_fn, context, data_dict))

        run.side_effect_free = True  # type: ignore[attr-defined]
        run.crowdsource_schema = schema_fn  # type: ignore[attr-defined]
        return run

    return decorate


def writes(schema_fn: Schema, *, limited: bool = True
           ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A write action: validated input, one transaction, the rate limit
    (unless ``limited`` is false: sweepers that only settle state)."""

    def decorate(action: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(action)
        def run(context: Context, data_dict: DataDict) -> Any:
            data = validated(schema_fn, context, data_dict)
            session = model.Session
            depth = session.info.get(_DEPTH, 0)
            inner = depth > 0 or bool(context.get("defer_commit"))
            if limited and depth == 0:
                ratelimit.check(context)
            savepoint = session.begin_nested() if inner else None
            session.info[_DEPTH] = depth + 1
            try:
                result = action(context, data)
                session.flush()
                # the staff's "waiting" counts and what dataset pages show may
                # have changed: fresh after the commit
                cache.bump_after_commit(cache.STAFF_WAITING)
                cache.bump_after_commit(cache.DATASET_PAGE)
            except sa.exc.IntegrityError as e:
                _undo(savepoint)
                raise toolkit.ValidationError(conflict(e)) from None
            except BaseException:
                _undo(savepoint)
                raise
            finally:
                session.info[_DEPTH] = depth
            if savepoint is not None:
                savepoint.commit()
                return result
            session.commit()
            reindex.after_commit()
            return result

        run.crowdsource_schema = schema_fn  # type: ignore[attr-defined]
        run.crowdsource_write = True  # type: ignore[attr-defined]
        run.crowdsource_limited = limited  # type: ignore[attr-defined]
        return run

    return decorate


def _undo(savepoint: Any) -> None:
    if savepoint is not None:
        if savepoint.is_active:
            savepoint.rollback()
        return
    model.Session.rollback()
    reindex.forget()


def conflict(error: sa.exc.IntegrityError) -> dict[str, list[str]]:
    """The error dict for a broken constraint."""
    name = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
    known = hooks.constraint_errors().get(name or "")
    if known:
        field, message = known
        return {field: [message()]}
    return {"conflict": [toolkit._(
        "Someone else changed this at the same moment: please try again")]}


def inner_context(context: Context) -> Context:
    """The context for calling another action (CKAN's or ours) inside a
    write: it leaves the commit to this write."""
    ctx = toolkit.fresh_context(context)
    ctx["defer_commit"] = True
    return ctx


def patch_dataset(context: Context, patch: dict[str, Any], field: str) -> None:
    """``package_patch`` inside a write, committed with it.

    Under ``defer_commit`` CKAN 2.12's ``package_update`` rolls its own
    savepoint back unless it returns early (``return_id_only``); it then
    neither marks the dataset changed (what the activity stream reads) nor
    indexes it, so both are done here. Its savepoint ends with this write's
    commit. CKAN's refusal comes as a ``ValidationError`` under ``field``,
    with CKAN's error dict as it is.
    """
    patch_context = inner_context(context)
    patch_context.update(return_id_only=True,  # type: ignore[typeddict-item]
                         changed_entities={"packages": {patch["id"]}})
    try:
        toolkit.get_action("package_patch")(patch_context, patch)
    except toolkit.ValidationError as e:
        raise toolkit.ValidationError({field: e.error_dict}) from None
    reindex.later(patch["id"])
