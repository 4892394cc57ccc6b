"""One API grammar for every crowdsource action (DESIGN section 7).

Parametrised over every action of every capability's manifest, each called
through its entry in the merged CALLS of ``tests/*/calls.py``:

(a) an unknown key is a ``ValidationError`` naming it;
(b) every ``*_list`` returns ``{"count": int, "results": list}`` (and
    ``next_cursor`` when it pages by cursor, nothing else);
(c) every ``*_show`` and every write returns a dict; a read writes nothing;
(d) every action has a reST docstring with a ``:param`` for each key of its
    schema (``limit`` and ``offset`` may share one), none for keys it does
    not know, and ``:returns:`` and ``:rtype:``;
(e) every action has an auth function of the same name.
"""
from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit

from ckanext.crowdsource.tests.helpers import as_user

from . import catalogue

ACTIONS = catalogue.actions()
UNKNOWN = "zz_unknown"
PAGING = ("limit", "offset")
_WRITE = re.compile(
    r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:"?public"?\.)?"?(crowdsource_\w+)', re.I)


def describe(result: Any) -> str:
    text = repr(result)
    return text if len(text) < 300 else text[:300] + "..."


DERIVED = ("crowdsource_search_", "crowdsource_points_total", "crowdsource_points_window")


@contextmanager
def recorded_writes() -> Iterator[list[str]]:
    """The INSERT/UPDATE/DELETE statements on crowdsource_ tables run
    meanwhile, but those on derived data a read may bring up to date: the
    search index, which CKAN's search may keep, and the leaderboards' kept
    sums, whose periods the first read of a day moves on (in a transaction
    of its own, changing no contribution)."""
    seen: list[str] = []

    def after_cursor_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        match = _WRITE.search(statement)
        if match and not match.group(1).startswith(DERIVED):
            seen.append(" ".join(statement.split())[:120])

    bind = model.Session.get_bind()
    sa.event.listen(bind, "after_cursor_execute", after_cursor_execute)
    try:
        yield seen
    finally:
        sa.event.remove(bind, "after_cursor_execute", after_cursor_execute)


# --- the catalogue itself: nothing can pass by being left out ------------------

def test_the_catalogue_is_complete():
    assert not catalogue.manifest_errors(), (
        f"capability manifests that do not load: {catalogue.manifest_errors()}")
    assert len(ACTIONS) > 40, f"only {len(ACTIONS)} actions found: {[a.name for a in ACTIONS]}"
    assert len([a for a in ACTIONS if a.is_list]) > 5
    assert len([a for a in ACTIONS if a.is_show]) > 3
    names = [a.name for a in ACTIONS]
    assert len(names) == len(set(names)), "an action is in two manifests"


def test_every_action_is_made_with_reads_or_writes():
    bare = [a.name for a in ACTIONS if a.schema is None]
    assert not bare, f"actions made without reads()/writes() from common/action.py: {bare}"


def test_every_calls_module_imports():
    assert not catalogue.calls_errors(), catalogue.calls_errors()


def test_calls_are_not_given_twice_or_for_unknown_actions():
    assert not catalogue.calls_defined_twice(), (
        f"actions with entries in two calls.py: {catalogue.calls_defined_twice()}")
    known = {a.name for a in ACTIONS}
    stale = {name: folder for name, (folder, _) in catalogue.calls().items() if name not in known}
    assert not stale, f"CALLS entries for actions no manifest has: {stale}"


# --- (a), (b), (c): calling each action -----------------------------------------

@pytest.mark.parametrize("action", ACTIONS, ids=str)
def test_a_unknown_key_is_refused(action, lib):
    user, data = catalogue.prepare(action, lib)
    data[UNKNOWN] = "x"
    with pytest.raises(toolkit.ValidationError) as refused:
        result = as_user(user, action.name, **data)
        pytest.fail(f"{action.name} accepted the unknown key {UNKNOWN!r}: {describe(result)}")
    assert UNKNOWN in refused.value.error_dict, (
        f"{action.name} refused, but without naming {UNKNOWN!r}: {refused.value.error_dict}")


@pytest.mark.parametrize("action", ACTIONS, ids=str)
def test_bc_return_shape(action, lib):
    user, data = catalogue.prepare(action, lib)
    with recorded_writes() as written:
        result = as_user(user, action.name, **data)
    if action.read:
        assert not written, f"{action.name} is a read (GET) but wrote: {written}"
    if action.is_list:
        assert isinstance(result, dict), (
            f"{action.name} returned a {type(result).__name__}: {describe(result)}")
        keys = set(result)
        assert {"count", "results"} <= keys <= {"count", "results", "next_cursor"}, (
            f"{action.name} returned the keys {sorted(keys)}")
        assert isinstance(result["count"], int) and not isinstance(result["count"], bool), (
            f"{action.name}: count is {describe(result['count'])}")
        assert isinstance(result["results"], list), (
            f"{action.name}: results is a {type(result['results']).__name__}")
    elif action.is_show or action.write:
        assert isinstance(result, dict), (
            f"{action.name} returned a {type(result).__name__}, not a dict: {describe(result)}")


# --- (d), (e): without calling -----------------------------------------------------

@pytest.mark.usefixtures("with_plugins")  # the schemas name validators plugins register
@pytest.mark.parametrize("action", ACTIONS, ids=str)
def test_d_docstring(action):
    assert action.schema is not None, f"{action.name} is not made with reads()/writes()"
    doc = inspect.getdoc(action.fn) or ""
    assert doc.strip(), f"{action.name} has no docstring"
    documented = catalogue.documented_params(doc)
    keys = catalogue.schema_keys(action)
    missing = [k for k in keys if k not in documented]
    if set(PAGING) <= set(keys):  # limit and offset may be documented once
        shared = [k for k in PAGING if k in documented and
                  any(other in documented[k] for other in PAGING if other != k)]
        if shared:
            missing = [k for k in missing if k not in PAGING]
    problems = []
    if missing:
        problems.append(f"no :param for {missing}")
    unknown = [k for k in documented if k not in keys]
    if unknown:
        problems.append(f":param for keys the schema does not know: {unknown}")
    for field in ("returns", "rtype"):
        if not catalogue.has_field(doc, field):
            problems.append(f"no :{field}:")
    assert not problems, f"{action.name}'s docstring: " + "; ".join(problems)


@pytest.mark.parametrize("action", ACTIONS, ids=str)
def test_e_auth_function_of_the_same_name(action):
    assert callable(action.auth), (
        f"the {action.capability} manifest has no auth function named {action.name}")
