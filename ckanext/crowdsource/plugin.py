"""The ``crowdsource`` plugin: wires each capability into CKAN.

Kept thin on purpose: each capability folder's ``manifest()`` lists what it
gives (``common/manifest.py``), and this module loops over them when the
plugin loads. Adding a capability is one folder and one line in
:data:`CAPABILITIES`.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import ckan.plugins as p
from ckan import model
from ckan.lib.plugins import DefaultPermissionLabels, DefaultTranslation
from ckan.plugins import toolkit

from . import events, interfaces
from .common import cleanup, cli, guards, locales, needs_help, reindex, roles, validators
from .common.cache import once_per_request
from .common.manifest import Manifest
from .common.text import render_markdown

CAPABILITIES = ("tags", "moderation", "discussion", "tasks", "feedback", "community",
                "recognition", "notify", "share", "insight", "home", "loans")


def manifests() -> list[Manifest]:
    """Each capability's manifest (its modules are imported here, not before)."""
    return [importlib.import_module(f"ckanext.crowdsource.{name}").manifest()
            for name in CAPABILITIES]


@toolkit.blanket.config_declarations  # config_declaration.yaml beside this file
class CrowdsourcePlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IValidators)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IBlueprint)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IClick)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.ISignal)
    p.implements(p.IPermissionLabels)
    p.implements(interfaces.ICrowdsource, inherit=True)

    _manifests: list[Manifest] | None = None

    def _parts(self) -> list[Manifest]:
        if self._manifests is None:
            self._manifests = manifests()
        return self._manifests

    def _merged(self, part: Callable[[Manifest], dict[str, Any]]) -> dict[str, Any]:
        return {k: v for m in self._parts() for k, v in part(m).items()}

    def _joined(self, part: Callable[[Manifest], list[Any]]) -> list[Any]:
        return [x for m in self._parts() for x in part(m)]

    # IConfigurer
    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")
        toolkit.add_resource("assets", "crowdsource")

    # IActions, IAuthFunctions, IValidators, IBlueprint, ITemplateHelpers, IClick
    def get_actions(self) -> dict[str, Any]:
        return {**self._merged(lambda m: m.actions), "dataset_purge": cleanup.dataset_purge,
                "user_delete": cleanup.user_delete}

    def get_auth_functions(self) -> dict[str, Any]:
        return self._merged(lambda m: m.auth)

    def get_validators(self) -> dict[str, Any]:
        return {**validators.get_validators(), **self._merged(lambda m: m.validators)}

    def get_blueprint(self) -> list[Any]:
        return self._joined(lambda m: m.blueprints)

    def get_helpers(self) -> dict[str, Any]:
        return {"crowdsource_markdown": render_markdown,
                "crowdsource_translated": locales.translated,
                "format_resource_items": locales.format_resource_items,
                **self._merged(lambda m: m.helpers)}

    def get_commands(self) -> list[Any]:
        return [cli.group(self._joined(lambda m: m.commands))]

    # IMiddleware
    def make_middleware(self, app: Any, config: Any) -> Any:
        names = {bp.name for bp in self.get_blueprint()}
        app.before_request(guards.csrf_guard(names))
        app.before_request(guards.refuse_deep_json)
        app.before_request(locales.js_translations_of_script_locales)
        app.teardown_request(reindex.dispose_session)
        return reindex.served(app)

    # ISignal
    def get_signal_subscriptions(self) -> dict[Any, list[Any]]:
        subscriptions: dict[Any, list[Any]] = {
            signal: [receiver] for signal, receiver in events.forwarders().items()}
        subscriptions[toolkit.signals.action_succeeded] = [roles.remember_shown]
        # every capability's receivers of a signal (several may listen to one)
        for name, receivers in self._joined(lambda m: list(m.receivers.items())):
            # ours are named "crowdsource:...", CKAN's own as toolkit.signals
            # names them ("action_succeeded")
            signal = (toolkit.signals.ckanext.signal(name) if ":" in name
                      else getattr(toolkit.signals, name))
            subscriptions.setdefault(signal, []).extend(receivers)
        return subscriptions

    # IPermissionLabels: CKAN's default labels, and the capabilities' own
    # (a lendable dataset's "loan-<id>", a reader's active loans)
    def get_dataset_labels(self, dataset_obj: model.Package) -> list[str]:
        labels = DefaultPermissionLabels().get_dataset_labels(dataset_obj)
        return labels + [x for add in self._joined(lambda m: m.dataset_labels)
                         for x in add(dataset_obj)]

    def get_user_dataset_labels(self, user_obj: model.User | None) -> list[str]:
        def ask() -> list[str]:
            labels = DefaultPermissionLabels().get_user_dataset_labels(user_obj)
            return labels + [x for add in self._joined(lambda m: m.user_labels)
                             for x in add(user_obj)]

        if user_obj is None or getattr(user_obj, "is_anonymous", False) or not user_obj.id:
            return ask()
        # every package_show's auth asks (a page of search results, a dataset
        # page and its parts): once per read-only request is enough
        return list(once_per_request(f"dataset_labels:{user_obj.id}", ask))

    # ICrowdsource
    def get_moderation_item_types(self) -> list[Any]:
        return self._joined(lambda m: m.moderation_item_types)

    def get_needs_help_values(self) -> dict[str, Callable[[], str]]:
        return self._merged(lambda m: m.needs_help)

    def get_dataset_purge_hooks(self) -> list[Callable[[str], None]]:
        return self._joined(lambda m: m.purge_hooks)

    def get_user_delete_hooks(self) -> list[Callable[[str], None]]:
        return self._joined(lambda m: m.user_delete_hooks)

    def get_constraint_errors(self) -> dict[str, tuple[str, Callable[[], str]]]:
        return self._merged(lambda m: m.constraint_errors)

    def get_numeric_index_fields(self) -> list[str]:
        return self._joined(lambda m: m.numeric_index_fields)

    def get_nav_links(self) -> list[Any]:
        return self._joined(lambda m: m.nav)

    def get_home_blocks(self) -> list[Any]:
        return self._joined(lambda m: m.home_blocks)

    # IPackageController
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        for add in self._joined(lambda m: m.index_hooks):
            pkg_dict = add(pkg_dict)
        return pkg_dict

    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        for hook in self._joined(lambda m: m.search_hooks):
            hook(search_results, search_params)
        return needs_help.label_facet(search_results)

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        for hook in self._joined(lambda m: m.update_hooks):
            hook(pkg_dict)

    def after_dataset_delete(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        for hook in self._joined(lambda m: m.delete_hooks):
            hook(pkg_dict)

    # IFacets
    def dataset_facets(self, facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
        for field, title in self._merged(lambda m: m.facets).items():
            facets_dict[field] = title()
        facets_dict[needs_help.FIELD] = toolkit._("Needs help")
        return facets_dict
