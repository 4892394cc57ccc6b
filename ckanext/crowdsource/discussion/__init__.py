"""Discussion and Q&A: threads, comments, replies, questions, answers, votes."""
from __future__ import annotations

from ckanext.crowdsource.common.manifest import Manifest


def manifest() -> Manifest:
    from ckan.plugins import toolkit

    from . import actions, auth, core, index, moderation, questions, views

    return Manifest(
        name="discussion",
        actions={**actions.get_actions(), **questions.get_actions()},
        auth=auth.get_auth_functions(),
        blueprints=[views.bp],
        helpers={
            "crowdsource_discussion_counts": views.tab_counts,
            "crowdsource_resource_thread": views.resource_thread,
        },
        index_hooks=[index.add_to_index],
        needs_help={index.OPEN_QUESTIONS: lambda: toolkit._("Open questions")},
        purge_hooks=[core.purge_dataset],
        moderation_item_types=[moderation.ITEM_TYPE],
    )
