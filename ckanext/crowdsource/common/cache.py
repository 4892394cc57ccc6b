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

import flask
import sqlalchemy as sa
from ckan import model
from ckan.lib import redis as ckan_redis
from ckan.plugins import toolkit
from redis.exceptions import NoScriptError

from .reindex import DISPATCHING

log = logging.getLogger(__name__)


_client: Any = None


def _redis() -> Any:
    """CKAN's Redis client, made once for CKAN's connection pool: a client
    costs more to make (its response callbacks) than a lookup."""
    global _client
    pool = getattr(ckan_redis, "_connection_pool", None)
    if _client is None or pool is None or _client.connection_pool is not pool:
        _client = ckan_redis.connect_to_redis()
    return _client


def redis_key(*parts: str) -> str:
    """A Redis key of this extension on this site."""
    return ":".join((toolkit.config.get("ckan.site_id"), "crowdsource", *parts))


def bump(name: str) -> None:
    """Retire every cached value of ``name``."""
    try:
        _redis().incr(redis_key(name, "generation"))
    except Exception as e:  # noqa: BLE001 - any Redis failure
        log.warning("Could not retire cached %s, Redis is unavailable: %s", name, e)


_PENDING = "crowdsource_bump_after_commit"
# the counts beside the header's staff links (home/nav.py), retired by every write
STAFF_WAITING = "staff_waiting"
# what a dataset's page shows of its contributions to everyone who may see it
# (tab counts, rating, and to anonymous visitors its reader tags and public
# requests), retired by every write
DATASET_PAGE = "dataset_page"


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


# The current generation of a name and the entries kept under it, in one
# round trip: KEYS[1] the generation's key, ARGV[1] the entries' keys before
# the generation, ARGV[2..] after it (a missing entry comes back as nil).
_LOOKUP = """
local generation = redis.call('GET', KEYS[1]) or '0'
local found = {generation}
for i = 2, #ARGV do
  found[i] = redis.call('GET', ARGV[1] .. generation .. ARGV[i])
end
return found
"""
_LOOKUP_SHA = hashlib.sha1(_LOOKUP.encode()).hexdigest()


def _digest(params: Any) -> str:
    return hashlib.sha1(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()


def _lookup(redis: Any, name: str, digests: list[str]) -> tuple[int, list[Any]]:
    """The generation of ``name`` and the entries kept for ``digests`` under it."""
    args = (1, redis_key(name, "generation"), redis_key(name, ""),
            *(f":{d}" for d in digests))
    try:
        found = redis.evalsha(_LOOKUP_SHA, *args)
    except NoScriptError:  # the first time on this Redis (or after a restart)
        found = redis.eval(_LOOKUP, *args)
    return int(found[0]), list(found[1:]) + [None] * (len(digests) + 1 - len(found))


def _keep(redis: Any, name: str, generation: int, digest: str, seconds: int,
          value: Any) -> None:
    try:
        redis.setex(redis_key(name, str(generation), digest), seconds, json.dumps(value))
    except Exception as e:  # noqa: BLE001
        log.warning("Could not keep %s, Redis is unavailable: %s", name, e)


def cached(name: str, params: Any, seconds: int, compute: Callable[[], Any]) -> Any:
    """``compute()``, or its JSON-able result kept for these ``params``."""
    if seconds <= 0:
        return compute()
    digest = _digest(params)
    try:
        redis = _redis()
        generation, (hit,) = _lookup(redis, name, [digest])
    except Exception as e:  # noqa: BLE001 - any Redis failure
        log.warning("Computing %s without its cache, Redis is unavailable: %s", name, e)
        return compute()
    if hit is not None:
        return json.loads(hit)
    value = compute()
    _keep(redis, name, generation, digest, seconds, value)
    return value


def request_memo() -> dict[str, Any] | None:
    """What this request has looked up already, in a GET (or HEAD) request
    the app is serving; None elsewhere (writes, scripts, jobs, the request
    contexts tests push), where everything is asked afresh."""
    if not flask.has_request_context():
        return None
    request = flask.request
    if request.method not in ("GET", "HEAD") or not request.environ.get(DISPATCHING):
        return None
    memo = request.environ.get(_REQUEST_MEMO)
    if memo is None:
        memo = request.environ[_REQUEST_MEMO] = {}
    return memo


def once_per_request(key: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, asked once per read-only request (see
    :func:`request_memo`) and afresh everywhere else."""
    memo = request_memo()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


_REQUEST_MEMO = "crowdsource.memo"
# the parts of dataset pages asked for in this process: a page's first part
# looks them all up at once (see dataset_page_part)
_PAGE_PARTS: set[str] = set()


def dataset_page_part(part: str, package_id: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, a part of what a dataset's page shows to everyone who
    may see it, kept under :data:`DATASET_PAGE` for
    ``ckanext.crowdsource.common.count_cache_seconds``. In a page request
    the first part asked looks up every part this process has been asked
    for, in one round trip to Redis; the others are then read from that."""
    from .config import count_cache_seconds

    seconds = count_cache_seconds()
    memo = request_memo()
    if seconds <= 0 or memo is None:
        return cached(DATASET_PAGE, [part, package_id], seconds, compute)
    _PAGE_PARTS.add(part)
    found = memo.setdefault(f"{DATASET_PAGE}:{package_id}", {})
    if part not in found:  # this page's first part, or one the lookup did not know
        parts = sorted(_PAGE_PARTS - set(found))
        digests = [_digest([p, package_id]) for p in parts]
        try:
            generation, hits = _lookup(_redis(), DATASET_PAGE, digests)
        except Exception as e:  # noqa: BLE001 - any Redis failure
            log.warning("Computing the page without its cache, Redis is unavailable: %s", e)
            generation, hits = -1, [None] * len(parts)
        found.update({p: (d, generation, hit)
                      for p, d, hit in zip(parts, digests, hits, strict=True)})
    digest, generation, hit = found[part]
    if hit is not None:
        return json.loads(hit)
    value = compute()
    found[part] = (digest, generation, json.dumps(value))  # asked again: the same
    if generation >= 0:
        _keep(_redis(), DATASET_PAGE, generation, digest, seconds, value)
    return value
