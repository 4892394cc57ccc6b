"""``ckan crowdsource expire-loans``: the sweeper, now or as a background job."""
from __future__ import annotations

import click
from ckan.plugins import toolkit


def sweep() -> int:
    """The background job: end loans past due, pass expired offers on, send
    "due soon" (one transaction, through ``crowdsource_loans_expire``); how
    many loans ended."""
    expire = toolkit.get_action("crowdsource_loans_expire")
    return expire({"ignore_auth": True}, {})["count"]


@click.command("expire-loans")
@click.option("--background", is_flag=True,
              help="Queue the sweep as a background job (run by `ckan jobs worker`).")
def expire_loans_command(background: bool) -> None:
    """End loans past their due time and pass expired offers on (safe to run twice)."""
    if background:
        job = toolkit.enqueue_job(sweep, title="crowdsource: expire loans",
                                  queue="crowdsource")
        click.echo(f"Queued job {job.id}")
        return
    click.echo(f"{sweep()} loans ended")


def get_commands() -> list[click.Command]:
    return [expire_loans_command]
