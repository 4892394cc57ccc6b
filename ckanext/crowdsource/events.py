"""Signals the capabilities emit; points, notifications and the activity
stream subscribe to them (``ISignal``). Receivers must not modify arguments.

Each is sent with the contribution's id as sender and keyword arguments
naming the dataset (``package_id``) and the acting user (``user_id``).
"""
from ckan.plugins import toolkit

tag_added = toolkit.signals.ckanext.signal("crowdsource:tag_added")
tag_removed = toolkit.signals.ckanext.signal("crowdsource:tag_removed")
tag_hidden = toolkit.signals.ckanext.signal("crowdsource:tag_hidden")
tag_restored = toolkit.signals.ckanext.signal("crowdsource:tag_restored")
tag_promoted = toolkit.signals.ckanext.signal("crowdsource:tag_promoted")

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
