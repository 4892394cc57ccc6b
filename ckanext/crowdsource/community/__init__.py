"""Subject communities: groups of readers with their members, moderators and owners."""
from __future__ import annotations

from ckanext.crowdsource.common.manifest import Manifest


def manifest() -> Manifest:
    from . import actions, auth, core, members

    return Manifest(
        name="community",
        actions={**actions.get_actions(), **members.get_actions()},
        auth=auth.get_auth_functions(),
        # CKAN's own signal, by its name: a purged group takes its community along
        receivers={"action_succeeded": [core.after_action]},
        constraint_errors=core.constraint_errors(),
    )
