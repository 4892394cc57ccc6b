"""Who may share: whoever may see the item (the action asks the item's own
show action, which refuses everyone else)."""
from __future__ import annotations

from ckan.plugins import toolkit
from ckan.types import AuthResult, Context, DataDict


@toolkit.auth_allow_anonymous_access
def crowdsource_share_record(context: Context, data_dict: DataDict) -> AuthResult:
    """Everyone; the item's visibility is checked by the action."""
    return {"success": True}


def get_auth_functions() -> dict[str, object]:
    return {"crowdsource_share_record": crowdsource_share_record}
