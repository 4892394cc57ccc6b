"""Recognition: the points ledger readers earn from their contributions,
their totals, leaderboards and opt-outs, badges, and the stream of each
reader's contributions their profile lists."""
from __future__ import annotations

from ckanext.crowdsource.common.manifest import HomeBlock, Manifest, NavLink


def manifest() -> Manifest:
    from ckan.plugins import toolkit

    from ckanext.crowdsource.common.views import first_of

    from . import actions, auth, cli, contributions, core, helpers, receivers, stream, views

    return Manifest(
        name="recognition",
        actions={**actions.get_actions(), **contributions.get_actions()},
        auth=auth.get_auth_functions(),
        receivers={name: [*receivers.RECEIVERS.get(name, []), *stream.RECEIVERS.get(name, [])]
                   for name in {*receivers.RECEIVERS, *stream.RECEIVERS}},
        purge_hooks=[receivers.dataset_purged, stream.dataset_purged],
        update_hooks=[core.dataset_changed],
        delete_hooks=[core.dataset_deleted],
        commands=cli.get_commands(),
        helpers={"crowdsource_points_reason": core.reason_label, **helpers.HELPERS},
        blueprints=[views.bp],
        nav=[NavLink("crowdsource_recognition.leaderboard", lambda: toolkit._("Leaderboard"),
                     lambda: toolkit._("Readers the library thanks with points for their "
                                       "accepted work"), order=70)],
        home_blocks=[HomeBlock(
            "contributions", lambda: toolkit._("Recent contributions"),
            "crowdsource/home/snippets/contributions.html",
            lambda: first_of("crowdsource_points_recent"), "crowdsource_recognition.leaderboard")],
    )
