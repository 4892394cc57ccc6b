"""The one way readers' text becomes HTML: CKAN's markdown with its sanitiser."""
from __future__ import annotations

from functools import lru_cache

from ckan.lib import helpers as h
from markupsafe import Markup


@lru_cache(maxsize=2048)
def _render(text: str) -> str:
    return str(h.render_markdown(text, auto_link=False))


def render_markdown(text: str) -> Markup:
    """Markdown to safe HTML: CKAN drops raw HTML, scripts, event handlers and
    links other than http(s) and mailto. The same text always gives the same
    HTML, so each web worker keeps the latest renderings."""
    return Markup(_render(text or ""))


EXCERPT = 80


def plain(text: str) -> str:
    """Readers' Markdown as the plain text a reader sees, on one line: no
    ``**`` or link syntax, no tags (they are dropped, as on the page)."""
    return " ".join(Markup(_render(text or "")).striptags().split())


def excerpt(text: str) -> str:
    """Readers' text as plain text on one line, cut at 80 characters
    (moderation queue labels)."""
    line = plain(text)
    return line if len(line) <= EXCERPT else line[: EXCERPT - 1] + "…"
