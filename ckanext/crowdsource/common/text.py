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


def excerpt(text: str) -> str:
    """Readers' text on one line, cut at 80 characters (moderation queue labels)."""
    line = " ".join(text.split())
    return line if len(line) <= EXCERPT else line[: EXCERPT - 1] + "…"
