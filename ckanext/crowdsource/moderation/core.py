"""The moderation core: one audit log for every kind of contribution.

Capabilities call :func:`record` in the same transaction as the decision it
describes; they do not import each other, only this module.
"""
from __future__ import annotations

import uuid

from ckan import model

from .model import moderation_log


def record(item_type: str, item_id: str, action: str, actor_id: str, reason: str = "",
           package_id: str | None = None, owner_org: str | None = None) -> None:
    """Add one decision to the audit log (not committed: the caller commits)."""
    model.Session.execute(moderation_log.insert().values(
        id=str(uuid.uuid4()), item_type=item_type, item_id=item_id, action=action,
        actor_id=actor_id, reason=reason, package_id=package_id, owner_org=owner_org,
    ))
