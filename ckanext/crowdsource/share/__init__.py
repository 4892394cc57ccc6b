"""Sharing (转发): every dataset, question, task and community page has a
Share control (copy the link, a QR code for WeChat and phones, Weibo, QQ,
e-mail) whose links carry a short source code, and counts how often each
item was shared; link previews through Open Graph and Twitter card tags."""
from __future__ import annotations

from ckanext.crowdsource.common.manifest import Manifest


def manifest() -> Manifest:
    from . import actions, auth, core, views

    return Manifest(
        name="share",
        actions=actions.get_actions(),
        auth=auth.get_auth_functions(),
        blueprints=[views.bp],
        purge_hooks=[core.dataset_purged],
        helpers={"crowdsource_share": views.share_box,
                 "crowdsource_share_summary": views.share_summary},
    )
