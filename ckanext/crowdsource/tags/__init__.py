"""Reader tags (social tagging)."""
from __future__ import annotations

from ckanext.crowdsource.common.manifest import Manifest, NavLink


def manifest() -> Manifest:
    from ckan.plugins import toolkit

    from . import actions, auth, index, moderation, views

    return Manifest(
        name="tags",
        actions=actions.get_actions(),
        auth=auth.get_auth_functions(),
        blueprints=[views.bp],
        helpers={"crowdsource_reader_tags": views.cloud_vars},
        index_hooks=[index.add_to_index],
        delete_hooks=[index.dataset_gone],
        facets={actions.INDEX_FIELD: lambda: toolkit._("Reader tags")},
        purge_hooks=[actions.purge_dataset],
        moderation_item_types=[moderation.ITEM_TYPE],
        nav=[NavLink("crowdsource_tags.site_cloud", lambda: toolkit._("Reader tags"),
                     lambda: toolkit._("The words readers use for the collections"),
                     order=40)],
    )
