"""What a capability gives the ``crowdsource`` plugin.

Each capability folder's ``__init__.py`` has one function, ``manifest()``,
that imports its modules and returns a :class:`Manifest`; ``plugin.py`` calls
them when the plugin loads (never at import) and loops over the results.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NavLink:
    """One link of the header's menus: "Take part" (readers) or "Library
    staff" (``staff=True``), and of the ``/crowdsource`` page.

    - ``endpoint``: the Flask endpoint it goes to.
    - ``label``, ``description``: translated when shown (functions).
    - ``args``: the endpoint's URL arguments.
    - ``logged_in``: a reader's link shown only to logged-in users.
    - ``waiting``: for a staff link, a function giving how many items wait
      for the current user (shown beside the link); it may raise
      ``NotAuthorized``, and the link is then left out.
    - ``order``: place in the menu, lowest first.
    """

    endpoint: str
    label: Callable[[], str]
    description: Callable[[], str] | None = None
    args: dict[str, str] = field(default_factory=dict)
    staff: bool = False
    logged_in: bool = False
    waiting: Callable[[], int] | None = None
    order: int = 50


@dataclass(frozen=True)
class HomeBlock:
    """A block the home page may show (``ckanext.crowdsource.home.blocks``
    names the ones it does, in order).

    - ``name``: the name the option uses.
    - ``title``: translated when shown (a function).
    - ``snippet``: the template that renders ``items``.
    - ``items``: a function giving the block's items as the current user may
      see them (through the capability's own list action).
    - ``more``: the endpoint of the page with all of them.
    """

    name: str
    title: Callable[[], str]
    snippet: str
    items: Callable[[], list[Any]]
    more: str


@dataclass(frozen=True)
class Manifest:
    """One capability's parts. Every field is optional.

    - ``actions``, ``auth``, ``helpers``, ``validators``: name to function
      (validators are registered through ``IValidators``; name them
      ``crowdsource_*``).
    - ``blueprints``: Flask blueprints.
    - ``index_hooks``: ``hook(pkg_dict) -> pkg_dict``, run by
      ``before_dataset_index``.
    - ``update_hooks``: ``hook(pkg_dict)``, run by ``after_dataset_update``.
    - ``delete_hooks``: ``hook(pkg_dict)``, run by ``after_dataset_delete``.
    - ``search_hooks``: ``hook(search_results, search_params)``, run by
      ``after_dataset_search``: they look at a search, never change it.
    - ``facets``: index field to its translated title (a function).
    - ``needs_help``: values of the "Needs help" facet with their names.
    - ``purge_hooks``: ``hook(package_id)``, delete the capability's rows of a
      purged dataset (no commit).
    - ``user_delete_hooks``: ``hook(user_id)``, after CKAN deleted a user:
      let go of what the capability holds for them (no commit).
    - ``moderation_item_types``: ``moderation.core.ItemType`` objects.
    - ``commands``: click commands, added under ``ckan crowdsource``.
    - ``receivers``: signal name to receivers (``ISignal``).
    - ``constraint_errors``: constraint name to ``(field, message)``.
    - ``numeric_index_fields``: index fields that sort as numbers.
    - ``nav``: :class:`NavLink` objects for the header's menus.
    - ``home_blocks``: :class:`HomeBlock` objects for the home page.
    - ``dataset_labels``, ``user_labels``: permission labels added to CKAN's
      default ones (``IPermissionLabels``): ``fn(dataset_obj)`` and
      ``fn(user_obj)``, each giving a list of labels.
    """

    name: str
    actions: dict[str, Callable[..., Any]] = field(default_factory=dict)
    auth: dict[str, Callable[..., Any]] = field(default_factory=dict)
    helpers: dict[str, Callable[..., Any]] = field(default_factory=dict)
    validators: dict[str, Callable[..., Any]] = field(default_factory=dict)
    blueprints: list[Any] = field(default_factory=list)
    index_hooks: list[Callable[[dict[str, Any]], dict[str, Any]]] = field(default_factory=list)
    update_hooks: list[Callable[[dict[str, Any]], None]] = field(default_factory=list)
    delete_hooks: list[Callable[[dict[str, Any]], None]] = field(default_factory=list)
    search_hooks: list[Callable[[dict[str, Any], dict[str, Any]], None]] = field(
        default_factory=list)
    facets: dict[str, Callable[[], str]] = field(default_factory=dict)
    needs_help: dict[str, Callable[[], str]] = field(default_factory=dict)
    purge_hooks: list[Callable[[str], None]] = field(default_factory=list)
    user_delete_hooks: list[Callable[[str], None]] = field(default_factory=list)
    moderation_item_types: list[Any] = field(default_factory=list)
    commands: list[Any] = field(default_factory=list)
    receivers: dict[str, list[Callable[..., Any]]] = field(default_factory=dict)
    constraint_errors: dict[str, tuple[str, Callable[[], str]]] = field(default_factory=dict)
    numeric_index_fields: list[str] = field(default_factory=list)
    nav: list[NavLink] = field(default_factory=list)
    home_blocks: list[HomeBlock] = field(default_factory=list)
    dataset_labels: list[Callable[[Any], list[str]]] = field(default_factory=list)
    user_labels: list[Callable[[Any], list[str]]] = field(default_factory=list)
