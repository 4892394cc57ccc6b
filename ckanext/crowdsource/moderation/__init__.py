"""Moderation: flags, hiding, pre-moderation, the queue and the audit log."""
from __future__ import annotations

from ckan.plugins import toolkit

from ckanext.crowdsource.common.manifest import Manifest


def manifest() -> Manifest:
    from . import actions, auth, views

    return Manifest(
        name="moderation",
        actions=actions.get_actions(),
        auth=auth.get_auth_functions(),
        blueprints=[views.bp],
        purge_hooks=[actions.purge_dataset],
        constraint_errors={
            "crowdsource_flag_once": (
                "item_id", lambda: toolkit._("You have already flagged this")),
        },
    )
