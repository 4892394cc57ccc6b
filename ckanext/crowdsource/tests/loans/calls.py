"""A call that succeeds, for every action of the loans capability.

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
from ckan.tests import factories

from ckanext.crowdsource.loans.model import loan
from ckanext.crowdsource.tests.helpers import as_user

Call = Callable[[dict[str, Any]], tuple[dict[str, Any] | None, dict[str, Any]]]


def _lendable(lib: dict[str, Any], **settings: Any) -> dict[str, Any]:
    ds = factories.Dataset(owner_org=lib["org"]["id"], private=True, title="Rare Maps",
                           resources=[{"url": "http://example.org/rare.pdf"}])
    as_user(lib["editor"], "crowdsource_lendable_set", package_id=ds["id"], **settings)
    return ds


def _loan(lib: dict[str, Any], **settings: Any) -> dict[str, Any]:
    return as_user(lib["reader"], "crowdsource_loan_request",
                   package_id=_lendable(lib, **settings)["id"])


def _queued(lib: dict[str, Any]) -> dict[str, Any]:
    ds = _lendable(lib)
    as_user(lib["reader2"], "crowdsource_loan_request", package_id=ds["id"])
    return as_user(lib["reader"], "crowdsource_loan_request", package_id=ds["id"])


def _past_due(lib: dict[str, Any]) -> dict[str, Any]:
    made = _loan(lib)
    model.Session.execute(sa.update(loan).where(loan.c.id == made["id"]).values(
        due=datetime.now(timezone.utc) - timedelta(minutes=1)))
    model.Session.commit()
    return made


def _then(_prepared: Any, user: dict[str, Any], data: dict[str, Any]
          ) -> tuple[dict[str, Any], dict[str, Any]]:
    return user, data


CALLS: dict[str, Call] = {
    "crowdsource_lendable_set": lambda lib: (lib["editor"], {
        "package_id": factories.Dataset(owner_org=lib["org"]["id"], private=True)["id"],
        "copies": 2, "loan_days": 7}),
    "crowdsource_lendable_show": lambda lib: (lib["reader"], {
        "package_id": _lendable(lib)["id"]}),
    "crowdsource_lendable_list": lambda lib: _then(_lendable(lib), lib["reader"], {"limit": 5}),
    "crowdsource_loan_request": lambda lib: (lib["reader"], {"package_id": _lendable(lib)["id"]}),
    "crowdsource_loan_approve": lambda lib: (lib["editor"], {
        "id": _loan(lib, needs_approval=True)["id"]}),
    "crowdsource_loan_decline": lambda lib: (lib["editor"], {
        "id": _loan(lib, needs_approval=True)["id"], "reason": "Not now"}),
    "crowdsource_loan_renew": lambda lib: (lib["reader"], {"id": _loan(lib)["id"]}),
    "crowdsource_loan_return": lambda lib: (lib["reader"], {"id": _loan(lib)["id"]}),
    "crowdsource_loan_revoke": lambda lib: (lib["editor"], {
        "id": _loan(lib)["id"], "reason": "Damaged"}),
    "crowdsource_loan_show": lambda lib: (lib["reader"], {"id": _loan(lib)["id"]}),
    "crowdsource_loan_list": lambda lib: _then(_loan(lib), lib["reader"], {"limit": 5}),
    "crowdsource_reservation_cancel": lambda lib: (lib["reader"], {"id": _queued(lib)["id"]}),
    "crowdsource_reservation_list": lambda lib: _then(_queued(lib), lib["reader"], {"limit": 5}),
    "crowdsource_loans_expire": lambda lib: _then(_past_due(lib), lib["sysadmin"], {}),
    "crowdsource_reader_verify": lambda lib: (lib["editor"], {"user_id": lib["reader"]["id"]}),
    "crowdsource_reader_verified_list": lambda lib: (lib["editor"], {"limit": 5}),
}
