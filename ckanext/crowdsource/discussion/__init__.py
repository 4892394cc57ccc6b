"""Discussion and Q&A: threads, comments, replies, questions, answers, votes."""
from __future__ import annotations

from ckanext.crowdsource.common.manifest import HomeBlock, Manifest, NavLink


def manifest() -> Manifest:
    from ckan.plugins import toolkit

    from ckanext.crowdsource.common.views import first_of

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
        receivers={"crowdsource:community_purged": [core.unlink_community]},
        moderation_item_types=[moderation.ITEM_TYPE],
        nav=[NavLink("crowdsource_discussion.site_questions", lambda: toolkit._("Questions"),
                     lambda: toolkit._("Ask about the collections and answer other "
                                       "readers' questions"), order=20)],
        home_blocks=[HomeBlock(
            "questions", lambda: toolkit._("Questions waiting for an answer"),
            "crowdsource/home/snippets/questions.html",
            lambda: first_of("crowdsource_question_list", status="open"),
            "crowdsource_discussion.site_questions")],
    )
