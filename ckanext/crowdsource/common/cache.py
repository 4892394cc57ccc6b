"""Results worth keeping for a while, in CKAN's Redis, shared by all workers.

A cached value is filed under a *generation* of its name: bumping the
generation (on any change that could alter the value) makes every older entry
unreachable at once, so readers never see a stale value; entries also expire.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from ckan.lib.redis import connect_to_redis
from ckan.plugins import toolkit


def redis_key(*parts: str) -> str:
    """A Redis key of this extension on this site."""
    return ":".join((toolkit.config.get("ckan.site_id"), "crowdsource", *parts))


def bump(name: str) -> None:
    """Retire every cached value of ``name``."""
    connect_to_redis().incr(redis_key(name, "generation"))


def cached(name: str, params: Any, seconds: int, compute: Callable[[], Any]) -> Any:
    """``compute()``, or its JSON-able result kept for these ``params``."""
    if seconds <= 0:
        return compute()
    redis = connect_to_redis()
    generation = int(redis.get(redis_key(name, "generation")) or 0)
    digest = hashlib.sha1(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
    key = redis_key(name, str(generation), digest)
    hit = redis.get(key)
    if hit is not None:
        return json.loads(hit)
    value = compute()
    redis.setex(key, seconds, json.dumps(value))
    return value
