"""The crowdsource pages and forms, read from the Flask URL map, and what
each view reads from a request (query parameters, form fields, the values a
path argument may take), read from the views' source.

Reading the source keeps the list true as views change: a field a view
starts to read is probed without anyone adding it here.
"""
from __future__ import annotations

import ast
import functools
import inspect
import sys
from dataclasses import dataclass, field
from typing import Any

# What a request carries, as views read it: ``request.args.get("x")``,
# ``form["x"]``, ``{k: args[k] for k in ("a", "b")}``, ``STATE_KEYS``...
_RECEIVERS = ("args", "form", "values")


@dataclass
class Page:
    """One URL rule of a crowdsource blueprint."""

    endpoint: str
    rule: str
    methods: list[str]
    arguments: list[str]
    names: list[str] = field(default_factory=list)  # query or form keys it reads
    choices: dict[str, list[str]] = field(default_factory=dict)  # argument -> values

    @property
    def blueprint(self) -> str:
        return self.endpoint.split(".", 1)[0]


def pages(flask_app: Any, prefix: str = "crowdsource_") -> list[Page]:
    """Every rule of the blueprints named ``crowdsource_*``."""
    out = []
    for rule in sorted(flask_app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if not rule.endpoint.startswith(prefix):
            continue
        view = flask_app.view_functions[rule.endpoint]
        names, choices = read_by(view)
        out.append(Page(rule.endpoint, rule.rule,
                        sorted(rule.methods - {"HEAD", "OPTIONS"}), sorted(rule.arguments),
                        names, {a: choices.get(a, []) for a in rule.arguments}))
    return out


def _module_functions(module: Any) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(inspect.getsource(module))
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


def _receiver(node: ast.AST) -> bool:
    """``form``, ``args``, ``request.form``, ``request.args``..."""
    if isinstance(node, ast.Name):
        return node.id in _RECEIVERS
    return isinstance(node, ast.Attribute) and node.attr in _RECEIVERS


def _strings(node: ast.AST, module: Any) -> list[str]:
    """The strings a tuple literal or a module-level tuple names."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [e.value for e in node.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    value = _evaluate(node, module)
    if isinstance(value, dict):
        value = list(value)
    if isinstance(value, (tuple, list, set, frozenset)):
        return [v for v in value if isinstance(v, str)]
    return []


def _evaluate(node: ast.AST, module: Any) -> Any:
    """A name or attribute of the module (``VERBS``, ``schema.EXPORT_FORMATS``)."""
    if not isinstance(node, (ast.Name, ast.Attribute)):
        return None
    try:
        return eval(compile(ast.Expression(node), "<view>", "eval"),  # noqa: S307
                    vars(module))
    except Exception:  # noqa: BLE001 - not a constant of the module
        return None


def _reads(fn: ast.FunctionDef, module: Any) -> tuple[set[str], dict[str, set[str]], set[str]]:
    """(request keys, argument -> values compared with, functions it calls)."""
    names: set[str] = set()
    choices: dict[str, set[str]] = {}
    calls: set[str] = set()
    arguments = {a.arg for a in fn.args.args}
    for node in ast.walk(fn):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                calls.add(func.id)
            if isinstance(func, ast.Attribute) and func.attr == "get_page_number":
                names.add("page")
            if (isinstance(func, ast.Attribute) and func.attr in ("get", "getlist")
                    and _receiver(func.value) and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                names.add(node.args[0].value)
        if isinstance(node, ast.Subscript) and _receiver(node.value):
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                names.add(node.slice.value)
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            # {k: form[k] for k in ("a", "b") if form.get(k)}, {... for k in STATE_KEYS}
            if any(_receiver(n) for n in ast.walk(node)):
                for generator in node.generators:
                    names.update(_strings(generator.iter, module))
        elif isinstance(node, ast.Compare) and isinstance(node.left, ast.Name) \
                and node.left.id in arguments:
            for comparator in node.comparators:
                if isinstance(comparator, ast.Constant) and isinstance(comparator.value, str):
                    choices.setdefault(node.left.id, set()).add(comparator.value)
                else:
                    choices.setdefault(node.left.id, set()).update(
                        _strings(comparator, module))
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Dict) \
                and isinstance(node.slice, ast.Name) and node.slice.id in arguments:
            # {"comment": (...), "ask": (...)}[verb]
            choices.setdefault(node.slice.id, set()).update(_strings(
                ast.Tuple(elts=[k for k in node.value.keys if k is not None]), module))
    return names, choices, calls


@functools.cache
def _analysed(module_name: str) -> dict[str, tuple[set[str], dict[str, set[str]], set[str]]]:
    module = sys.modules[module_name]
    return {name: _reads(fn, module) for name, fn in _module_functions(module).items()}


def read_by(view: Any) -> tuple[list[str], dict[str, list[str]]]:
    """What ``view`` (and the functions of its module it calls, and theirs)
    reads from the request, and the values it compares its arguments with."""
    table = _analysed(view.__module__)
    names: set[str] = set()
    seen: set[str] = set()
    todo = [view.__name__]
    while todo:
        name = todo.pop()
        if name in seen or name not in table:
            continue
        seen.add(name)
        found, _choices, calls = table[name]
        names |= found
        todo.extend(calls)
    choices = {k: sorted(v) for k, v in table.get(view.__name__, (set(), {}, set()))[1].items()}
    # the verbs a form handler knows may be the keys of the helper it asks
    for name in seen - {view.__name__}:
        for key, values in table[name][1].items():
            if key in ("verb", "fmt"):
                choices[key] = sorted(set(choices.get(key, [])) | values)
    return sorted(names), choices
