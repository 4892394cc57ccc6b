"""``ckan crowdsource expire-claims``: the sweeper, now or as a background job."""
from __future__ import annotations

import click
from ckan.plugins import toolkit


def sweep() -> int:
    """The background job: settle every claim past its lease (one
    transaction, through ``crowdsource_claims_expire``); how many expired."""
    expire = toolkit.get_action("crowdsource_claims_expire")
    return expire({"ignore_auth": True}, {})["count"]


@click.command("expire-claims")
@click.option("--background", is_flag=True,
              help="Queue the sweep as a background job (run by `ckan jobs worker`).")
def expire_claims_command(background: bool) -> None:
    """Mark claims past their lease expired and free their slots."""
    if background:
        job = toolkit.enqueue_job(sweep, title="crowdsource: expire claims",
                                  queue="crowdsource")
        click.echo(f"Queued job {job.id}")
        return
    click.echo(f"{sweep()} claims expired")


def get_commands() -> list[click.Command]:
    return [expire_claims_command]
