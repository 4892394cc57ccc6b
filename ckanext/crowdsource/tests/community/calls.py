"""A call that succeeds, for every action of the community capability.

``CALLS[action](lib)`` prepares what the call needs in the library (the
``lib`` fixture, whose ``community`` is a plain CKAN group) and returns
``(user to act as, data_dict)``. Preparation is done by the sysadmin or by
other users than the one who acts, so that it does not use up the actor's
rate limit. Staff act as ``lib["editor"]``; ``lib["reader"]`` owns the
communities made here.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from ckan.tests import factories

from ckanext.crowdsource.tests.helpers import as_user

Lib = dict[str, Any]
Call = Callable[[Lib], tuple[dict[str, Any] | None, dict[str, Any]]]
_numbers = itertools.count(1)


def community(lib: Lib, owner: str | None = "reader", **kw: Any) -> dict[str, Any]:
    """A new active community made by the sysadmin, owned by ``lib[owner]``."""
    n = next(_numbers)
    data = {"name": f"community-{n}", "title": f"地方史 Local history {n}",
            "description": "The town's past", **kw}
    if owner:
        data["owner"] = lib[owner]["name"]
    return as_user(lib["sysadmin"], "crowdsource_community_create", **data)


def proposal(lib: Lib, who: str = "reader2") -> dict[str, Any]:
    n = next(_numbers)
    return as_user(lib[who], "crowdsource_community_propose", name=f"proposal-{n}",
                   title="古籍 Rare books", description="Old books of the town")


def joined(lib: Lib, c: dict[str, Any], *who: str) -> dict[str, Any]:
    """``c`` with these readers joined (or asking to join) it."""
    for name in who:
        as_user(lib[name], "crowdsource_community_join", id=c["id"])
    return c


def _then(_prepared: Any, user: dict[str, Any] | None, data: dict[str, Any]
          ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    return user, data


CALLS: dict[str, Call] = {
    "crowdsource_community_propose": lambda lib: (lib["reader"], {
        "name": "rare-books", "title": "古籍 Rare books", "description": "Old books",
        "join_policy": "request", "scope": {"tags": ["maps"], "reader_tags": ["古籍"]}}),
    # a new group each time: one that is a community already is refused (the
    # bad-input probe makes the world with every *_create call first)
    "crowdsource_community_create": lambda lib: (lib["editor"], {
        "id": factories.Group()["id"], "join_policy": "open", "owner": lib["reader"]["name"]}),
    "crowdsource_community_review": lambda lib: (lib["editor"], {
        "id": proposal(lib)["id"], "decision": "approve", "note": "Welcome"}),
    "crowdsource_community_update": lambda lib: (lib["reader"], {
        "id": community(lib)["id"], "title": "地方史", "join_policy": "request",
        "scope": {"organization": lib["org"]["name"], "q": "maps"}}),
    "crowdsource_community_show": lambda lib: (None, {"id": community(lib)["name"]}),
    "crowdsource_community_list": lambda lib: _then(community(lib), None, {
        "q": "history", "limit": 5}),
    "crowdsource_community_join": lambda lib: (lib["reader2"], {"id": community(lib)["id"]}),
    "crowdsource_community_leave": lambda lib: (lib["reader2"], {
        "id": joined(lib, community(lib), "reader2")["id"]}),
    "crowdsource_community_member_list": lambda lib: (None, {
        "id": joined(lib, community(lib), "reader2")["id"], "limit": 5}),
    "crowdsource_community_member_set_role": lambda lib: (lib["reader"], {
        "id": joined(lib, community(lib), "reader2")["id"], "user_id": lib["reader2"]["name"],
        "role": "moderator"}),
    "crowdsource_community_member_request_review": lambda lib: (lib["reader"], {
        "id": joined(lib, community(lib, join_policy="request"), "reader2")["id"],
        "user_id": lib["reader2"]["id"], "decision": "approve", "note": "Welcome"}),
}
