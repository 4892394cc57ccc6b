"""The one way readers' text becomes HTML: CKAN's markdown with its sanitiser."""
from __future__ import annotations

from ckan.lib import helpers as h
from markupsafe import Markup


def render_markdown(text: str) -> Markup:
    """Markdown to safe HTML: CKAN drops raw HTML, scripts, event handlers and
    links other than http(s) and mailto."""
    return Markup(h.render_markdown(text or "", auto_link=False))
