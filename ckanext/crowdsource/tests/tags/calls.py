"""One successful call of every reader-tag action, for the shared write-path
tests: each function takes the ``lib`` fixture, prepares what the call needs
and returns ``(user to act as, data dict)``.

Staff calls act as ``lib["editor"]`` and readers' as ``lib["reader"]``; the
block actions are for sysadmins alone, so they act as ``lib["sysadmin"]``
(whom the rate limit leaves alone).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckanext.crowdsource.tests.helpers import as_user

Call = tuple[dict | None, dict]


def _tagged(lib: dict[str, Any], tag: str = "spam") -> str:
    """``lib["ds"]``'s id, with ``tag`` given by ``lib["reader2"]``."""
    ds = lib["ds"]["id"]
    as_user(lib["reader2"], "crowdsource_tag_add", package_id=ds, tag=tag)
    return ds


def tag_add(lib: dict[str, Any]) -> Call:
    return lib["reader"], {"package_id": lib["ds"]["id"], "tag": ["atlas", "古籍"]}


def tag_remove(lib: dict[str, Any]) -> Call:
    ds = lib["ds"]["id"]
    as_user(lib["reader"], "crowdsource_tag_add", package_id=ds, tag="atlas")
    return lib["reader"], {"package_id": ds, "tag": "atlas"}


def tag_list(lib: dict[str, Any]) -> Call:
    return lib["reader"], {"package_id": _tagged(lib)}


def tag_cloud(lib: dict[str, Any]) -> Call:
    _tagged(lib)
    return lib["reader"], {"organization": lib["org"]["name"]}


def tag_datasets(lib: dict[str, Any]) -> Call:
    _tagged(lib)
    return lib["reader"], {"tag": "spam"}


def tag_hide(lib: dict[str, Any]) -> Call:
    return lib["editor"], {"package_id": _tagged(lib), "tag": "spam", "reason": "advertising"}


def tag_restore(lib: dict[str, Any]) -> Call:
    ds = _tagged(lib)
    as_user(lib["editor"], "crowdsource_tag_hide", package_id=ds, tag="spam")
    return lib["editor"], {"package_id": ds, "tag": "spam", "reason": "fine after all"}


def tag_promote(lib: dict[str, Any]) -> Call:
    return lib["editor"], {"package_id": _tagged(lib, "atlas"), "tag": "atlas"}


def tag_block(lib: dict[str, Any]) -> Call:
    _tagged(lib)
    return lib["sysadmin"], {"tag": "spam", "reason": "abuse"}


def tag_unblock(lib: dict[str, Any]) -> Call:
    _tagged(lib)
    as_user(lib["sysadmin"], "crowdsource_tag_block", tag="spam")
    return lib["sysadmin"], {"tag": "spam"}


def tag_block_list(lib: dict[str, Any]) -> Call:
    as_user(lib["sysadmin"], "crowdsource_tag_block", tag="spam")
    return lib["sysadmin"], {"limit": 5}


CALLS: dict[str, Callable[[dict], Call]] = {
    "crowdsource_tag_add": tag_add,
    "crowdsource_tag_remove": tag_remove,
    "crowdsource_tag_list": tag_list,
    "crowdsource_tag_cloud": tag_cloud,
    "crowdsource_tag_datasets": tag_datasets,
    "crowdsource_tag_hide": tag_hide,
    "crowdsource_tag_restore": tag_restore,
    "crowdsource_tag_promote": tag_promote,
    "crowdsource_tag_block": tag_block,
    "crowdsource_tag_unblock": tag_unblock,
    "crowdsource_tag_block_list": tag_block_list,
}
