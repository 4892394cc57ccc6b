"""The inbox as CSV or JSON rows, for ``crowdsource_feedback_export`` and the
streamed export pages.

CSV cells never run as formulas in a spreadsheet (``common/spreadsheet.py``);
JSON keeps the text as written.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from ckan import model
from ckan.types import Context

from ckanext.crowdsource.common.roles import people
from ckanext.crowdsource.common.spreadsheet import neutralised

from . import core
from .model import feedback

COLUMNS = ("id", "created", "status", "kind", "rating", "title", "body", "dataset",
           "resource_id", "author", "anonymous", "seconds", "answered", "public_answer")


def export_rows(context: Context, data_dict: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The filtered inbox (filters as ``crowdsource_feedback_list`` takes
    them; ``limit``, ``offset``), oldest first, one row at a time from a
    server-side cursor: memory stays flat however many rows there are.

    The filters are checked now (``ObjectNotFound`` for an organization that
    does not exist), before the first row is asked for: a streamed page can
    still answer with an error instead of cutting a started answer short."""
    query = (core.selected().where(*core.filtered(context, data_dict))
             .order_by(feedback.c.created, feedback.c.id)
             .offset(data_dict.get("offset") or 0))
    if data_dict.get("limit"):
        query = query.limit(data_dict["limit"])
    return _rows(query)


def _rows(query: Any) -> Iterator[dict[str, Any]]:
    result = model.Session.execute(query.execution_options(stream_results=True,
                                                           yield_per=500))
    users: dict[str, str] = {}
    for chunk in result.partitions():
        missing = {r.user_id for r in chunk if r.user_id and r.user_id not in users}
        users.update({k: v["name"] for k, v in people(missing).items()})
        for r in chunk:
            yield {"id": r.id, "created": r.created.isoformat(), "status": r.status,
                   "kind": r.kind, "rating": r.rating, "title": r.title or "", "body": r.body,
                   "dataset": r.package_name or "", "resource_id": r.resource_id or "",
                   "author": users.get(r.user_id, ""), "anonymous": r.user_id is None,
                   "seconds": r.seconds,
                   "answered": r.answered.isoformat() if r.answered else "",
                   "public_answer": r.public_answer or ""}


def csv_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """CSV text, a line at a time (a header first); no cell a formula
    (:func:`neutralised`)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for r in rows:
        writer.writerow({k: neutralised(v) for k, v in r.items()})
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def json_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """A JSON list, an item at a time."""
    yield "["
    for n, r in enumerate(rows):
        yield ("," if n else "") + json.dumps(r, ensure_ascii=False)
    yield "]"
