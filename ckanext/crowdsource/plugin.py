"""The ``crowdsource`` plugin: wires each capability into CKAN.

Kept thin on purpose: each capability folder provides its actions, auth
functions, blueprints and helpers, and this module only collects them.
"""
from __future__ import annotations

import os

import ckan.plugins as p
import yaml
from ckan.lib.plugins import DefaultTranslation
from ckan.plugins import toolkit


class CrowdsourcePlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigDeclaration, inherit=True)
    p.implements(p.ITranslation)

    # IConfigurer
    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")
        toolkit.add_public_directory(config, "public")
        toolkit.add_resource("assets", "crowdsource")

    # IConfigDeclaration
    def declare_config_options(self, declaration, key) -> None:
        here = os.path.dirname(__file__)
        with open(os.path.join(here, "config_declaration.yaml"), encoding="utf-8") as f:
            declaration.load_dict(yaml.safe_load(f))
