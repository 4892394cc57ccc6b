"""Every permission cell of every community action (DESIGN section 6 and
issue 15), and "not found" for every action given a community that is not
there.

The people, in ``town`` (``tests/community/conftest.py``): ``anonymous``;
``reader2``, a reader outside the community; ``member``, a plain member
(an organization member, which is no staff role); ``moderator`` and
``owner`` of the community; ``other_editor``, staff of another
organization; ``editor``, ``admin`` and ``sysadmin``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from ckan import logic
from ckan.tests import factories

from ckanext.crowdsource.tests.community.calls import community, joined, proposal
from ckanext.crowdsource.tests.helpers import as_user

OK, REFUSED, HIDDEN = "ok", "refused", "not found"
PEOPLE = ("anonymous", "reader2", "member", "moderator", "owner", "other_editor", "editor",
          "admin", "sysadmin")
USERS = {"anonymous": None, "moderator": "reader3", "owner": "reader"}


def person(town: dict[str, Any], who: str) -> dict[str, Any] | None:
    name = USERS.get(who, who)
    return town[name] if name else None


def _pending(town: dict[str, Any]) -> dict[str, Any]:
    """open_c on request, with a newcomer asking to join."""
    c = town["open_c"]
    as_user(town["sysadmin"], "crowdsource_community_update", id=c["id"], join_policy="request")
    newcomer = factories.User()
    as_user(newcomer, "crowdsource_community_join", id=c["id"])
    return {"id": c["id"], "user_id": newcomer["name"], "decision": "approve"}


def _anyone(ok: str = OK) -> dict[str, str]:
    return {who: ok for who in PEOPLE}


def _but(cells: dict[str, str], **changed: str) -> dict[str, str]:
    return {**cells, **changed}


LOGGED_IN = _but(_anyone(), anonymous=REFUSED)
STAFF = _but(_anyone(REFUSED), other_editor=OK, editor=OK, admin=OK, sysadmin=OK)
OWNERS = _but(STAFF, owner=OK)
MODERATORS = _but(OWNERS, moderator=OK)

Setup = Callable[[dict[str, Any]], dict[str, Any]]
CELLS: dict[str, tuple[Setup, dict[str, str]]] = {
    "crowdsource_community_propose": (
        lambda t: {"name": "rare-books", "title": "Rare books"}, LOGGED_IN),
    "crowdsource_community_create": (
        lambda t: {"name": "rare-books", "title": "Rare books"}, STAFF),
    # a proposal is seen by its proposer and the staff alone
    "crowdsource_community_review": (
        lambda t: {"id": proposal(t, "member")["id"], "decision": "approve"},
        _but(STAFF, anonymous=HIDDEN, reader2=HIDDEN, moderator=HIDDEN, owner=HIDDEN)),
    "crowdsource_community_update": (
        lambda t: {"id": t["open_c"]["id"], "title": "地方史"}, OWNERS),
    "crowdsource_community_update:scope": (
        lambda t: {"id": t["open_c"]["id"], "scope": {"tags": ["maps"]}}, MODERATORS),
    "crowdsource_community_show": (lambda t: {"id": t["open_c"]["id"]}, _anyone()),
    "crowdsource_community_show:proposed": (
        lambda t: {"id": proposal(t, "member")["id"]},
        _but(STAFF, anonymous=HIDDEN, reader2=HIDDEN, member=OK, moderator=HIDDEN,
             owner=HIDDEN)),
    "crowdsource_community_list": (lambda t: {}, _anyone()),
    "crowdsource_community_join": (lambda t: {"id": t["open_c"]["id"]}, LOGGED_IN),
    "crowdsource_community_leave": (lambda t: {"id": joined(
        t, community(t, owner=None), "reader3", "member")["id"]}, LOGGED_IN),
    "crowdsource_community_member_list": (lambda t: {"id": t["open_c"]["id"]}, _anyone()),
    "crowdsource_community_member_list:pending": (
        lambda t: {"id": t["open_c"]["id"], "state": "pending"}, MODERATORS),
    "crowdsource_community_member_set_role": (
        lambda t: {"id": t["open_c"]["id"], "user_id": t["member"]["name"],
                   "role": "moderator"}, OWNERS),
    "crowdsource_community_member_request_review": (_pending, MODERATORS),
}


def test_every_action_has_its_cells():
    from ckanext.crowdsource.community import manifest

    assert set(manifest().actions) == {key.partition(":")[0] for key in CELLS}
    for _setup, cells in CELLS.values():
        assert set(cells) == set(PEOPLE)


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("cell", sorted(CELLS))
def test_permission_cell(town, cell, who):
    setup, cells = CELLS[cell]
    action = cell.partition(":")[0]
    data = setup(town)
    user = person(town, who)
    expected = cells[who]
    if expected == OK:
        assert isinstance(as_user(user, action, **data), dict)
    elif expected == REFUSED:
        with pytest.raises(logic.NotAuthorized):
            as_user(user, action, **data)
    else:
        with pytest.raises(logic.NotFound):
            as_user(user, action, **data)


@pytest.mark.parametrize("action,data", [
    ("crowdsource_community_review", {"decision": "approve"}),
    ("crowdsource_community_update", {"title": "x"}),
    ("crowdsource_community_show", {}),
    ("crowdsource_community_join", {}),
    ("crowdsource_community_leave", {}),
    ("crowdsource_community_member_list", {}),
    ("crowdsource_community_member_set_role", {"user_id": "x", "role": "member"}),
    ("crowdsource_community_member_request_review", {"user_id": "x", "decision": "approve"}),
    ("crowdsource_community_create", {}),
])
def test_a_community_that_is_not_there_is_not_found(town, action, data):
    # an organization is no community (nor a group that could become one)
    refs = ["nope"] if action.endswith("_create") else ["nope", town["org"]["name"]]
    for ref in refs:
        with pytest.raises(logic.NotFound):
            as_user(town["sysadmin"], action, id=ref, **data)


def test_a_plain_group_is_no_community(town):
    for action in ("crowdsource_community_show", "crowdsource_community_join",
                   "crowdsource_community_member_list"):
        with pytest.raises(logic.NotFound):
            as_user(town["reader"], action, id=town["community"]["name"])


@pytest.mark.parametrize("action", sorted({key.partition(":")[0] for key in CELLS}))
def test_every_action_refuses_a_missing_required_key(town, action):
    from ckanext.crowdsource.community import manifest

    keys = [k for k, validators in manifest().actions[action].crowdsource_schema().items()
            if any(getattr(v, "__name__", "") in ("not_empty", "not_missing")
                   for v in validators)]
    if not keys:
        pytest.skip(f"{action} has no required key")
    with pytest.raises(logic.ValidationError) as e:
        as_user(town["sysadmin"], action)
    assert set(keys) <= set(e.value.error_dict), e.value.error_dict
