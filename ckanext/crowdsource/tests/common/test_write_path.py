"""Every write action goes through the one write path (``common/action.py``).

Parametrised over every action made with ``writes(...)`` in any capability's
manifest; each is set up and called through its entry in the merged CALLS
of ``tests/*/calls.py`` (a write without an entry fails, naming it):

(a) rollback: on the real PostgreSQL, a fault is raised right after the
    first INSERT, UPDATE or DELETE on a ``crowdsource_`` table that the
    action runs and that changes a row (a sweep of expired leases that finds
    none is not the action's write; ``crowdsource_reindex`` counts: a queued
    reindex of a change that was rolled back is a row left behind too),
    whatever came before it (e.g. CKAN's ``package_patch``). Afterwards the
    ``crowdsource_`` tables (but the alembic versions and the search index)
    and the core tables an action may change through CKAN's actions
    (``package``, ``package_tag``, ``tag``, ...) hold exactly what they held
    before, seen both from a new connection (what was committed) and from the
    session (what it would still commit), and the session still works;
(b) success: the action returns a dict (the object it acted on);
(c) rate limit: with the caller's count for this minute at the limit, a
    rate-limited write by a non-sysadmin is refused with a ``ValidationError``
    naming ``rate_limit`` and writes nothing.
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib.redis import connect_to_redis
from ckan.plugins import toolkit

from ckanext.crowdsource.common import config
from ckanext.crowdsource.common.cache import redis_key
from ckanext.crowdsource.tests.helpers import as_user

from . import catalogue

WRITES = catalogue.writes()

# The core tables CKAN's own actions (package_patch, member_create, ...)
# called inside a write may change: they must roll back with it.
CORE_TABLES = ("package", "package_extra", "package_tag", "tag", "resource",
               "member", "group", "activity")
_WRITE = re.compile(
    r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:"?public"?\.)?"?(crowdsource_\w+)', re.I)


class InjectedFault(Exception):
    """The database "failed" right after the action's first write."""


def watched(table: str) -> bool:
    """A table of ours whose rows the rollback must restore."""
    return (table.startswith("crowdsource_") and not table.endswith("alembic_version")
            and not table.startswith("crowdsource_search_"))


def engine() -> sa.engine.Engine:
    return model.Session.get_bind()


def tables() -> list[str]:
    with engine().connect() as conn:
        names = conn.execute(sa.text(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")).scalars()
        return sorted(n for n in names if watched(n) or n in CORE_TABLES)


def snapshot(run: Any, names: list[str]) -> dict[str, tuple[int, str]]:
    """Each table's row count and the md5 of its rows in order."""
    return {name: tuple(run.execute(sa.text(  # type: ignore[misc]
        f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
        f' FROM "{name}" AS t')).one()) for name in names}


def committed(names: list[str]) -> dict[str, tuple[int, str]]:
    """The snapshot seen from a new connection: what is committed."""
    with engine().connect() as conn:
        return snapshot(conn, names)


def changes(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    return [f"{name} ({before[name][0]} rows -> {after[name][0]})"
            for name in before if before[name] != after[name]]


@contextmanager
def fault_after_first_write() -> Iterator[list[str]]:
    """Raise :class:`InjectedFault` right after the first INSERT, UPDATE or
    DELETE on a watched table that changes a row; yields the statement it
    failed after."""
    injected: list[str] = []

    def after_cursor_execute(conn: Any, cursor: Any, statement: str, parameters: Any,
                             context: Any, executemany: bool) -> None:
        if injected:
            return
        match = _WRITE.search(statement)
        # a sweep that found nothing to change (rowcount 0) is not the write
        if match and watched(match.group(1)) and cursor.rowcount != 0:
            injected.append(" ".join(statement.split())[:200])
            raise InjectedFault(injected[0])

    bind = engine()
    sa.event.listen(bind, "after_cursor_execute", after_cursor_execute)
    try:
        yield injected
    finally:
        sa.event.remove(bind, "after_cursor_execute", after_cursor_execute)


def describe(result: Any) -> str:
    text = repr(result)
    return text if len(text) < 300 else text[:300] + "..."


def test_the_write_actions_are_found():
    """The parametrised tests below cannot pass by having nothing to check."""
    assert not catalogue.manifest_errors(), catalogue.manifest_errors()
    assert len(WRITES) > 25, (
        f"only {len(WRITES)} actions are made with writes(): {[a.name for a in WRITES]}")


@pytest.mark.parametrize("action", WRITES, ids=str)
def test_a_fault_after_the_first_write_leaves_nothing_behind(action, lib):
    user, data = catalogue.prepare(action, lib)
    names = tables()
    before = committed(names)
    raised: BaseException | None = None
    result: Any = None
    with fault_after_first_write() as injected:
        try:
            result = as_user(user, action.name, **data)
        except Exception as e:  # noqa: BLE001 - judged below
            raised = e
    outcome = f"raised {describe(raised)}" if raised else f"returned {describe(result)}"
    problems: list[str] = []
    try:
        if not injected:
            problems.append("it ran no INSERT/UPDATE/DELETE on a crowdsource_ table, so no "
                            f"fault was injected (it {outcome})")
        elif not isinstance(raised, InjectedFault):
            problems.append(f"the fault injected after its first write ({injected[0]}) "
                            f"did not reach the caller: it {outcome}")
        try:
            model.Session.query(model.Package).filter_by(id=lib["ds"]["id"]).one()
            in_session = snapshot(model.Session, names)
        except Exception as e:  # noqa: BLE001 - the finding
            problems.append(f"the session no longer works after the failure: {describe(e)}")
        else:
            changed = changes(before, in_session)
            if changed:
                problems.append("the session still holds changes: " + ", ".join(changed))
        changed = changes(before, committed(names))
        if changed:
            problems.append("changes were committed: " + ", ".join(changed))
        assert not problems, f"{action.name}: " + "; ".join(problems)
    finally:
        model.Session.remove()


@pytest.mark.parametrize("action", WRITES, ids=str)
def test_b_success_returns_a_dict(action, lib):
    user, data = catalogue.prepare(action, lib)
    result = as_user(user, action.name, **data)
    assert isinstance(result, dict), (
        f"{action.name} returned a {type(result).__name__}, not a dict: {describe(result)}")


@pytest.mark.parametrize("action", WRITES, ids=str)
def test_c_rate_limit_refuses_and_writes_nothing(action, lib):
    if not action.limited:
        pytest.skip(f"{action.name} is made with writes(..., limited=False)")
    user, data = catalogue.prepare(action, lib)
    if user is None:
        pytest.skip(f"CALLS[{action.name!r}] acts anonymously: the per-user limit cannot apply")
    if user.get("sysadmin"):
        pytest.skip(f"CALLS[{action.name!r}] acts as a sysadmin, who is not rate limited")
    limit = config.writes_per_minute()
    assert limit > 0, "the test configuration turns the rate limit off"
    redis = connect_to_redis()
    window = int(time.time() // 60)
    for minute in (window, window + 1):  # the call may start in the next minute
        redis.set(redis_key("rate", "user", user["id"], str(minute)), limit, ex=180)
    names = tables()
    before = committed(names)
    with pytest.raises(toolkit.ValidationError) as refused:
        result = as_user(user, action.name, **data)
        pytest.fail(f"{action.name} was not refused at the rate limit: {describe(result)}")
    assert "rate_limit" in refused.value.error_dict, (
        f"{action.name} was refused, but not for the rate limit: {refused.value.error_dict}")
    changed = changes(before, committed(names)) + changes(before, snapshot(model.Session, names))
    assert not changed, f"{action.name} refused at the rate limit wrote: {', '.join(changed)}"
