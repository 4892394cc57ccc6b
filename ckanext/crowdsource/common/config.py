"""Typed access to every ``ckanext.crowdsource.*`` option, in one place.

The options, their defaults and descriptions are declared in
``config_declaration.yaml`` (CKAN validates and converts them at start-up);
code asks these functions, never the option strings.
"""
from __future__ import annotations

from ckan.plugins import toolkit

_PREFIX = "ckanext.crowdsource."


def _get(name: str) -> object:
    return toolkit.config.get(_PREFIX + name)


def list_limit_default() -> int:
    return int(_get("common.list_limit_default"))


def list_limit_max() -> int:
    return int(_get("common.list_limit_max"))


def count_cache_seconds() -> int:
    return int(_get("common.count_cache_seconds"))


def writes_per_minute() -> int:
    return int(_get("common.writes_per_minute"))


def tags_per_user_limit() -> int:
    return int(_get("tags.per_user_limit"))


def tag_cloud_cache_seconds() -> int:
    return int(_get("tags.cloud_cache_seconds"))


def flag_threshold() -> int:
    return int(_get("moderation.flag_threshold"))


def body_max_length() -> int:
    return int(_get("discussion.body_max_length"))


def replies_shown() -> int:
    return int(_get("discussion.replies_shown"))


def premoderation_posts() -> int:
    return int(_get("discussion.premoderation_posts"))


def unanswered_days() -> int:
    return int(_get("discussion.unanswered_days"))


def claim_ttl_hours() -> int:
    return int(_get("tasks.claim_ttl_hours"))


def max_extensions() -> int:
    return int(_get("tasks.max_extensions"))


def live_claims_per_reader() -> int:
    return int(_get("tasks.live_claims_per_reader"))


def draft_keep_days() -> int:
    return int(_get("tasks.draft_keep_days"))


def bulk_max() -> int:
    return int(_get("tasks.bulk_max"))


def anonymous_feedback() -> bool:
    return toolkit.asbool(_get("feedback.anonymous"))


def anonymous_feedback_per_hour() -> int:
    return int(_get("feedback.anonymous_per_hour"))


def share_visitor_per_hour() -> int:
    return int(_get("share.visitor_per_hour"))


def search_cache_seconds() -> int:
    return int(_get("search.cache_seconds"))


def home_blocks() -> list[str]:
    return toolkit.aslist(_get("home.blocks"))


def home_block_size() -> int:
    return int(_get("home.block_size"))


def community_approval() -> bool:
    return toolkit.asbool(_get("community.approval"))


def proposals_per_reader() -> int:
    return int(_get("community.proposals_per_reader"))


def recognition_points(reason: str) -> int:
    return int(_get(f"recognition.points.{reason}"))


def recognition_daily_cap(reason: str) -> int:
    return int(_get(f"recognition.daily_cap.{reason}"))


def recognition_badges() -> list[str]:
    """The badges readers can earn (``recognition.badges``)."""
    return toolkit.aslist(_get("recognition.badges"))


def recognition_badge_threshold(name: str) -> int:
    """A badge's number: ``tasks_accepted``, ``community_expert_minimum``,
    ``community_expert_days`` or ``helpful_reviewer``."""
    return int(_get(f"recognition.badges.{name}"))


def notify_poll_seconds() -> int:
    return int(_get("notify.poll_seconds"))


def notify_email() -> bool:
    return toolkit.asbool(_get("notify.email"))
def search_log() -> bool:
    return toolkit.asbool(_get("insight.search_log"))


def search_log_days() -> int:
    return int(_get("insight.search_log_days"))


def search_log_queries_per_day() -> int:
    return int(_get("insight.search_log_queries_per_day"))
def loans_per_reader_limit() -> int:
    return int(_get("loans.per_reader_limit"))


def loan_offer_hours() -> int:
    return int(_get("loans.offer_hours"))


def loan_due_soon_hours() -> int:
    return int(_get("loans.due_soon_hours"))
