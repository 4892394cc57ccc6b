"""Who may use the reader-tag actions (DESIGN section 6).

The per-dataset ones are asked about ``{"package_id": ...}``, as the actions
are called."""
from __future__ import annotations

from typing import Any

from ckan import model
from ckan.plugins import toolkit
from ckan.types import AuthResult, Context, DataDict

from ckanext.crowdsource.common.roles import can_see_dataset, current_user, is_staff_for


def _logged_in_and_sees(context: Context, data_dict: DataDict) -> AuthResult:
    if current_user(context) is None:
        return {"success": False, "msg": toolkit._("You must be logged in to tag datasets")}
    return _sees(context, data_dict)


def _sees(context: Context, data_dict: DataDict) -> AuthResult:
    if can_see_dataset(context, data_dict.get("package_id", "")):
        return {"success": True}
    return {"success": False, "msg": toolkit._("You cannot see this dataset")}


# Logged-in users who can see the dataset (remove takes only the caller's own tag).
crowdsource_tag_add = crowdsource_tag_remove = _logged_in_and_sees


@toolkit.auth_allow_anonymous_access
def crowdsource_tag_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone who can see the dataset."""
    return _sees(context, data_dict)


@toolkit.auth_allow_anonymous_access
def crowdsource_tag_cloud(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: the counts cover only datasets the caller can see."""
    return {"success": True}


@toolkit.auth_allow_anonymous_access
def crowdsource_tag_datasets(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: the list holds only datasets the caller can see."""
    return {"success": True}


def _staff_of_dataset(context: Context, data_dict: DataDict) -> AuthResult:
    pkg = model.Package.get(data_dict.get("package_id", ""))
    if pkg is not None and is_staff_for(context, pkg.owner_org):
        return {"success": True}
    return {"success": False, "msg": toolkit._("Only the library's staff can moderate tags")}


def _sysadmin_only(context: Context, data_dict: DataDict) -> AuthResult:
    # CKAN lets sysadmins pass every auth function before it is called
    return {"success": False, "msg": toolkit._("Only sysadmins can block tags")}


# Staff (editors, admins) of the dataset's organization, and sysadmins.
crowdsource_tag_hide = crowdsource_tag_restore = crowdsource_tag_promote = _staff_of_dataset
crowdsource_tag_block = crowdsource_tag_unblock = crowdsource_tag_block_list = _sysadmin_only


def get_auth_functions() -> dict[str, Any]:
    return {
        "crowdsource_tag_add": crowdsource_tag_add,
        "crowdsource_tag_remove": crowdsource_tag_remove,
        "crowdsource_tag_list": crowdsource_tag_list,
        "crowdsource_tag_cloud": crowdsource_tag_cloud,
        "crowdsource_tag_datasets": crowdsource_tag_datasets,
        "crowdsource_tag_hide": crowdsource_tag_hide,
        "crowdsource_tag_restore": crowdsource_tag_restore,
        "crowdsource_tag_block": crowdsource_tag_block,
        "crowdsource_tag_unblock": crowdsource_tag_unblock,
        "crowdsource_tag_block_list": crowdsource_tag_block_list,
        "crowdsource_tag_promote": crowdsource_tag_promote,
    }
