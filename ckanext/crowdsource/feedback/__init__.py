"""Feedback to the library and resource requests."""
from __future__ import annotations

from ckanext.crowdsource.common.manifest import Manifest


def manifest() -> Manifest:
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
    )
