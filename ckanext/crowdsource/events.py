"""Signals the capabilities emit; points, notifications and the activity
stream subscribe to them (``ISignal``). Receivers must not modify arguments.

Each is sent with the contribution's id as sender and keyword arguments
naming the dataset (``package_id``) and the acting user (``user_id``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckan.plugins import toolkit

tag_added = toolkit.signals.ckanext.signal("crowdsource:tag_added")
tag_removed = toolkit.signals.ckanext.signal("crowdsource:tag_removed")
tag_hidden = toolkit.signals.ckanext.signal("crowdsource:tag_hidden")
tag_restored = toolkit.signals.ckanext.signal("crowdsource:tag_restored")
tag_promoted = toolkit.signals.ckanext.signal("crowdsource:tag_promoted")  # givers: user ids

# discussion and Q&A: sent with the post's (or question thread's) id; keyword
# arguments also name the ``thread_id`` and, where it matters, the ``kind``
post_created = toolkit.signals.ckanext.signal("crowdsource:post_created")
post_edited = toolkit.signals.ckanext.signal("crowdsource:post_edited")
post_deleted = toolkit.signals.ckanext.signal("crowdsource:post_deleted")
post_voted = toolkit.signals.ckanext.signal("crowdsource:post_voted")
post_hidden = toolkit.signals.ckanext.signal("crowdsource:post_hidden")
post_restored = toolkit.signals.ckanext.signal("crowdsource:post_restored")
answer_accepted = toolkit.signals.ckanext.signal("crowdsource:answer_accepted")
answer_verified = toolkit.signals.ckanext.signal("crowdsource:answer_verified")
question_closed = toolkit.signals.ckanext.signal("crowdsource:question_closed")
question_reopened = toolkit.signals.ckanext.signal("crowdsource:question_reopened")

# tasks and claims: sent with the task's or the claim's id; keyword arguments
# name the ``task_id``, the ``package_id`` and the acting ``user_id`` (for
# claim events, the reader's ``reader_id`` too when someone else acts;
# task_created also the task's ``community_id`` and ``title``)
task_created = toolkit.signals.ckanext.signal("crowdsource:task_created")
task_updated = toolkit.signals.ckanext.signal("crowdsource:task_updated")
task_cancelled = toolkit.signals.ckanext.signal("crowdsource:task_cancelled")
task_completed = toolkit.signals.ckanext.signal("crowdsource:task_completed")
claim_claimed = toolkit.signals.ckanext.signal("crowdsource:claim_claimed")
claim_extended = toolkit.signals.ckanext.signal("crowdsource:claim_extended")
claim_released = toolkit.signals.ckanext.signal("crowdsource:claim_released")
claim_expired = toolkit.signals.ckanext.signal("crowdsource:claim_expired")
claim_submitted = toolkit.signals.ckanext.signal("crowdsource:claim_submitted")
claim_accepted = toolkit.signals.ckanext.signal("crowdsource:claim_accepted")
claim_rejected = toolkit.signals.ckanext.signal("crowdsource:claim_rejected")
claim_changes_requested = toolkit.signals.ckanext.signal("crowdsource:claim_changes_requested")
claim_applied = toolkit.signals.ckanext.signal("crowdsource:claim_applied")

# feedback: sent with the feedback's id; keyword arguments name the
# ``package_id`` (none for the service), the acting ``user_id`` and, for
# answers, the reader's ``author_id`` (status changes: also ``status``,
# ``previous`` and the feedback's ``kind``)
feedback_created = toolkit.signals.ckanext.signal("crowdsource:feedback_created")
feedback_replied = toolkit.signals.ckanext.signal("crowdsource:feedback_replied")
feedback_status_changed = toolkit.signals.ckanext.signal("crowdsource:feedback_status_changed")
request_seconded = toolkit.signals.ckanext.signal("crowdsource:request_seconded")
feedback_hidden = toolkit.signals.ckanext.signal("crowdsource:feedback_hidden")
feedback_restored = toolkit.signals.ckanext.signal("crowdsource:feedback_restored")


# subject communities: sent with the community's id (its CKAN group's id);
# keyword arguments name the ``community_id`` and the acting ``user_id``;
# membership events also the member's ``member_id`` (a user id), ``role`` and
# ``state``
community_proposed = toolkit.signals.ckanext.signal("crowdsource:community_proposed")
community_created = toolkit.signals.ckanext.signal("crowdsource:community_created")
community_approved = toolkit.signals.ckanext.signal("crowdsource:community_approved")
community_declined = toolkit.signals.ckanext.signal("crowdsource:community_declined")
community_updated = toolkit.signals.ckanext.signal("crowdsource:community_updated")
community_joined = toolkit.signals.ckanext.signal("crowdsource:community_joined")
community_join_requested = toolkit.signals.ckanext.signal(
    "crowdsource:community_join_requested")
community_request_approved = toolkit.signals.ckanext.signal(
    "crowdsource:community_request_approved")
community_request_declined = toolkit.signals.ckanext.signal(
    "crowdsource:community_request_declined")
community_left = toolkit.signals.ckanext.signal("crowdsource:community_left")
community_role_changed = toolkit.signals.ckanext.signal("crowdsource:community_role_changed")
community_member_removed = toolkit.signals.ckanext.signal(
    "crowdsource:community_member_removed")
# a community's group was purged (CKAN's group_purge): its rows are gone, and
# the tasks and questions that named it are unlinked (their community_id set
# to null) by the capabilities that own them, in the same transaction
community_purged = toolkit.signals.ckanext.signal("crowdsource:community_purged")


# recognition: sent with the ledger row's id for every row written; keyword
# arguments name the reader (``user_id``), the ``points`` (negative: taken
# back), the ``reason``, and the ``item_id``, ``package_id`` and
# ``community_id`` it is about
points_changed = toolkit.signals.ckanext.signal("crowdsource:points_changed")
# sent with the badge row's id when a reader earns a badge (once per reader,
# badge and community); keyword arguments name the reader (``user_id``), the
# ``badge`` and the ``community_id`` (None for site-wide badges)
badge_awarded = toolkit.signals.ckanext.signal("crowdsource:badge_awarded")


_forwarders: dict[Any, Callable[..., None]] = {}


def forwarders() -> dict[Any, Callable[..., None]]:
    """A receiver for each signal above that hands it on to every
    ``ICrowdsource.after_contribution``; made once, so that CKAN can
    disconnect the same receivers it connected (signals keep weak refs)."""
    if not _forwarders:
        for value in list(globals().values()):
            name = getattr(value, "name", "")
            if isinstance(name, str) and name.startswith("crowdsource:"):
                _forwarders[value] = _forwarder(name)
    return _forwarders


def _forwarder(name: str) -> Callable[..., None]:
    def forward(sender: Any, **kwargs: Any) -> None:
        from ckanext.crowdsource.common import hooks

        hooks.after_contribution(name, sender, kwargs)

    return forward


# moderation: sent with the flag's id when a reader flags a contribution;
# keyword arguments name the ``item_type``, ``item_id``, ``package_id`` (none
# for things of the site), the item's ``owner_org``, the flagging ``user_id``
# and how many open ``flags`` the item has now
item_flagged = toolkit.signals.ckanext.signal("crowdsource:item_flagged")
# loans (issue 18): sent with the loan's id (``loan_offer_made``: the
# reservation's); keyword arguments name the ``package_id``, the borrower
# (``reader_id``) and the acting ``user_id`` (None for the sweeper); ended
# loans also the ``state`` they ended in (returned, expired, revoked,
# declined); offers the ``offer_expires`` time; due soon the ``due`` time
loan_started = toolkit.signals.ckanext.signal("crowdsource:loan_started")
loan_ended = toolkit.signals.ckanext.signal("crowdsource:loan_ended")
loan_offer_made = toolkit.signals.ckanext.signal("crowdsource:loan_offer_made")
loan_due_soon = toolkit.signals.ckanext.signal("crowdsource:loan_due_soon")
