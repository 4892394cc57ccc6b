"""Who may lend, borrow and see loans (DESIGN section 6: "borrow / reserve
a lendable dataset": readers if eligible, staff, sysadmins; "approve /
revoke loans, set lendable": staff of the dataset's organization; "see own
... loans": the borrower, and staff for their organization's datasets).

Loan and reservation functions are given the loan or reservation (``id``);
the others the dataset (``package_id``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckan import model
from ckan.plugins import toolkit
from ckan.types import AuthResult, Context, DataDict

from ckanext.crowdsource.common.db import organization_id
from ckanext.crowdsource.common.roles import (
    OK,
    current_user,
    current_user_id,
    is_library_staff,
    is_staff_for,
    refused,
    staff_org_ids,
)

from . import core


def _lendable(data_dict: DataDict) -> Any | None:
    try:
        return core.lendable_row(data_dict.get("package_id") or "")
    except toolkit.ObjectNotFound:
        return None


def crowdsource_lendable_set(context: Context, data_dict: DataDict) -> AuthResult:
    """Staff of the dataset's organization."""
    pkg = model.Package.get(data_dict.get("package_id") or "")
    if pkg is not None and is_staff_for(context, pkg.owner_org):
        return OK
    return refused(toolkit._("Only the library's staff can lend datasets"))


@toolkit.auth_allow_anonymous_access
def crowdsource_lendable_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: a lendable dataset's record and availability are public (the
    action answers "not found" for other datasets the caller cannot see)."""
    return OK


@toolkit.auth_allow_anonymous_access
def crowdsource_lendable_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: the catalogue of what may be borrowed."""
    return OK


def crowdsource_loan_request(context: Context, data_dict: DataDict) -> AuthResult:
    """Logged-in readers the dataset's rule lets borrow; its staff."""
    if current_user(context) is None:
        return refused(toolkit._("Log in to borrow"))
    row = _lendable(data_dict)
    if row is None or not core.eligible(context, row):
        return refused(toolkit._("You may not borrow this dataset"))
    return OK


def _row(find: Any, data_dict: DataDict) -> Any | None:
    try:
        return find(data_dict.get("id") or "")
    except toolkit.ObjectNotFound:
        return None


def _mine_or_staff(find: Any, refusal: Callable[[], str], mine: bool = True) -> Any:
    """An auth function for the loan or reservation ``id``: staff of its
    dataset's organization, and (``mine``) the reader whose it is."""
    def check(context: Context, data_dict: DataDict) -> AuthResult:
        row = _row(find, data_dict)
        if row is not None and ((mine and row.user_id == current_user_id(context))
                                or core.staff_of(context, row.package_id)):
            return OK
        return refused(refusal())
    return check


crowdsource_loan_approve = crowdsource_loan_decline = crowdsource_loan_revoke = \
    _mine_or_staff(core.loan_row, lambda: toolkit._("Only the library's staff can decide on loans"),
                   mine=False)
crowdsource_loan_renew = crowdsource_loan_return = crowdsource_loan_show = \
    _mine_or_staff(core.loan_row, lambda: toolkit._("This is not your loan"))
crowdsource_reservation_cancel = _mine_or_staff(
    core.reservation_row, lambda: toolkit._("This is not your reservation"))


def _list(context: Context, data_dict: DataDict) -> AuthResult:
    """Logged-in users their own; staff a dataset's, an organization's, or
    those of all the organizations they are staff of (``desk``)."""
    if current_user(context) is None:
        return refused(toolkit._("Log in to see your loans"))
    if data_dict.get("desk") and staff_org_ids(context) == []:
        return refused(toolkit._("Only the library's staff see others' loans"))
    if data_dict.get("package_id"):
        pkg = model.Package.get(data_dict["package_id"])
        if pkg is None or not is_staff_for(context, pkg.owner_org):
            return refused(toolkit._("Only the library's staff see others' loans"))
    if data_dict.get("organization"):
        try:
            org = organization_id(data_dict["organization"])
        except toolkit.ObjectNotFound:
            org = None
        if org is None or not is_staff_for(context, org):
            return refused(toolkit._("Only the library's staff see others' loans"))
    return OK


crowdsource_loan_list = crowdsource_reservation_list = _list


def _library_staff(context: Context, data_dict: DataDict) -> AuthResult:
    """The library's staff (editors and admins of any organization) and sysadmins."""
    if is_library_staff(context):
        return OK
    return refused(toolkit._("Only the library's staff verify readers"))


crowdsource_reader_verify = crowdsource_reader_verified_list = _library_staff


def crowdsource_loans_expire(context: Context, data_dict: DataDict) -> AuthResult:
    """Sysadmins (and the sweeper, which runs with ``ignore_auth``)."""
    return refused(toolkit._("Only sysadmins run the sweeper"))


def get_auth_functions() -> dict[str, Any]:
    return {name: fn for name, fn in globals().items()
            if name.startswith("crowdsource_") and callable(fn)}
