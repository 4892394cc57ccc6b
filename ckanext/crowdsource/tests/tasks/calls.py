"""A call that succeeds, for every action of the tasks capability.

``CALLS[action](lib)`` prepares what the call needs in the library (the
``lib`` fixture) and returns ``(user to act as, data_dict)``. Staff are
``lib["editor"]``, readers ``lib["reader"]``; only the sweeper, which only
sysadmins may run, acts as one.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.crowdsource.tasks.model import claim
from ckanext.crowdsource.tests.helpers import as_user

Call = Callable[[dict[str, Any]], tuple[dict[str, Any] | None, dict[str, Any]]]


def _task(lib: dict[str, Any], **kw: Any) -> dict[str, Any]:
    data = {"package_id": lib["ds"]["id"], "kind": "describe", "title": "Describe the maps",
            "capacity": 2, **kw}
    return as_user(lib["editor"], "crowdsource_task_create", **data)


def _claim(lib: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return as_user(lib["reader"], "crowdsource_task_claim", id=_task(lib, **kw)["id"])


def _submitted(lib: dict[str, Any]) -> dict[str, Any]:
    c = _claim(lib)
    return as_user(lib["reader"], "crowdsource_claim_submit", id=c["id"],
                   result={"text": "Old maps.\nDrawn in 1850."})


def _accepted(lib: dict[str, Any]) -> dict[str, Any]:
    c = _submitted(lib)
    return as_user(lib["editor"], "crowdsource_claim_review", id=c["id"], decision="accept")


def _expired(lib: dict[str, Any]) -> dict[str, Any]:
    c = _claim(lib)
    model.Session.execute(sa.update(claim).where(claim.c.id == c["id"]).values(
        expires_at=datetime.now(timezone.utc) - timedelta(minutes=1)))
    model.Session.commit()
    return c


def _then(_prepared: Any, user: dict[str, Any], data: dict[str, Any]
          ) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(user, data)`` once ``_prepared`` (made by the caller) is in place."""
    return user, data


CALLS: dict[str, Call] = {
    "crowdsource_task_create": lambda lib: (lib["editor"], {
        "package_id": lib["ds"]["id"], "kind": "tag", "title": "Tag the maps",
        "instructions": "Three tags", "capacity": 2}),
    "crowdsource_task_create_bulk": lambda lib: (lib["editor"], {
        "package_ids": [lib["ds"]["id"], lib["ds2"]["name"]], "kind": "verify",
        "title": "Check the licence"}),
    "crowdsource_task_update": lambda lib: (lib["editor"], {
        "id": _claim(lib)["task_id"], "title": "Describe the old maps", "capacity": 3}),
    "crowdsource_task_cancel": lambda lib: (lib["editor"], {
        "id": _claim(lib)["task_id"], "reason": "Done by a partner"}),
    "crowdsource_task_show": lambda lib: (lib["reader"], {"id": _task(lib)["id"]}),
    "crowdsource_task_list": lambda lib: _then(_task(lib), lib["reader"], {"limit": 5}),
    "crowdsource_task_next": lambda lib: _then(_task(lib), lib["reader"], {"kind": "describe"}),
    "crowdsource_task_claim": lambda lib: (lib["reader"], {"id": _task(lib)["id"]}),
    "crowdsource_claim_extend": lambda lib: (lib["reader"], {"id": _claim(lib)["id"]}),
    "crowdsource_claim_save_draft": lambda lib: (lib["reader"], {
        "id": _claim(lib)["id"], "draft": {"text": "Old maps"}}),
    "crowdsource_claim_release": lambda lib: (lib["reader"], {
        "id": _claim(lib)["id"], "reason": "No time"}),
    "crowdsource_claim_submit": lambda lib: (lib["reader"], {
        "id": _claim(lib)["id"], "result": {"text": "Old maps of the town"}}),
    "crowdsource_claim_review": lambda lib: (lib["editor"], {
        "id": _submitted(lib)["id"], "decision": "accept", "note": "Thanks"}),
    "crowdsource_claim_apply": lambda lib: (lib["editor"], {"id": _accepted(lib)["id"]}),
    "crowdsource_claim_show": lambda lib: (lib["reader"], {"id": _claim(lib)["id"]}),
    "crowdsource_claim_list": lambda lib: _then(_claim(lib), lib["reader"], {"limit": 5}),
    "crowdsource_claims_expire": lambda lib: _then(_expired(lib), lib["sysadmin"], {}),
}
