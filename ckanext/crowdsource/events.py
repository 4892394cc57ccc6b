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
