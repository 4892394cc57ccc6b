"""Notify: in-app notifications of what happened to a reader's
contributions and in what they follow, each reader's rules for them, and
follows with watching levels. It listens to the other capabilities'
signals (``events.py``) and never reads their tables."""
from __future__ import annotations

from ckanext.crowdsource.common.manifest import Manifest, NavLink


def manifest() -> Manifest:
    from ckan.plugins import toolkit

    from ckanext.crowdsource.common.cli import sweeper

    from . import actions, auth, follows, helpers, mail, receivers, views

    return Manifest(
        name="notify",
        actions={**actions.get_actions(), **follows.get_actions()},
        auth=auth.get_auth_functions(),
        receivers=receivers.RECEIVERS,
        purge_hooks=[receivers.dataset_purged],
        helpers=helpers.HELPERS,
        blueprints=[views.bp],
        commands=[sweeper("send-digests", mail.send_digests, "{n} e-mails sent")],
        constraint_errors={"crowdsource_follow_once": (
            "object_id", lambda: toolkit._("You follow this already"))},
        nav=[NavLink("crowdsource_notify.index", lambda: toolkit._("Notifications"),
                     lambda: toolkit._("What happened to your contributions and in what "
                                       "you follow"), logged_in=True, order=90)],
    )
