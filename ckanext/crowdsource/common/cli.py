"""``ckan crowdsource ...``: the one command group; capabilities add their
commands through their manifests."""
from __future__ import annotations

from typing import Any

import click

from . import reindex


@click.command("reindex-pending")
def reindex_pending() -> None:
    """Reindex every dataset still queued after a change of its crowd fields
    (normally done right after each change; run from cron as a safety net)."""
    click.echo(f"{reindex.drain(everything=True)} datasets reindexed")


def group(commands: list[Any]) -> click.Group:
    """The ``crowdsource`` group with these commands and the shared ones."""

    @click.group(short_help="ckanext-crowdsource commands")
    def crowdsource() -> None:
        """Commands of ckanext-crowdsource."""

    for command in [reindex_pending, *commands]:
        crowdsource.add_command(command)
    return crowdsource
