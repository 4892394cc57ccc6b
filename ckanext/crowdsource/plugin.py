"""The ``crowdsource`` plugin: wires each capability into CKAN.

Kept thin on purpose: each capability folder provides its actions, auth
functions, blueprints and helpers, and this module only collects them.
"""
from __future__ import annotations

import ckan.plugins as p
from ckan.lib.plugins import DefaultTranslation
from ckan.plugins import toolkit


@toolkit.blanket.config_declarations  # config_declaration.yaml beside this file
class CrowdsourcePlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    # IConfigurer
    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")
        toolkit.add_resource("assets", "crowdsource")
