"""Communities in the library (``lib``, from the shared fixtures), the
signals they send, and the audit log they write."""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.crowdsource import events
from ckanext.crowdsource.tests.community.calls import community, joined
from ckanext.crowdsource.tests.helpers import as_user


@pytest.fixture
def town(lib: dict[str, Any]) -> dict[str, Any]:
    """``lib`` with two communities owned by ``reader``: ``open_c`` (open,
    ``reader3`` its moderator, ``member`` of the organization a plain member)
    and ``request_c`` (on request, ``reader3`` a plain member, ``reader2``
    asking to join)."""
    open_c = joined(lib, community(lib), "reader3", "member")
    as_user(lib["reader"], "crowdsource_community_member_set_role", id=open_c["id"],
            user_id=lib["reader3"]["name"], role="moderator")
    request_c = joined(lib, community(lib), "reader3")
    as_user(lib["reader"], "crowdsource_community_update", id=request_c["id"],
            join_policy="request")
    joined(lib, request_c, "reader2")
    return {**lib, "open_c": open_c, "request_c": request_c}


COMMUNITY_SIGNALS = [name for name in dir(events) if name.startswith("community_")]


@pytest.fixture
def sent() -> Any:
    """The community signals sent meanwhile: ``(name, sender, kwargs)``."""
    seen: list[tuple[str, str, dict[str, Any]]] = []
    receivers = {}
    for name in COMMUNITY_SIGNALS:
        receivers[name] = lambda sender, name=name, **kw: seen.append((name, sender, kw))
        getattr(events, name).connect(receivers[name])
    yield seen
    for name in COMMUNITY_SIGNALS:
        getattr(events, name).disconnect(receivers[name])


def audit(community_id: str) -> list[tuple[str, str, str]]:
    """The audit log's entries about a community and its members, sorted
    (entries of one transaction share their time): (item type, action, the
    member's user id or "")."""
    rows = model.Session.execute(sa.text(
        "SELECT item_type, item_id, action FROM crowdsource_moderation_log"
        " WHERE item_id = :c OR item_id LIKE :m"),
        {"c": community_id, "m": f"{community_id}:%"}).all()
    model.Session.commit()
    return sorted((r.item_type, r.action, r.item_id.partition(":")[2]) for r in rows)
