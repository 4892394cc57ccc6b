"""The one rate limit on readers' writes, counted in Redis across all web workers."""
from __future__ import annotations

import time

from ckan.lib.redis import connect_to_redis
from ckan.plugins import toolkit
from ckan.types import Context

from .cache import redis_key
from .roles import current_user


def check(context: Context) -> None:
    """Count one write by the caller; refuse it beyond the configured number
    per minute (``ValidationError`` naming ``rate_limit``). Sysadmins, who run
    scripts, are not limited."""
    limit = toolkit.config.get("ckanext.crowdsource.common.writes_per_minute")
    user = current_user(context)
    if not limit or user is None or user.sysadmin:
        return
    key = redis_key("rate", user.id, str(int(time.time() // 60)))
    redis = connect_to_redis()
    count = redis.incr(key)
    if count == 1:
        redis.expire(key, 120)
    if count > limit:
        raise toolkit.ValidationError({"rate_limit": [toolkit._(
            "You have made {limit} contributions in a minute: please wait a moment"
        ).format(limit=limit)]})
