"""Recognition: the points ledger readers earn from their contributions,
their totals, leaderboards and opt-outs."""
from __future__ import annotations

from ckanext.crowdsource.common.manifest import HomeBlock, Manifest


def manifest() -> Manifest:
    from ckan.plugins import toolkit

    from ckanext.crowdsource.common.views import first_of

    from . import actions, auth, core, receivers

    return Manifest(
        name="recognition",
        actions=actions.get_actions(),
        auth=auth.get_auth_functions(),
        receivers=receivers.RECEIVERS,
        purge_hooks=[receivers.dataset_purged],
        helpers={"crowdsource_points_reason": core.reason_label},
        home_blocks=[HomeBlock(
            "contributions", lambda: toolkit._("Recent contributions"),
            "crowdsource/home/snippets/contributions.html",
            lambda: first_of("crowdsource_points_recent"), "crowdsource_home.hub")],
    )
