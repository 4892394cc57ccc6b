"""What a claim's result holds for each kind of task, and how it is applied.

* ``tag``: ``{"tags": [...]}``, normalised like reader tags;
* ``describe``, ``transcribe``, ``translate``: ``{"text": markdown, "field":
  where it should go (optional)}``;
* ``review``, ``verify``: ``{"verdict": "ok" | "problems", "notes": text}``;
* ``other``: ``{"text": ...}``.
"""
from __future__ import annotations

import difflib
from typing import Any

from ckan.plugins import toolkit

from ckanext.crowdsource.common.validators import body_text, tag_list

from .schema import TARGET_FIELDS

TEXT_KINDS = ("describe", "transcribe", "translate")
VERDICTS = ("ok", "problems")


def _invalid(field: str, message: str) -> toolkit.ValidationError:
    """An error in one part of a result: ``{"result": {part: [message]}}``."""
    return toolkit.ValidationError({"result": {field: [message]}})


def _text(value: Any, field: str) -> str:
    try:
        return body_text(value)
    except toolkit.Invalid as e:
        raise _invalid(field, str(e.error)) from None


def validate(kind: str, result: dict[str, Any], on_resource: bool) -> dict[str, Any]:
    """The result, cleaned, or ``ValidationError`` naming ``result`` and the
    part. A resource's field is a target only for a task on a resource."""
    if kind == "tag":
        try:
            return {"tags": tag_list(result.get("tags"))}
        except toolkit.Invalid as e:
            raise _invalid("tags", str(e.error)) from None
    if kind in ("review", "verify"):
        verdict = result.get("verdict")
        if verdict not in VERDICTS:
            raise _invalid("verdict", toolkit._("Must be one of: {choices}").format(
                choices=", ".join(VERDICTS)))
        notes = result.get("notes") or ""
        if verdict == "problems" or notes:
            notes = _text(notes, "notes")
        return {"verdict": verdict, "notes": notes}
    cleaned = {"text": _text(result.get("text"), "text")}
    if kind in TEXT_KINDS and result.get("field"):
        if result["field"] not in TARGET_FIELDS:
            raise _invalid("field", toolkit._("Must be one of: {choices}").format(
                choices=", ".join(TARGET_FIELDS)))
        if result["field"].startswith("resource.") and not on_resource:
            raise _invalid("field", toolkit._("This task is not about a resource"))
        cleaned["field"] = result["field"]
    return cleaned


def target(task_field: str | None, result: dict[str, Any]) -> str:
    """The field a text result goes to: the result's, the task's, or the notes."""
    return result.get("field") or task_field or "notes"


def compare(pkg: dict[str, Any], resource_id: str | None, task_field: str | None,
            result: dict[str, Any]) -> dict[str, Any]:
    """A text result next to what its target field holds now:
    ``{"diff_field", "diff"}`` (see :func:`diff`)."""
    field = target(task_field, result)
    return {"diff_field": field,
            "diff": diff(current_value(pkg, resource_id, field), result["text"])}


def current_value(pkg: dict[str, Any], resource_id: str | None, field: str) -> str:
    """What the field holds now ("" for a resource that is gone)."""
    if field.startswith("resource."):
        res = next((r for r in pkg.get("resources", []) if r["id"] == resource_id), None)
        return (res or {}).get(field.split(".", 1)[1]) or ""
    return pkg.get(field) or ""


def diff(old: str, new: str) -> list[dict[str, str]]:
    """Line by line: ``[{"op": " " | "-" | "+", "line": ...}, ...]``."""
    return [{"op": line[0], "line": line[2:]}
            for line in difflib.ndiff(old.splitlines(), new.splitlines())
            if line[:1] in (" ", "-", "+")]
