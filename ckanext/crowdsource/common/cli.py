"""``ckan crowdsource ...``: the one command group; capabilities add their
commands through their manifests."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from ckan.plugins import toolkit

from . import reindex


@click.command("reindex-pending")
def reindex_pending() -> None:
    """Reindex every dataset still queued after a change of its crowd fields
    (normally done right after each change; run from cron as a safety net)."""
    click.echo(f"{reindex.drain(everything=True)} datasets reindexed")


def sweeper(name: str, job: Callable[[], int], done: str) -> click.Command:
    """``ckan crowdsource <name> [--background]``: run ``job`` (an importable
    function, so that a worker can run it; it returns how many items it
    settled) now, or queue it on the ``crowdsource`` queue. ``done`` is the
    line printed after a run now, with ``{n}``; the command's help is the
    job's first docstring line."""

    @click.command(name, help=(job.__doc__ or "").strip().split("\n")[0])
    @click.option("--background", is_flag=True,
                  help="Queue the sweep as a background job (run by `ckan jobs worker`).")
    def command(background: bool) -> None:
        if background:
            queued = toolkit.enqueue_job(job, title=f"crowdsource: {name}",
                                         queue="crowdsource")
            click.echo(f"Queued job {queued.id}")
            return
        click.echo(done.format(n=job()))

    return command


def group(commands: list[Any]) -> click.Group:
    """The ``crowdsource`` group with these commands and the shared ones."""

    @click.group(short_help="ckanext-crowdsource commands")
    def crowdsource() -> None:
        """Commands of ckanext-crowdsource."""

    for command in [reindex_pending, *commands]:
        crowdsource.add_command(command)
    return crowdsource
