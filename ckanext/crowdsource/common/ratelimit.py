"""The one rate limit on writes, counted in Redis across all web workers.

Redis only counts here: when it cannot be reached the limit fails open (the
write goes through) and a warning is logged.
"""
from __future__ import annotations

import logging
import time

from ckan.common import request
from ckan.lib.redis import connect_to_redis
from ckan.plugins import toolkit
from ckan.types import Context

from . import config
from .cache import redis_key
from .roles import current_user

log = logging.getLogger(__name__)


def _over(parts: tuple[str, ...], limit: int, seconds: int) -> bool:
    """Count one more in a fixed window of ``seconds``; whether it is one too many."""
    key = redis_key("rate", *parts, str(int(time.time() // seconds)))
    try:
        redis = connect_to_redis()
        count = redis.incr(key)
        if count == 1:
            redis.expire(key, 2 * seconds)
    except Exception as e:  # noqa: BLE001 - any Redis failure
        log.warning("Rate limit not applied, Redis is unavailable: %s", e)
        return False
    return count > limit


def check(context: Context) -> None:
    """Count one write by the caller; refuse it beyond the configured number
    per minute (``ValidationError`` naming ``rate_limit``). Sysadmins, who run
    scripts, are not limited."""
    limit = config.writes_per_minute()
    user = current_user(context)
    if not limit or user is None or user.sysadmin:
        return
    if _over(("user", user.id), limit, 60):
        raise toolkit.ValidationError({"rate_limit": [toolkit._(
            "You have made {limit} contributions in a minute: please wait a moment"
        ).format(limit=limit)]})


def client_address() -> str:
    """The web request's client address ("unknown" outside a request)."""
    try:
        return request.remote_addr or "unknown"
    except RuntimeError:  # called outside a web request (a script, a job)
        return "unknown"


def check_address(limit: int, address: str | None = None) -> None:
    """The same for writes without an account, counted per client address
    (the request's, unless given) and hour."""
    if limit and _over(("address", address or client_address()), limit, 3600):
        raise toolkit.ValidationError({"rate_limit": [toolkit._(
            "Too many messages from your address: please try again later")]})
