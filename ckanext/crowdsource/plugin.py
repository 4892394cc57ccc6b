"""The ``crowdsource`` plugin: wires each capability into CKAN.

Kept thin on purpose: each capability folder provides its actions, auth
functions, blueprints and helpers, and this module only collects them.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
from ckan.lib.plugins import DefaultTranslation
from ckan.plugins import toolkit

from .common import cleanup, needs_help
from .common.text import render_markdown
from .discussion import actions as discussion_actions
from .discussion import auth as discussion_auth
from .discussion import index as discussion_index
from .discussion import moderation as post_moderation
from .discussion import questions as question_actions
from .discussion import views as discussion_views
from .feedback import actions as feedback_actions
from .feedback import auth as feedback_auth
from .feedback import index as feedback_index
from .feedback import moderation as feedback_moderation
from .feedback import requests as request_actions
from .feedback import views as feedback_views
from .moderation import actions as moderation_actions
from .moderation import auth as moderation_auth
from .moderation import core as moderation_core
from .moderation import views as moderation_views
from .search import query as search_query
from .search.schema import NUMBER
from .tags import actions as tag_actions
from .tags import auth as tag_auth
from .tags import index as tag_index
from .tags import moderation as tag_moderation
from .tags import views as tag_views
from .tasks import actions as task_actions
from .tasks import auth as task_auth
from .tasks import claims as claim_actions
from .tasks import cli as task_cli
from .tasks import index as task_index
from .tasks import views as task_views

moderation_core.register(tag_moderation.ITEM_TYPE)
moderation_core.register(post_moderation.ITEM_TYPE)
moderation_core.register(feedback_moderation.REQUEST)
moderation_core.register(feedback_moderation.REPLY)
# with crowdsource_pgsearch, the average rating sorts as a number
search_query.EXTRA_SORT_FIELDS[feedback_index.AVERAGE] = NUMBER
for _purge in (tag_actions.purge_dataset, discussion_actions.purge_dataset,
               moderation_actions.purge_dataset, task_actions.purge_dataset,
               feedback_actions.purge_dataset):
    cleanup.on_dataset_purge(_purge)


@toolkit.blanket.config_declarations  # config_declaration.yaml beside this file
class CrowdsourcePlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IBlueprint)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IClick)

    # IConfigurer
    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")
        toolkit.add_resource("assets", "crowdsource")

    # IActions, IAuthFunctions
    def get_actions(self) -> dict[str, Any]:
        return {**tag_actions.get_actions(), **moderation_actions.get_actions(),
                **discussion_actions.get_actions(), **question_actions.get_actions(),
                **task_actions.get_actions(), **claim_actions.get_actions(),
                **feedback_actions.get_actions(), **request_actions.get_actions(),
                "dataset_purge": cleanup.dataset_purge}

    def get_auth_functions(self) -> dict[str, Any]:
        return {**tag_auth.get_auth_functions(), **moderation_auth.get_auth_functions(),
                **discussion_auth.get_auth_functions(), **task_auth.get_auth_functions(),
                **feedback_auth.get_auth_functions()}

    # IBlueprint
    def get_blueprint(self) -> list[Any]:
        return [tag_views.bp, moderation_views.bp, discussion_views.bp, task_views.bp,
                feedback_views.bp]

    # ITemplateHelpers
    def get_helpers(self) -> dict[str, Any]:
        return {
            "crowdsource_reader_tags": tag_views.cloud_vars,
            "crowdsource_markdown": render_markdown,
            "crowdsource_discussion_counts": discussion_views.tab_counts,
            "crowdsource_resource_thread": discussion_views.resource_thread,
            "crowdsource_open_tasks": task_views.open_tasks,
            "crowdsource_rating_sort": lambda: feedback_index.SORT,
            "crowdsource_feedback_box": feedback_views.box,
            "crowdsource_time_left": task_views.time_left,
            "crowdsource_claim_ttl": lambda: toolkit.config.get(
                "ckanext.crowdsource.tasks.claim_ttl_hours"),
        }

    # IClick
    def get_commands(self) -> list[Any]:
        return task_cli.get_commands()

    # IPackageController
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        for add in (tag_index.add_to_index, discussion_index.add_to_index,
                    task_index.add_to_index, feedback_index.add_to_index):
            pkg_dict = add(pkg_dict)
        return pkg_dict

    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        return needs_help.label_facet(search_results)

    def after_dataset_delete(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        tag_index.dataset_gone(pkg_dict)

    # IFacets
    def dataset_facets(self, facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
        facets_dict = tag_index.add_facet(facets_dict)
        facets_dict[needs_help.FIELD] = toolkit._("Needs help")
        return facets_dict
