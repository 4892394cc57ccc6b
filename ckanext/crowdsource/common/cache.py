"""Results worth keeping for a while, in CKAN's Redis, shared by all workers.

A cached value is filed under a *generation* of its name: bumping the
generation (on any change that could alter the value) makes every older entry
unreachable at once, so readers never see a stale value; entries also expire.

Keeping is optional: when Redis cannot be reached, values are computed from
PostgreSQL and a warning is logged. A bump that could not reach Redis is
made up for by the entries' expiry (at most their lifetime).
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.lib.redis import connect_to_redis
from ckan.plugins import toolkit

log = logging.getLogger(__name__)


def redis_key(*parts: str) -> str:
    """A Redis key of this extension on this site."""
    return ":".join((toolkit.config.get("ckan.site_id"), "crowdsource", *parts))


def bump(name: str) -> None:
    """Retire every cached value of ``name``."""
    try:
        connect_to_redis().incr(redis_key(name, "generation"))
    except Exception as e:  # noqa: BLE001 - any Redis failure
        log.warning("Could not retire cached %s, Redis is unavailable: %s", name, e)


_PENDING = "crowdsource_bump_after_commit"
# the counts beside the header's staff links (home/nav.py), retired by every write
STAFF_WAITING = "staff_waiting"


def bump_after_commit(name: str) -> None:
    """Retire every cached value of ``name`` once the current transaction
    commits: not before, or a reader could keep the old value under the new
    generation. (After a rollback the next commit bumps it; harmless.)"""
    session = model.Session()
    if _PENDING not in session.info:  # once per session: the listener stays
        session.info[_PENDING] = set()
        sa.event.listen(session, "after_commit", _bump_pending)
    session.info[_PENDING].add(name)


def _bump_pending(session: Any) -> None:
    pending = session.info.get(_PENDING, set())
    while pending:
        bump(pending.pop())


def cached(name: str, params: Any, seconds: int, compute: Callable[[], Any]) -> Any:
    """``compute()``, or its JSON-able result kept for these ``params``."""
    if seconds <= 0:
        return compute()
    digest = hashlib.sha1(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
    try:
        redis = connect_to_redis()
        generation = int(redis.get(redis_key(name, "generation")) or 0)
        key = redis_key(name, str(generation), digest)
        hit = redis.get(key)
    except Exception as e:  # noqa: BLE001 - any Redis failure
        log.warning("Computing %s without its cache, Redis is unavailable: %s", name, e)
        return compute()
    if hit is not None:
        return json.loads(hit)
    value = compute()
    try:
        redis.setex(key, seconds, json.dumps(value))
    except Exception as e:  # noqa: BLE001
        log.warning("Could not keep %s, Redis is unavailable: %s", name, e)
    return value
