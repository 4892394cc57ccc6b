"""Moderation: flags, hiding, pre-moderation, the queue and the audit log."""
from __future__ import annotations

from ckan.plugins import toolkit

from ckanext.crowdsource.common.manifest import Manifest, NavLink


def manifest() -> Manifest:
    from ckanext.crowdsource.common.views import count_of

    from . import actions, auth, views

    return Manifest(
        name="moderation",
        actions=actions.get_actions(),
        auth=auth.get_auth_functions(),
        blueprints=[views.bp],
        purge_hooks=[actions.purge_dataset],
        nav=[NavLink("crowdsource_moderation.queue", lambda: toolkit._("Moderation"),
                     lambda: toolkit._("Flagged contributions and posts waiting for approval"),
                     staff=True, order=20,
                     waiting=lambda: count_of("crowdsource_moderation_list", status="flagged")
                     + count_of("crowdsource_moderation_list", status="pending"))],
        constraint_errors={
            "crowdsource_flag_once": (
                "item_id", lambda: toolkit._("You have already flagged this")),
        },
    )
