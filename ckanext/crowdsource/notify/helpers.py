"""Template helpers of notify: the header's bell and the wording of each
notification."""
from __future__ import annotations

from typing import Any

from ckan.common import current_user, request
from ckan.lib import helpers as h
from ckan.plugins import toolkit
from markupsafe import Markup, escape

from ckanext.crowdsource.common import config, roles

from . import core


def bell() -> dict[str, Any] | None:
    """What the bell shows: ``{"count", "more", "label", "poll"}`` for a
    logged-in user, None for anonymous visitors (who cost no query). One
    query on the unread index; a failing count (a database hiccup) shows
    the bell without a number rather than breaking the page."""
    if not current_user.is_authenticated:
        return None
    from .actions import COUNT_MAX, unread_count

    try:
        count = unread_count(roles.page_context())
    except (toolkit.NotAuthorized, toolkit.ObjectNotFound):
        return None
    more = count > COUNT_MAX
    count = min(count, COUNT_MAX)
    return {"count": count, "more": more, "label": bell_label(count, more),
            "poll": config.notify_poll_seconds()}


def bell_label(count: int, more: bool = False) -> str:
    """The bell's accessible name: "Notifications, 3 unread"."""
    if more:
        return toolkit._("Notifications, more than {n} unread").format(n=count)
    if not count:
        return toolkit._("Notifications, none unread")
    return toolkit.ungettext("Notifications, {n} unread", "Notifications, {n} unread",
                             count).format(n=count)


_STATUS = {"new": lambda: toolkit._("new"), "acknowledged": lambda: toolkit._("acknowledged"),
           "in_progress": lambda: toolkit._("in progress"),
           "resolved": lambda: toolkit._("resolved"), "declined": lambda: toolkit._("declined")}


def _parts(n: dict[str, Any]) -> tuple[str, str, str]:
    """Who did it, the item, and the status a notification's sentence names."""
    actor = (n.get("actor") or {}).get("display_name") or toolkit._("Someone")
    item = n.get("title") or n.get("package_title") or toolkit._("the library's service")
    if n.get("title") and n.get("package_title") and n["title"] != n["package_title"]:
        item = toolkit._("{item} ({dataset})").format(item=n["title"],
                                                     dataset=n["package_title"])
    status = (n.get("data") or {}).get("status") or ""
    return actor, item, _STATUS[status]() if status in _STATUS else status


def text(n: dict[str, Any]) -> Markup:
    """Who did what on which item, as one translated sentence with the
    names escaped: the item is its title (or its dataset's) in bold."""
    actor, item, status = _parts(n)
    return Markup(escape(core.sentence(n["kind"]))).format(
        actor=Markup("<strong>{}</strong>").format(actor),
        item=Markup("<em>{}</em>").format(item), status=status)


def plain_text(n: dict[str, Any]) -> str:
    """The sentence of :func:`text` as plain text (a mail's text part and
    subject)."""
    actor, item, status = _parts(n)
    return core.sentence(n["kind"]).format(actor=actor, item=item, status=status)


def link(n: dict[str, Any], root: str | None = None) -> str:
    """Where a notification leads: its path below the site's root
    (``root``: the path the site is served under; the request's when not
    given)."""
    path = n.get("link") or ""
    if not path.startswith("/") or path.startswith("//"):
        if root is None:
            return h.url_for("crowdsource_notify.index")
        return root + "/crowdsource/notifications"
    return (request.script_root if root is None else root) + path


HELPERS = {"crowdsource_notify_bell": bell, "crowdsource_notify_text": text,
           "crowdsource_notify_link": link, "crowdsource_notify_rule": core.rule_label}
