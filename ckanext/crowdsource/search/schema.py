"""CKAN's Solr schema, read from the ``schema.xml`` that CKAN ships.

The PostgreSQL backend answers the queries CKAN builds for that schema, so the
field types, stored flags, multi-valued flags, dynamic fields and copyField
rules come from the file itself rather than from a hand-kept copy.
"""
from __future__ import annotations

import fnmatch
import functools
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import ckan

TEXT, STRING, DATE, NUMBER, BOOLEAN = "text", "string", "date", "number", "boolean"

_CLASS_KINDS = {
    "solr.TextField": TEXT,
    "solr.StrField": STRING,
    "solr.DatePointField": DATE,
    "solr.TrieDateField": DATE,
    "solr.BoolField": BOOLEAN,
}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    stored: bool
    multi: bool


@dataclass(frozen=True)
class SolrSchema:
    fields: dict[str, Field]
    dynamic: tuple[tuple[str, Field], ...]
    text_sources: tuple[str, ...]
    path: str
    # answers per field name: every indexed document asks for each of its keys
    _fields: dict[str, Field | None] = dataclass_field(default_factory=dict, compare=False)
    _copied: dict[str, bool] = dataclass_field(default_factory=dict, compare=False)

    def field(self, name: str) -> Field | None:
        """The declared field or the first dynamic field matching ``name``."""
        if name not in self._fields:
            found = self.fields.get(name)
            if found is None:
                found = next(
                    (Field(name, t.kind, t.stored, t.multi) for pattern, t in self.dynamic
                     if fnmatch.fnmatchcase(name, pattern)),
                    None,
                )
            self._fields[name] = found
        return self._fields[name]

    def copied_to_text(self, name: str) -> bool:
        """True when a copyField rule sends ``name`` into the ``text`` field."""
        if name not in self._copied:
            self._copied[name] = any(fnmatch.fnmatchcase(name, s) for s in self.text_sources)
        return self._copied[name]


def schema_path() -> str:
    return os.path.join(os.path.dirname(ckan.__file__), "config", "solr", "schema.xml")


@functools.lru_cache(maxsize=1)
def load_schema(path: str | None = None) -> SolrSchema:
    path = path or schema_path()
    root = ET.parse(path).getroot()
    kinds: dict[str, tuple[str, bool]] = {}
    for ft in root.iter("fieldType"):
        cls = ft.get("class", "")
        kind = _CLASS_KINDS.get(cls, NUMBER if "Point" in cls or "Trie" in cls else STRING)
        kinds[ft.get("name", "")] = (kind, ft.get("multiValued") == "true")

    def make(el: ET.Element) -> Field:
        kind, multi = kinds.get(el.get("type", ""), (STRING, False))
        return Field(
            el.get("name", ""),
            kind,
            el.get("stored", "true") == "true",
            el.get("multiValued", "true" if multi else "false") == "true",
        )

    fields = {f.get("name", ""): make(f) for f in root.iter("field")}
    dynamic = tuple((d.get("name", ""), make(d)) for d in root.iter("dynamicField"))
    # copyField into "urls" then "urls" into "text": resolve the chain.
    copies = [(c.get("source", ""), c.get("dest", "")) for c in root.iter("copyField")]
    text_sources = {"text"}
    changed = True
    while changed:
        changed = False
        for src, dest in copies:
            if dest in text_sources and src not in text_sources:
                text_sources.add(src)
                changed = True
    return SolrSchema(fields, dynamic, tuple(sorted(text_sources)), path)
