"""The links of the header's menus and the home page's blocks, as the
current user may see them."""
from __future__ import annotations

import logging
from typing import Any

from ckan.common import current_user, request
from ckan.lib import helpers as h
from ckan.plugins import PluginImplementations, toolkit

from ckanext.crowdsource.common import config, roles
from ckanext.crowdsource.common.cache import STAFF_WAITING, cached
from ckanext.crowdsource.interfaces import ICrowdsource

log = logging.getLogger(__name__)


def _links(staff: bool) -> list[Any]:
    found = [link for plugin in PluginImplementations(ICrowdsource)
             for link in plugin.get_nav_links() if link.staff == staff]
    return sorted(found, key=lambda link: link.order)


def is_staff() -> bool:
    """Whether the current user moderates any organization (or is a sysadmin)."""
    if not current_user.is_authenticated:
        return False
    orgs = roles.staff_org_ids({"user": current_user.name})
    return orgs is None or bool(orgs)


def _waiting(link: Any) -> int | None:
    """How many items wait behind a staff link; None: the user may not see
    them (the link is left out). Kept in Redis per user and link (the header
    shows it on every page) until the next crowdsource write, at most
    ``ckanext.crowdsource.common.count_cache_seconds``; computed afresh when
    Redis is down."""
    if link.waiting is None:
        return 0

    def count() -> int | None:
        try:
            return int(link.waiting())
        except toolkit.NotAuthorized:
            return None

    return cached(STAFF_WAITING, [current_user.name, link.endpoint, link.order],
                  config.count_cache_seconds(), count)


# each link's address and words, per language and site root: the header
# shows the menus on every page, and they only change with those
_SHOWN: dict[tuple[Any, ...], tuple[Any, dict[str, str]]] = {}


def _shown(link: Any) -> dict[str, str]:
    key = (id(link), h.lang(), request.script_root)
    kept = _SHOWN.get(key)
    if kept is None or kept[0] is not link:
        if len(_SHOWN) > 1000:  # plugins loaded again and again (tests)
            _SHOWN.clear()
        kept = _SHOWN[key] = (link, {
            "url": h.url_for(link.endpoint, **link.args),
            "label": link.label(),
            "description": link.description() if link.description else "",
        })
    return kept[1]


def menu(staff: bool = False) -> dict[str, Any]:
    """One header menu: ``{"links": [{"url", "label", "description",
    "waiting", "counts" (whether the link counts what waits), "active"}],
    "waiting": total}``; no links for a staff menu of
    a user who is not staff, and readers' links marked ``logged_in`` only
    for logged-in users."""
    if staff and not is_staff():
        return {"links": [], "waiting": 0}
    out = []
    for link in _links(staff):
        if link.logged_in and not current_user.is_authenticated:
            continue
        waiting = _waiting(link) if staff else 0
        if waiting is None:
            continue
        out.append({**_shown(link), "waiting": waiting, "counts": link.waiting is not None,
                    "active": request.endpoint == link.endpoint})
    return {"links": out, "waiting": sum(link["waiting"] for link in out)}


def home_blocks() -> list[dict[str, Any]]:
    """The home page's blocks named by ``ckanext.crowdsource.home.blocks``,
    in that order, each ``{"name", "title", "snippet", "items", "more"}``.
    A block whose items cannot be read is left out (and logged), so one
    failing capability never takes the home page down."""
    known = {block.name: block for plugin in PluginImplementations(ICrowdsource)
             for block in plugin.get_home_blocks()}
    out = []
    for name in config.home_blocks():
        block = known.get(name)
        if block is None:
            continue
        try:
            items = block.items()
        except (toolkit.NotAuthorized, toolkit.ValidationError, toolkit.ObjectNotFound) as e:
            log.warning("Home block %s left out: %r", name, e)
            continue
        out.append({"name": name, "title": block.title(), "snippet": block.snippet,
                    "items": items, "more": h.url_for(block.more)})
    return out
