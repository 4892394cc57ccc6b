"""``ckan crowdsource expire-claims``: the sweeper, now or as a background job."""
from __future__ import annotations

import click
from ckan.plugins import toolkit

from ckanext.crowdsource.common.cli import sweeper


def sweep() -> int:
    """Mark claims past their lease expired and free their slots.

    One transaction, through ``crowdsource_claims_expire``. Returns how many
    expired."""
    expire = toolkit.get_action("crowdsource_claims_expire")
    return expire({"ignore_auth": True}, {})["count"]


def get_commands() -> list[click.Command]:
    return [sweeper("expire-claims", sweep, "{n} claims expired")]
