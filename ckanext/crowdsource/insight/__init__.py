"""Insight: the staff dashboard of reader demand and crowd work, its
numbers through ``crowdsource_stats_show``, its charts and CSV downloads.
It reads the other capabilities' tables (``sources.py``), never writes
them; it counts the searches on ``/dataset`` that found nothing
(``searches.py``)."""
from __future__ import annotations

from ckanext.crowdsource.common.manifest import Manifest, NavLink


def manifest() -> Manifest:
    from ckan.plugins import toolkit

    from . import actions, auth, searches, views

    return Manifest(
        name="insight",
        actions=actions.get_actions(),
        auth=auth.get_auth_functions(),
        blueprints=[views.bp],
        search_hooks=[searches.record],
        nav=[NavLink("crowdsource_insight.stats", lambda: toolkit._("Library insight"),
                     lambda: toolkit._("Reader demand, service levels and crowd work, in "
                                       "charts and tables"), staff=True, order=90)],
    )
