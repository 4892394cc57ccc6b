"""``ckan crowdsource expire-loans``: the sweeper, now or as a background job."""
from __future__ import annotations

import click
from ckan.plugins import toolkit

from ckanext.crowdsource.common.cli import sweeper


def sweep() -> int:
    """End loans past due and pass expired offers on (safe to run twice).

    Also sends "due soon"; one transaction, through
    ``crowdsource_loans_expire``. Returns how many loans ended."""
    expire = toolkit.get_action("crowdsource_loans_expire")
    return expire({"ignore_auth": True}, {})["count"]


def get_commands() -> list[click.Command]:
    return [sweeper("expire-loans", sweep, "{n} loans ended")]
