"""The searches readers make on ``/dataset`` that find nothing, counted.

Only the web page's own search counts (not the API, not other pages), only
a plain search (the words typed, perhaps a sort or a page; a search narrowed
by facets that finds nothing says more about the facets than about the
catalogue), and only when it found nothing. What is kept is the query text
normalised (Unicode NFKC, case folded, spaces collapsed, at most
:data:`QUERY_MAX` characters) and how often it was searched that local day:
no user, no address, no time of day. Days older than
``ckanext.crowdsource.insight.search_log_days`` are deleted by the first
search counted each day (in each web process), and a day keeps at most
``search_log_queries_per_day`` distinct queries. ``search_log`` false turns counting off.

Counting runs in a transaction of its own, apart from the request's: a
failure is logged and the search page is served as if nothing happened.
"""
from __future__ import annotations

import logging
import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from ckan import model
from flask import has_request_context, request
from sqlalchemy.dialects.postgresql import insert

from ckanext.crowdsource.common import config

from .core import timezone_name
from .model import search_miss

log = logging.getLogger(__name__)
QUERY_MAX = 100
PLAIN = {"q", "sort", "page"}  # the arguments of a plain search
_swept: dict[str, Any] = {}  # the day this process last deleted old days


def normalised(text: str) -> str:
    """The query as it is kept: NFKC, case folded, spaces collapsed, cut."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.split())[:QUERY_MAX].strip()


def record(search_results: dict[str, Any], search_params: dict[str, Any]) -> None:
    """``after_dataset_search`` hook: count the search if it is a reader's
    plain search on ``/dataset`` that found nothing."""
    if not has_request_context() or request.endpoint != "dataset.search":
        return
    if search_results.get("count") or set(request.args) - PLAIN:
        return
    query = normalised(request.args.get("q", ""))
    if not query or not config.search_log():
        return
    try:
        count(query)
    except sa.exc.SQLAlchemyError as e:
        log.warning("A search that found nothing was not counted: %r", e)


def today() -> Any:
    return datetime.now(timezone.utc).astimezone(ZoneInfo(timezone_name())).date()


def count(query: str) -> None:
    """One more search of ``query`` today (the library's day); old days out."""
    day = today()
    s = search_miss.c
    with model.ensure_engine().begin() as conn:
        if _swept.get("day") != day:  # old days go once a day in each process
            conn.execute(sa.delete(search_miss).where(
                s.day < day - timedelta(days=config.search_log_days() - 1)))
            _swept["day"] = day
        done = conn.execute(sa.update(search_miss).where(s.day == day, s.query == query)
                            .values(searches=s.searches + 1))
        if done.rowcount:
            return
        kept = (sa.select(sa.func.count()).select_from(search_miss)
                .where(s.day == day).scalar_subquery())
        conn.execute(insert(search_miss).from_select(
            ["day", "query"],
            sa.select(sa.literal(day, sa.Date), sa.literal(query, sa.UnicodeText))
            .where(kept < config.search_log_queries_per_day()))
            .on_conflict_do_update(index_elements=[s.day, s.query],
                                   set_={"searches": search_miss.c.searches + 1}))
