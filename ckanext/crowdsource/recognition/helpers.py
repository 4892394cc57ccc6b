"""Template helpers of recognition: badges next to readers' names, and
where a contribution in a profile links to."""
from __future__ import annotations

from typing import Any

from ckan.lib import helpers as h
from flask import g, has_request_context

from . import badges
from .stream import kind_label

_MEMO = "_crowdsource_author_badges"


def _names_in(value: Any, found: set[str], depth: int = 0) -> None:
    """Every ``author.name`` in a thread's (or a post's) dicts and lists."""
    if depth > 12:
        return
    if isinstance(value, dict):
        author = value.get("author")
        if isinstance(author, dict) and author.get("name"):
            found.add(author["name"])
        for key, inner in value.items():
            if key != "author" and isinstance(inner, dict | list):
                _names_in(inner, found, depth + 1)
    elif isinstance(value, list):
        for inner in value:
            _names_in(inner, found, depth + 1)


def _memo() -> dict[str, list[dict[str, Any]]] | None:
    """This request's badges by reader name (in a POST's partial too, unlike
    ``common.cache.request_memo``: badges do not change while a page renders)."""
    if not has_request_context():
        return None
    if not hasattr(g, _MEMO):
        setattr(g, _MEMO, {})
    return getattr(g, _MEMO)


def author_badges(name: str | None, *scopes: Any) -> list[dict[str, Any]]:
    """The badges of the reader ``name``, shown next to it. The first call
    of a page looks up every author named in ``scopes`` (the thread, the
    post) in one query and keeps them for the rest of the request, so a
    page of posts costs one query, not one per post."""
    if not name:
        return []
    memo = _memo()
    if memo is not None and name in memo:
        return memo[name]
    names: set[str] = {name}
    for scope in scopes:
        _names_in(scope, names)
    if memo is not None:
        names -= set(memo)
    found = badges.of_names(names)
    if memo is not None:
        memo.update(found)
    return found.get(name, [])


def contribution_url(row: dict[str, Any]) -> str:
    """Where a contribution of a profile links to: its item's page."""
    kind, package = row.get("kind"), row.get("package_name") or row.get("package_id")
    if kind in ("question", "answer", "accepted_answer") and row.get("parent_id"):
        anchor = "" if kind == "question" else f"#post-{row['item_id']}"
        return h.url_for("crowdsource_discussion.question", id=row["parent_id"]) + anchor
    if kind == "comment":
        if package:
            return h.url_for("crowdsource_discussion.discussion", id=package) \
                + f"#post-{row['item_id']}"
        return h.url_for("crowdsource_discussion.replies", id=row["item_id"])
    if kind in ("task", "review") and row.get("parent_id"):
        return h.url_for("crowdsource_tasks.task_page", id=row["parent_id"])
    if kind in ("feedback", "request"):
        return h.url_for("crowdsource_feedback.item", id=row["item_id"])
    if kind == "tag" and package:
        return h.url_for("crowdsource_tags.cloud", id=package)
    if package:
        return h.url_for("dataset.read", id=package)
    return ""


HELPERS = {
    "crowdsource_author_badges": author_badges,
    "crowdsource_badge_label": badges.label,
    "crowdsource_badge_description": badges.description,
    "crowdsource_contribution_url": contribution_url,
    "crowdsource_contribution_kind": kind_label,
}
