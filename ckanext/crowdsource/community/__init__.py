"""Subject communities: groups of readers with their members, moderators and owners."""
from __future__ import annotations

from ckanext.crowdsource.common.manifest import HomeBlock, Manifest, NavLink


def manifest() -> Manifest:
    from ckan.plugins import toolkit

    from ckanext.crowdsource.common.views import count_of, first_of

    from . import actions, auth, core, members, views

    return Manifest(
        name="community",
        actions={**actions.get_actions(), **members.get_actions()},
        auth=auth.get_auth_functions(),
        blueprints=[views.bp],
        helpers={
            "crowdsource_community_of": views.community_of,
            "crowdsource_may_become_community": views.may_become_community,
            "crowdsource_my_communities": views.my_communities,
            "crowdsource_community_choices": views.community_choices,
            "crowdsource_community_roles": views.role_names,
        },
        # CKAN's own signal, by its name: a purged group takes its community along
        receivers={"action_succeeded": [core.after_action]},
        constraint_errors=core.constraint_errors(),
        nav=[
            NavLink("crowdsource_community.index", lambda: toolkit._("Communities"),
                    lambda: toolkit._("Join readers who share your subject, or propose "
                                      "a community of your own"), order=15),
            NavLink("crowdsource_community.index", lambda: toolkit._("Community proposals"),
                    lambda: toolkit._("Communities readers proposed, waiting for your "
                                      "decision"), args={"_anchor": "cs-proposals"},
                    staff=True, order=40,
                    waiting=lambda: count_of("crowdsource_community_list", status="proposed")),
        ],
        home_blocks=[HomeBlock(
            "communities", lambda: toolkit._("Active communities"),
            "crowdsource/home/snippets/communities.html",
            lambda: first_of("crowdsource_community_list", sort="members"),
            "crowdsource_community.index")],
    )
