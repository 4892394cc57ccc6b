"""The one table insight owns: the searches on ``/dataset`` that found
nothing, counted per local day and normalised query; no user, no address,
no time of day. Old days are dropped (a rolling window) and a day holds a
bounded number of distinct queries (``ckanext.crowdsource.insight.*``)."""
from __future__ import annotations

import sqlalchemy as sa
from ckan.plugins import toolkit

search_miss = sa.Table(
    "crowdsource_search_miss",
    toolkit.BaseModel.metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("query", sa.UnicodeText, primary_key=True),
    sa.Column("searches", sa.Integer, nullable=False, server_default="1"),
    extend_existing=True,
)
