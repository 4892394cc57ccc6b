"""The one generator of hostile input, for the actions' data dicts and for
the forms' fields and query parameters.

A :class:`Variant` is a recipe (where in the data, what to put there), not a
value: it is applied to the *current* valid call, so that after an accepted
variant used up the state a call needs (a claim submitted, a question
closed), a fresh valid call can be prepared and the next variant applied to
it.
"""
from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

MB = 2**20
DEEP_REFUSED = 1000  # nested levels: what the issue probed with
DEEP_PARSED = 100  # nested levels that JSON parsing accepts: they reach the action
_DEEP = "\x01deep-json\x01"  # stands for raw JSON text spliced into the body
_ID = re.compile(r"(^|_)ids?$")
_NUMERIC = re.compile(r"int|number|page_limit|page_offset|rating|float", re.I)


class Missing:
    """The key is absent."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING = Missing()


def insert(value: Any, bad: str) -> str:
    """``value`` (as text) with ``bad`` inside it."""
    text = value if isinstance(value, str) and value else "ab"
    middle = max(1, len(text) // 2)
    return text[:middle] + bad + text[middle:]


def nested(levels: int, inner: Any = "x") -> list[Any] | str:
    """A list nested ``levels`` deep, or for the levels JSON parsing refuses
    the placeholder of its raw text (Python could not even encode it)."""
    if levels >= DEEP_REFUSED:
        return _DEEP
    out: Any = inner
    for _ in range(levels):
        out = [out]
    return out


# kind -> how to make the hostile value from the current one
TYPE_VALUES: dict[str, Callable[[Any], Any]] = {
    "int": lambda v: 1,
    "float": lambda v: 1.5,
    "list": lambda v: [v if not isinstance(v, Missing) else "x"],
    "dict": lambda v: {"x": v if not isinstance(v, Missing) else "x"},
    "bool": lambda v: True,
    "null": lambda v: None,
}
TEXT_VALUES: dict[str, Callable[[Any], Any]] = {
    "nul": lambda v: insert(v, "\x00"),
    "lone_surrogate": lambda v: insert(v, "\ud800"),
    "1mb_string": lambda v: "x" * MB,
}
NUMBER_VALUES: dict[str, Callable[[Any], Any]] = {
    "2**63": lambda v: 2**63,
    "10**30": lambda v: 10**30,
    "-1": lambda v: -1,
}
# only for keys that take numbers: numbers as text, and what JSON parsing in
# Python accepts although JSON does not
NUMERIC_TEXT_VALUES: dict[str, Callable[[Any], Any]] = {
    "'99999999999999999999'": lambda v: "99999999999999999999",
    "'abc'": lambda v: "abc",
    "NaN": lambda v: float("nan"),
    "Infinity": lambda v: float("inf"),
}
DEEP_VALUES: dict[str, Callable[[Any], Any]] = {
    f"deep_json_{DEEP_PARSED}": lambda v: nested(DEEP_PARSED),
}
ELEMENT_VALUES: dict[str, Callable[[Any], Any]] = {
    "nul": lambda v: insert(v, "\x00"),
    "lone_surrogate": lambda v: insert(v, "\ud800"),
    "int": lambda v: 1,
    "null": lambda v: None,
    "dict": lambda v: {"x": v},
    "list": lambda v: [v],
}


def is_id_key(key: str) -> bool:
    """A key that names an object: ``id``, ``*_id``, ``ids``, ``*_ids``, and
    ``organization`` / ``fulfilled_by`` (a name or id)."""
    return bool(_ID.search(key)) or key in ("organization", "fulfilled_by")


def is_numeric_key(key: str, value: Any, validators: list[Any]) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    names = " ".join(getattr(v, "__qualname__", repr(v)) for v in validators)
    return bool(_NUMERIC.search(names)) or key in ("limit", "offset", "page")


@dataclass(frozen=True)
class Variant:
    """Put ``make(current value)`` at ``path`` of a valid data dict (or
    remove the key: kind ``missing``); path ``()`` changes the whole body."""

    path: tuple[Any, ...]
    kind: str
    make: Callable[[Any], Any] | None = field(default=None, compare=False, repr=False)
    raw_body: str | None = None  # the body as it is sent, for whole-body kinds

    @property
    def label(self) -> str:
        where = ".".join(str(p) for p in self.path) or "<body>"
        return f"{where}={self.kind}"

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        """A copy of ``data`` with this variant in it."""
        out = copy.deepcopy(data)
        if not self.path:
            return out
        holder: Any = out
        for step in self.path[:-1]:
            holder = holder[step]
        last = self.path[-1]
        if self.kind == "missing":
            holder.pop(last, None)
            return out
        current = holder[last] if _has(holder, last) else MISSING
        assert self.make is not None
        holder[last] = self.make(current)
        return out

    def body(self, data: dict[str, Any]) -> bytes:
        """The JSON request body: lone surrogates as ``\\ud800`` escapes,
        NaN and Infinity as Python writes them, deep nesting as raw text."""
        if self.raw_body is not None:
            return self.raw_body.encode()
        text = json.dumps(self.apply(data), allow_nan=True)
        deep = "[" * DEEP_REFUSED + '"x"' + "]" * DEEP_REFUSED
        return text.replace(json.dumps(_DEEP), deep).encode()


def _has(holder: Any, key: Any) -> bool:
    if isinstance(holder, dict):
        return key in holder
    return isinstance(holder, list) and isinstance(key, int) and key < len(holder)


def for_value(path: tuple[Any, ...], value: Any, *, present: bool, numeric: bool,
              id_values: list[tuple[str, Any]], depth: int = 0) -> Iterator[Variant]:
    """The hostile variants of one key (at ``path``) whose valid value is
    ``value`` (``present``: it is in the valid call)."""
    if present:
        yield Variant(path, "missing")
    for table in (TYPE_VALUES, TEXT_VALUES, NUMBER_VALUES, DEEP_VALUES):
        for kind, make in table.items():
            yield Variant(path, kind, make)
    if numeric:
        for kind, make in NUMERIC_TEXT_VALUES.items():
            yield Variant(path, kind, make)
    for label, foreign in id_values:
        yield Variant(path, label, _const(foreign))
    if isinstance(value, list) and value:
        for kind, make in ELEMENT_VALUES.items():
            yield Variant(path + (0,), f"element_{kind}", make)
        for label, foreign in id_values:
            if isinstance(foreign, str):
                yield Variant(path + (0,), f"element_{label}", _const(foreign))
    if isinstance(value, dict) and depth < 2:
        for key, inner in value.items():
            yield from for_value(path + (key,), inner, present=True,
                                 numeric=is_numeric_key(key, inner, []), id_values=[],
                                 depth=depth + 1)
        yield Variant(path + ("zz_unknown",), "unknown_key", _const("x"))


def _const(value: Any) -> Callable[[Any], Any]:
    return lambda _current: value


def for_call(data: dict[str, Any], schema: dict[str, Any],
             ids: Callable[[str, Any], list[tuple[str, Any]]]) -> list[Variant]:
    """Every hostile variant of a valid call ``data`` of an action with this
    schema: each key of the call and of the schema (the optional ones the
    valid call leaves out too), and for the whole body an unknown key, no
    keys at all and JSON nested deeper than parsing allows.

    ``ids(key, value)``: the (label, id) pairs to try for a key naming an
    object (unknown ids, other readers' objects)."""
    keys = list(data) + [k for k in schema if k not in data and not str(k).startswith("__")]
    out: list[Variant] = [
        Variant(("zz_unknown",), "unknown_key", _const("x")),
        Variant((), "empty_body", raw_body="{}"),
    ]
    for key in keys:
        value = data.get(key, MISSING)
        validators = schema.get(key) or []
        validators = validators if isinstance(validators, list) else []
        out.extend(for_value(
            (key,), value, present=key in data,
            numeric=is_numeric_key(key, value, validators),
            id_values=ids(key, value) if is_id_key(key) else []))
    first = keys[0] if keys else "zz_unknown"
    out.append(Variant((first,), f"deep_json_{DEEP_REFUSED}",
                       _const(nested(DEEP_REFUSED))))
    return out


def query_values() -> dict[str, str]:
    """Hostile values of a query parameter or form field, as text (what a
    URL or form can carry)."""
    return {
        "nul": "a\x00b",
        "'abc'": "abc",
        "'99999999999999999999'": "99999999999999999999",
        "'-1'": "-1",
        "unknown_id": str(uuid.UUID(int=0x5EC)),
        "empty": "",
    }


def unknown_id() -> str:
    return str(uuid.uuid4())
