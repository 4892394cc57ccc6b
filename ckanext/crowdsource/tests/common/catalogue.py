"""Every crowdsource action, read from the capabilities' manifests, and the
call that makes each one succeed, read from ``tests/<capability>/calls.py``.

The cross-cutting tests (``test_write_path``, ``test_api_grammar``) are
parametrised over :func:`actions`; an action they cannot find a call for, or
a capability whose manifest or ``calls.py`` does not load, is a failing test
that names it, never a test that silently does not run.
"""
from __future__ import annotations

import functools
import importlib
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ckanext.crowdsource.plugin import CAPABILITIES

TESTS = Path(__file__).resolve().parent.parent
Setup = Callable[[dict[str, Any]], tuple[dict[str, Any] | None, dict[str, Any]]]


@dataclass(frozen=True)
class Action:
    """One action of one capability."""

    name: str
    capability: str
    fn: Callable[..., Any]
    auth: Callable[..., Any] | None

    @property
    def write(self) -> bool:
        return bool(getattr(self.fn, "crowdsource_write", False))

    @property
    def read(self) -> bool:
        return hasattr(self.fn, "crowdsource_schema") and not self.write

    @property
    def limited(self) -> bool:
        """Rate limited: ``writes(...)`` without ``limited=False``."""
        return self.write and bool(getattr(self.fn, "crowdsource_limited", True))

    @property
    def schema(self) -> Callable[[], dict[str, Any]] | None:
        return getattr(self.fn, "crowdsource_schema", None)

    @property
    def is_list(self) -> bool:
        return self.name.endswith("_list")

    @property
    def is_show(self) -> bool:
        return self.name.endswith("_show")

    def __str__(self) -> str:
        return self.name


def _error(e: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(e), e)).strip()


@functools.cache
def _load() -> tuple[tuple[Action, ...], dict[str, str]]:
    found: list[Action] = []
    errors: dict[str, str] = {}
    for capability in CAPABILITIES:
        try:
            manifest = importlib.import_module(f"ckanext.crowdsource.{capability}").manifest()
        except Exception as e:  # noqa: BLE001 - reported by a test
            errors[capability] = _error(e)
            continue
        for name, fn in manifest.actions.items():
            found.append(Action(name, manifest.name, fn, manifest.auth.get(name)))
    return tuple(found), errors


def actions() -> list[Action]:
    """Every action of every capability, in manifest order."""
    return list(_load()[0])


def manifest_errors() -> dict[str, str]:
    """Capabilities whose manifest did not load, with the error."""
    return dict(_load()[1])


def writes() -> list[Action]:
    return [a for a in actions() if a.write]


@functools.cache
def _calls() -> tuple[dict[str, tuple[str, Setup]], dict[str, str], dict[str, list[str]]]:
    merged: dict[str, tuple[str, Setup]] = {}
    errors: dict[str, str] = {}
    twice: dict[str, list[str]] = {}
    for path in sorted(TESTS.glob("*/calls.py")):
        folder = path.parent.name
        module = f"ckanext.crowdsource.tests.{folder}.calls"
        try:
            table = importlib.import_module(module).CALLS
        except Exception as e:  # noqa: BLE001 - reported by a test
            errors[folder] = _error(e)
            continue
        for name, setup in table.items():
            if name in merged:
                twice.setdefault(name, [merged[name][0]]).append(folder)
            merged[name] = (folder, setup)
    return merged, errors, twice


def calls() -> dict[str, tuple[str, Setup]]:
    """Action name to (the tests folder it came from, its setup)."""
    return dict(_calls()[0])


def calls_errors() -> dict[str, str]:
    """``tests/<folder>/calls.py`` modules that did not import, with the error."""
    return dict(_calls()[1])


def calls_defined_twice() -> dict[str, list[str]]:
    """Actions with an entry in more than one ``calls.py``."""
    return dict(_calls()[2])


def setup_for(action: Action) -> Setup:
    """The setup of ``action`` from the merged CALLS; a failure naming the
    action (and why its capability's CALLS may be missing) when there is none."""
    entry = calls().get(action.name)
    if entry is not None:
        return entry[1]
    where = f"ckanext/crowdsource/tests/{action.capability}/calls.py"
    why = calls_errors().get(action.capability)
    if why:
        detail = f"{where} does not import: {why}"
    elif not (TESTS / action.capability / "calls.py").exists():
        detail = f"{where} does not exist"
    else:
        detail = f"{where} has no entry for it"
    raise AssertionError(f"{action.name} has no CALLS entry ({detail})")


def prepare(action: Action, lib: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Run the action's setup on ``lib``: (the user to act as, the data dict)."""
    setup = setup_for(action)
    try:
        user, data = setup(lib)
    except Exception as e:
        raise AssertionError(f"the CALLS setup of {action.name} failed: {_error(e)}") from e
    return user, dict(data)


# --- docstrings -------------------------------------------------------------

def documented_params(doc: str) -> dict[str, str]:
    """Each name in a ``:param ...:`` line, with the text of its line.

    ``:param limit, offset:`` (or ``limit/offset``, ``limit and offset``)
    documents both names; ``:param str id:`` documents ``id``.
    """
    out: dict[str, str] = {}
    for match in re.finditer(r"^[ \t]*:param\s+([^:]+):(.*)$", doc, re.M):
        text = match.group(2).strip()
        for chunk in re.split(r"\s*(?:,|/|\band\b)\s*", match.group(1).strip()):
            if chunk:
                out[chunk.split()[-1]] = text
    return out


def has_field(doc: str, name: str) -> bool:
    """Whether the docstring has a ``:name:`` field line."""
    return re.search(rf"^[ \t]*:{name}:", doc, re.M) is not None


def schema_keys(action: Action) -> list[str]:
    """The data dict keys the action's schema knows (not ``__before`` and the like)."""
    schema = action.schema
    if schema is None:
        return []
    return [k for k in schema() if not str(k).startswith("__")]
