"""The staff dashboard's numbers as an action."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit
from ckan.types import Context, DataDict

from ckanext.crowdsource.common.action import reads
from ckanext.crowdsource.common.db import group_id, organization_id
from ckanext.crowdsource.common.pagination import page_bounds
from ckanext.crowdsource.common.roles import staff_org_ids

from . import core, schema


@reads(schema.stats_schema)
def crowdsource_stats_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One metric of the staff dashboard, for one period, of one
    organization (or all the caller may see) and optionally one community.
    Staff see the organizations they are editors or admins of; sysadmins
    every organization, and the site's own items (no dataset). Days are the
    library's local days (``ckan.display_timezone``).

    Metrics (``results`` are rows of ``columns``):

    - ``contributions``: per bucket, contributions of each kind (``tag``,
      ``comment``, ``question``, ``answer``, ``submission``, ``feedback``,
      ``request``);
    - ``contributors``: per bucket, readers who contributed: ``new`` (their
      first contribution in this scope) and ``returning``;
    - ``outcomes``: per kind, the period's contributions ``accepted``,
      ``pending``, ``hidden``, ``rejected``;
    - ``service``: per queue (``feedback``: first staff reply; ``claims``:
      review of a submission; ``questions``: first answer), items answered
      in the period, median and 90th-percentile wait in hours;
    - ``backlog``: per queue (and ``premoderation``), what waits now, its
      median and oldest age in hours (the period does not change it);
    - ``requests``: open requests, most seconded first (paged);
    - ``unanswered``: open questions without an answer, oldest first (paged);
    - ``searches``: the searches on ``/dataset`` that found nothing in the
      period, by normalised query, most searched first (paged; the whole
      site's, for sysadmins only; see ``ckanext.crowdsource.insight.search_log``);
    - ``tasks``, ``claims``: those made in the period, by state now;
    - ``throughput``: per bucket, task submissions, claims accepted and
      rejected.

    :param metric: one of the metrics above
    :type metric: string
    :param period: ``7d``, ``30d`` (default), ``90d`` or ``365d``: today and
        the days before it
    :type period: string
    :param granularity: ``day``, ``week`` or ``month`` (optional; by default
        day for 7d and 30d, week for 90d, month for 365d)
    :type granularity: string
    :param organization: an organization's id or name (optional: all the
        caller may see)
    :type organization: string
    :param community_id: only contributions within this community (optional)
    :type community_id: string
    :param limit: page size, for the paged metrics (optional)
    :type limit: int
    :param offset: how many to skip, for the paged metrics (optional)
    :type offset: int

    :returns: ``{"metric", "period", "granularity", "since", "until",
        "timezone", "organization", "community_id", "columns", "count",
        "results"}``; ``count`` is the number of rows (of all pages, for a
        paged metric)
    :rtype: dictionary
    """
    org = organization_id(data_dict["organization"]) if data_dict.get("organization") else None
    toolkit.check_access("crowdsource_stats_show", context,
                         {"organization": org, "metric": data_dict["metric"]})
    community = group_id(data_dict["community_id"]) if data_dict.get("community_id") else None
    mine = staff_org_ids(context)
    orgs = (org,) if org else (None if mine is None else tuple(mine))
    scope = core.Scope(orgs, community)
    period = data_dict.get("period") or core.DEFAULT_PERIOD
    w = core.window(period, data_dict.get("granularity"))
    fn, columns, paged = core.METRICS[data_dict["metric"]]
    if paged:
        limit, offset = page_bounds(data_dict)
        count, results = fn(scope, w, limit=limit, offset=offset)
    else:
        results = fn(scope, w)
        count = len(results)
    return {"metric": data_dict["metric"], "period": period, "granularity": w.granularity,
            "since": w.since.isoformat(), "until": w.now.isoformat(), "timezone": w.tz,
            "organization": org, "community_id": community, "columns": list(columns),
            "count": count, "results": results}


def get_actions() -> dict[str, Any]:
    return {"crowdsource_stats_show": crowdsource_stats_show}
