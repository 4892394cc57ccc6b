"""Moderation: flags, hiding, pre-moderation, the queue and the audit log."""
from __future__ import annotations

from ckanext.crowdsource.common.manifest import Manifest


def manifest() -> Manifest:
    from . import actions, auth, views

    return Manifest(
        name="moderation",
        actions=actions.get_actions(),
        auth=auth.get_auth_functions(),
        blueprints=[views.bp],
        purge_hooks=[actions.purge_dataset],
    )
