"""The reader's way in: the header's "Take part" and "Library staff" menus,
the ``/crowdsource`` page that lists what readers can do, and the home-page
blocks. It owns no tables: the links and blocks come from the other
capabilities' manifests (and any extension's ``ICrowdsource``)."""
from __future__ import annotations

from ckanext.crowdsource.common.manifest import Manifest


def manifest() -> Manifest:
    from . import nav, views

    return Manifest(
        name="home",
        blueprints=[views.bp],
        helpers={
            "crowdsource_nav": nav.menu,
            "crowdsource_home_blocks": nav.home_blocks,
        },
    )
