"""Reindexing a dataset after its crowd fields change, off the request's path.

A write does not rebuild the dataset's index document itself (about a third
of a comment's cost). It calls :func:`later` in its transaction, which queues
the dataset in ``crowdsource_reindex`` (one row per dataset, so many writes
coalesce into one rebuild). After the commit the queue is drained:

- in a web request the app serves, once the response has been sent
  (``call_on_close``), so the reader does not wait for it;
- elsewhere (scripts, the CLI, jobs), at once.

A drain also takes every row older than :data:`STALE_SECONDS`, and
``ckan crowdsource reindex-pending`` (cron) drains the whole queue, so a
worker that died between the commit and its drain delays a dataset's search
entry by at most that long, or until the next cron run. Nothing is lost: a
row leaves the queue in the same transaction as its rebuild succeeds.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import flask
import sqlalchemy as sa
from ckan import model
from ckan.lib import search
from ckan.plugins import toolkit
from sqlalchemy.dialects.postgresql import insert

log = logging.getLogger(__name__)

STALE_SECONDS = 60
# set on the WSGI environ of a request the app is serving (not on the
# request contexts that CKAN's CLI, jobs and tests push without a response)
DISPATCHING = "crowdsource.dispatching"
_PENDING = "crowdsource_reindex"

queue = sa.Table(
    "crowdsource_reindex", toolkit.BaseModel.metadata,
    sa.Column("package_id", sa.UnicodeText, primary_key=True),
    sa.Column("queued", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    extend_existing=True,
)


def later(*package_ids: str | None) -> None:
    """Queue datasets for reindexing once the current transaction commits."""
    ids = sorted({p for p in package_ids if p})
    if not ids:
        return
    model.Session.execute(insert(queue).values([{"package_id": p} for p in ids])
                          .on_conflict_do_nothing())
    model.Session.info.setdefault(_PENDING, set()).update(ids)


def served(app: Any) -> Any:
    """Wrap the Flask app's WSGI entry: requests that come through it get a
    response, after which a drain can run (request contexts pushed by CKAN's
    CLI, jobs and tests never pass here)."""
    inner = app.wsgi_app

    def wsgi_app(environ: dict[str, Any], start_response: Any) -> Any:
        environ[DISPATCHING] = True
        return inner(environ, start_response)

    app.wsgi_app = wsgi_app
    return app


def dispose_session(_error: BaseException | None) -> None:
    """A ``teardown_request`` function: the database session ends with each
    request the app served. CKAN disposes of it in an ``after_request``
    handler, which Flask skips when a view fails, and the next request in
    that worker would find the failed transaction; teardown always runs. A
    context CKAN's ``url_for`` pushes outside a request (a script's action
    call) is left alone: its end must not end the script's session."""
    if flask.request.environ.get(DISPATCHING):
        model.Session.remove()


def forget() -> None:
    """The transaction rolled back: nothing of it waits (the rows went too)."""
    model.Session.info.pop(_PENDING, None)


def after_commit() -> None:
    """Drain what this transaction queued: after the response in a web
    request, at once elsewhere."""
    ids = model.Session.info.pop(_PENDING, None)
    if not ids:
        return
    if flask.has_request_context() and flask.request.environ.get(DISPATCHING):
        app = flask.current_app._get_current_object()  # type: ignore[attr-defined]

        @flask.after_this_request
        def drain_when_sent(response: Any) -> Any:
            response.call_on_close(lambda: _drain_in(app, ids))
            return response
    else:
        drain(ids)


def _drain_in(app: Any, ids: set[str]) -> None:
    with app.test_request_context():
        try:
            drain(ids)
        finally:
            model.Session.remove()


def drain(package_ids: Iterable[str] = (), everything: bool = False) -> int:
    """Rebuild the index entries of these queued datasets, and of every
    stale one (all of them with ``everything``); how many were rebuilt.
    Datasets another worker is draining are left to it."""
    ids = list(package_ids)
    wanted = sa.true() if everything else sa.or_(
        queue.c.package_id.in_(ids),
        queue.c.queued < sa.func.now() - sa.text(f"interval '{STALE_SECONDS} seconds'"))
    try:
        todo = list(model.Session.execute(
            sa.select(queue.c.package_id).where(wanted)
            .with_for_update(skip_locked=True)).scalars())
        if not todo:
            model.Session.rollback()
            return 0
        model.Session.execute(sa.delete(queue).where(queue.c.package_id.in_(todo)))
        for package_id in todo:
            try:  # CKAN's own rebuild of one dataset, committed below
                search.rebuild(package_ids=[package_id], defer_commit=True)
            except toolkit.ObjectNotFound:  # purged meanwhile
                search.index_for(model.Package).remove_dict({"id": package_id})
        search.commit()
        model.Session.commit()
        return len(todo)
    except Exception:
        model.Session.rollback()
        log.exception("Reindexing %s failed; they stay queued", ids)
        return 0
