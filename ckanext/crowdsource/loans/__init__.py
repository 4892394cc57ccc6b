"""Lendable datasets, loans and reservations (issue 18)."""
from __future__ import annotations

from ckanext.crowdsource.common.manifest import Manifest, NavLink


def manifest() -> Manifest:
    from ckan.plugins import toolkit

    from ckanext.crowdsource.common.views import count_of

    from . import actions, auth, cli, core, labels, lending, views

    return Manifest(
        name="loans",
        actions={**actions.get_actions(), **lending.get_actions()},
        auth=auth.get_auth_functions(),
        blueprints=[views.bp],
        helpers={
            "crowdsource_loan_box": views.loan_box,
            "crowdsource_loan_states": views.state_names,
        },
        purge_hooks=[actions.purge_dataset],
        user_delete_hooks=[lending.reader_deleted],
        commands=cli.get_commands(),
        constraint_errors=core.constraint_errors(),
        dataset_labels=[labels.dataset_labels],
        user_labels=[labels.user_labels],
        nav=[
            NavLink("crowdsource_loans.mine", lambda: toolkit._("My loans"),
                    lambda: toolkit._("Borrow restricted collections, see your loans "
                                      "and your place in the queues"),
                    logged_in=True, order=60),
            NavLink("crowdsource_loans.manage", lambda: toolkit._("Loans"),
                    lambda: toolkit._("Requests to approve, loans and queues"), staff=True,
                    waiting=lambda: count_of("crowdsource_loan_list", state="requested",
                                             desk=True),
                    order=60),
        ],
    )

