"""``/crowdsource``: what a reader can do here, and where."""
from __future__ import annotations

from ckan.plugins import toolkit
from flask import Blueprint

bp = Blueprint("crowdsource_home", __name__)


def hub() -> str:
    """The "Take part" page: every reader's link with what it is for, the
    staff's links for staff, and the home page's blocks."""
    return toolkit.render("crowdsource/home/hub.html")


bp.add_url_rule("/crowdsource", view_func=hub, methods=["GET"])
