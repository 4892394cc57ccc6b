"""``ckan crowdsource rebuild-points``: the leaderboards' kept sums afresh."""
from __future__ import annotations

import click
from ckan import model

from . import core


@click.command("rebuild-points")
def rebuild_points_command() -> None:
    """Compute the leaderboards' kept sums afresh from the points ledger
    (after the ledger was changed by hand, or datasets made private or
    public by something that runs no dataset hooks)."""
    left_out = core.rebuild()
    model.Session.commit()
    click.echo(f"Leaderboards rebuilt; the points of {left_out} datasets that are not "
               "public are left out")


def get_commands() -> list[click.Command]:
    return [rebuild_points_command]
