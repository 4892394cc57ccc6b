"""Tasks the library posts and the claims readers make on them."""
from __future__ import annotations

from ckanext.crowdsource.common.manifest import Manifest


def manifest() -> Manifest:
    from ckan.plugins import toolkit

    from ckanext.crowdsource.common import config

    from . import actions, auth, claims, cli, core, index, views

    return Manifest(
        name="tasks",
        actions={**actions.get_actions(), **claims.get_actions()},
        auth=auth.get_auth_functions(),
        blueprints=[views.bp],
        helpers={
            "crowdsource_open_tasks": views.open_tasks,
            "crowdsource_time_left": views.time_left,
            "crowdsource_claim_ttl": config.claim_ttl_hours,
        },
        index_hooks=[index.add_to_index],
        needs_help={index.OPEN_TASKS: lambda: toolkit._("Open tasks")},
        purge_hooks=[actions.purge_dataset],
        commands=cli.get_commands(),
        constraint_errors=core.constraint_errors(),
    )
