"""Tasks the library posts and the claims readers make on them."""
from __future__ import annotations

from ckanext.crowdsource.common.manifest import HomeBlock, Manifest, NavLink


def manifest() -> Manifest:
    from ckan.plugins import toolkit

    from ckanext.crowdsource.common import config
    from ckanext.crowdsource.common.views import count_of, first_of

    from . import actions, auth, claims, cli, core, index, views

    return Manifest(
        name="tasks",
        actions={**actions.get_actions(), **claims.get_actions()},
        auth=auth.get_auth_functions(),
        blueprints=[views.bp],
        helpers={
            "crowdsource_open_tasks": views.open_tasks,
            "crowdsource_time_left": views.time_left,
            "crowdsource_claim_state": views.claim_state,
            "crowdsource_field_name": views.field_name,
            "crowdsource_claim_ttl": config.claim_ttl_hours,
        },
        index_hooks=[index.add_to_index],
        needs_help={index.OPEN_TASKS: lambda: toolkit._("Open tasks")},
        purge_hooks=[actions.purge_dataset],
        receivers={"crowdsource:community_purged": [actions.unlink_community]},
        commands=cli.get_commands(),
        constraint_errors=core.constraint_errors(),
        nav=[
            NavLink("crowdsource_tasks.board", lambda: toolkit._("Tasks"),
                    lambda: toolkit._("Describe, transcribe and check the library's "
                                      "collections, one task at a time"), order=10),
            NavLink("crowdsource_tasks.review_queue", lambda: toolkit._("Review submissions"),
                    lambda: toolkit._("Readers' work waiting for your review"), staff=True,
                    waiting=lambda: count_of("crowdsource_claim_list", review=True), order=10),
        ],
        home_blocks=[HomeBlock(
            "tasks", lambda: toolkit._("Tasks that need your help"),
            "crowdsource/home/snippets/tasks.html",
            lambda: first_of("crowdsource_task_list", free=True, sort="due"),
            "crowdsource_tasks.board")],
    )
