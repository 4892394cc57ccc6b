"""Feedback to the library and resource requests."""
from __future__ import annotations

from ckanext.crowdsource.common.manifest import HomeBlock, Manifest, NavLink


def manifest() -> Manifest:
    from ckan.plugins import toolkit

    from ckanext.crowdsource.common.views import count_of, first_of

    from . import actions, auth, index, moderation, requests, schema, views

    return Manifest(
        name="feedback",
        actions={**actions.get_actions(), **requests.get_actions()},
        auth=auth.get_auth_functions(),
        blueprints=[views.bp],
        helpers={
            "crowdsource_rating_sort": lambda: index.SORT,
            "crowdsource_feedback_box": views.box,
        },
        index_hooks=[index.add_to_index],
        purge_hooks=[actions.purge_dataset],
        moderation_item_types=[moderation.REQUEST, moderation.REPLY],
        constraint_errors=schema.CONSTRAINT_ERRORS,
        numeric_index_fields=[index.AVERAGE],
        nav=[
            NavLink("crowdsource_feedback.requests_page", lambda: toolkit._("Requests"),
                    lambda: toolkit._("Ask the library for what it lacks, and second "
                                      "other readers' requests"), order=30),
            NavLink("crowdsource_feedback.inbox", lambda: toolkit._("My feedback"),
                    lambda: toolkit._("What you told the library, and its answers"),
                    args={"mine": "1"}, logged_in=True, order=60),
            NavLink("crowdsource_feedback.inbox", lambda: toolkit._("Feedback inbox"),
                    lambda: toolkit._("Readers' feedback and requests to answer"),
                    staff=True, waiting=lambda: count_of("crowdsource_feedback_list",
                                                         status="new"), order=30),
        ],
        home_blocks=[HomeBlock(
            "requests", lambda: toolkit._("Most wanted by readers"),
            "crowdsource/home/snippets/requests.html",
            lambda: first_of("crowdsource_request_list", open=True, sort="seconds"),
            "crowdsource_feedback.requests_page")],
    )
