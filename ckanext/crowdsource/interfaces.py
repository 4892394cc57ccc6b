"""``ICrowdsource``: what other extensions may hook into.

The ``crowdsource`` plugin implements it too, from its capabilities'
manifests, so the moderation queue, the "Needs help" facet, dataset purges
and role checks ask every implementation the same way::

    class MyPlugin(p.SingletonPlugin):
        p.implements(ICrowdsource, inherit=True)

        def get_moderation_item_types(self):
            return [my_item_type]
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckan.plugins.interfaces import Interface
from ckan.types import Context


class ICrowdsource(Interface):
    """Extend ckanext-crowdsource. Every method has a default that adds nothing."""

    def get_moderation_item_types(self) -> list[Any]:
        """Kinds of contribution that flags, hiding, the queue and the audit
        log know: a list of ``ckanext.crowdsource.moderation.core.ItemType``."""
        return []

    def get_needs_help_values(self) -> dict[str, Callable[[], str]]:
        """Values of the "Needs help" facet (``vocab_crowd_needs_help``) this
        extension adds to index documents, each with its translated name
        (a function, so it is translated when shown)."""
        return {}

    def get_dataset_purge_hooks(self) -> list[Callable[[str], None]]:
        """Functions ``hook(package_id)`` that delete this extension's rows of
        a purged dataset, in the purge's transaction (they do not commit)."""
        return []

    def get_user_delete_hooks(self) -> list[Callable[[str], None]]:
        """Functions ``hook(user_id)`` that let go of what this extension
        holds for a user CKAN has just deleted (their loans, their places in
        queues), in one transaction after the deletion (they do not commit)."""
        return []

    def get_constraint_errors(self) -> dict[str, tuple[str, Callable[[], str]]]:
        """Database constraint names, each with the field (or condition) and
        the translated message a ``ValidationError`` gives when a write
        breaks it."""
        return {}

    def get_numeric_index_fields(self) -> list[str]:
        """Index fields this extension fills with numbers, so that a search
        backend that can sort by number does (``crowdsource_pgsearch``)."""
        return []

    def get_nav_links(self) -> list[Any]:
        """Links for the header's "Take part" and "Library staff" menus: a
        list of ``ckanext.crowdsource.common.manifest.NavLink``."""
        return []

    def get_home_blocks(self) -> list[Any]:
        """Blocks the home page may show: a list of
        ``ckanext.crowdsource.common.manifest.HomeBlock``."""
        return []

    def is_staff_for(self, context: Context, owner_org: str | None,
                     is_staff: bool) -> bool:
        """Extend the role check: return whether the context's user may act
        as staff for things of ``owner_org`` (None: the site), given what the
        implementations before this one decided (``is_staff``)."""
        return is_staff

    def after_contribution(self, event: str, item_id: str, data: dict[str, Any]) -> None:
        """Called for every signal of ``ckanext.crowdsource.events``, with the
        signal's name (``"crowdsource:post_created"``), the item's id and the
        signal's keyword arguments. Runs inside the contribution's transaction:
        rows written here commit or roll back with it. Must not change ``data``."""
