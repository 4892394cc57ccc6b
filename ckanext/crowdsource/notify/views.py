"""Pages of notify: a reader's notifications (all of them, paged, with a
filter, and the forms that mark them read), the bell's count for htmx
polling, and the settings page.

The bell polls (``hx-trigger="every Ns"``) a small endpoint rather than
holding a server-sent events stream open: a poll is an ordinary short
request, so it works through every proxy and load balancer and on any
gunicorn worker (sync workers would each be tied up by an open stream),
and it costs one indexed count.
"""
from __future__ import annotations

from typing import Any

from ckan.common import current_user, request
from ckan.lib import base
from ckan.lib import helpers as h
from ckan.lib.i18n import get_lang
from ckan.lib.pagination import Page
from ckan.plugins import toolkit
from flask import Blueprint

from ckanext.crowdsource.common import config, roles
from ckanext.crowdsource.common.views import attempt, listed, local, page_url, requested_page

from . import core, helpers, mail

bp = Blueprint("crowdsource_notify", __name__)


def _limit() -> int:
    return config.list_limit_default()


def _login() -> Any:
    return h.redirect_to("user.login", came_from=request.full_path)


def index() -> Any:
    """``/crowdsource/notifications``: the reader's notifications, newest
    first; ``?unread=1`` only the unread, ``?kind=`` one rule."""
    if not current_user.is_authenticated:
        return _login()
    args = request.args
    data: dict[str, Any] = {}
    if args.get("unread"):
        data["unread"] = args["unread"]
    if args.get("kind"):
        data["kind"] = args["kind"]
    page_number = requested_page(args.get("page"))
    found = listed("crowdsource_notification_list",
                   {**data, "limit": _limit(), "offset": (page_number - 1) * _limit()})
    kinds = [(k, core.rule_label(k)) for k in core.KINDS]
    return toolkit.render("crowdsource/notify/index.html", {
        "title": toolkit._("Notifications"), "unread": bool(data.get("unread")),
        "kind": data.get("kind", ""), "kinds": kinds, "count": found["count"],
        "page": Page(collection=found["results"], page=page_number, presliced_list=True,
                     url=page_url, item_count=found["count"], items_per_page=_limit())})


def bell() -> Any:
    """The header's bell, for htmx to swap in: nothing for anonymous
    visitors (and no query)."""
    found = helpers.bell()
    if found is None:
        return ""
    return toolkit.render("crowdsource/notify/snippets/bell.html", {"bell": found})


def mark() -> Any:
    """POST: mark the notifications named in ``id`` (one or more) read, or
    ``all=1`` every one; ``read=0`` marks unread. htmx gets the bell back
    (the page updates its own rows); a plain form goes back to the page."""
    if not current_user.is_authenticated:
        return _login()
    form = request.form
    data: dict[str, Any] = {"read": form.get("read", "1") != "0"}
    if form.get("all"):
        data["all"] = True
    else:
        data["ids"] = form.getlist("id")
    done, error = attempt("crowdsource_notification_mark_read", data)
    if request.headers.get("HX-Request"):
        return toolkit.render("crowdsource/notify/snippets/marked.html",
                              {"bell": helpers.bell(), "error": error})
    if error:
        h.flash_error(error)
    return h.redirect_to(local(form.get("came_from", ""), h.url_for("crowdsource_notify.index")))


def settings() -> Any:
    """``/crowdsource/notifications/settings``: GET the form; POST saves
    it (ticked rules are on, unticked off)."""
    if not current_user.is_authenticated:
        return _login()
    if request.method == "POST":
        form = request.form
        rules = {k: bool(form.get(f"rule-{k}")) for k in core.KINDS}
        _done, error = attempt("crowdsource_notify_settings_update", {
            "rules": rules, "email": form.get("email", ""), "locale": get_lang()})
        if error:
            h.flash_error(error)
        else:
            h.flash_success(toolkit._("Your settings are saved"))
        return h.redirect_to("crowdsource_notify.settings")
    found, _error = attempt("crowdsource_notify_settings_show", {})
    return toolkit.render("crowdsource/notify/settings.html", {
        "title": toolkit._("Notification settings"), "settings": found,
        "is_staff": roles.is_library_staff(roles.page_context()),
        "reader_rules": list(core.READER_RULES), "staff_rules": list(core.STAFF_RULES),
        "emails": [("immediately", toolkit._("Immediately")),
                   ("daily", toolkit._("A daily digest")),
                   ("weekly", toolkit._("A weekly digest")), ("never", toolkit._("Never"))],
        "crumbs": [(toolkit._("Notifications"), h.url_for("crowdsource_notify.index")),
                   (toolkit._("Settings"), request.path)]})


def unsubscribe(token: str) -> Any:
    """``/crowdsource/notifications/unsubscribe/<token>``, the link in
    every mail (logged out too: the signed token names the reader). GET
    asks to confirm (a link scanner that follows it changes nothing); POST
    (the button, or a mail client's one-click ``List-Unsubscribe-Post``)
    stops the reader's e-mail. A token that is not one of ours: 404."""
    user_id = mail.unsubscribe_user(token)
    if not user_id or not roles.people({user_id}):
        return base.abort(404, toolkit._("This link to stop e-mail is not valid"))
    if request.method == "POST":
        _done, error = attempt("crowdsource_notify_unsubscribe", {"token": token})
        if error:
            return base.abort(404, error)
        return h.redirect_to("crowdsource_notify.unsubscribe", token=token, done=1)
    return toolkit.render("crowdsource/notify/unsubscribe.html", {
        "title": toolkit._("Stop e-mail"), "token": token,
        "done": bool(request.args.get("done")),
        "stopped": core.settings_of(user_id)["email"] == "never"})


# the token in the URL is what authorises the post (a mail client's
# one-click unsubscribe carries no CSRF token, RFC 8058)
unsubscribe.crowdsource_signed = True  # type: ignore[attr-defined]


def _csrf_exempt() -> None:
    from ckan.config.middleware.flask_app import csrf

    csrf.exempt(unsubscribe)


_csrf_exempt()


bp.add_url_rule("/crowdsource/notifications", view_func=index, methods=["GET"])
bp.add_url_rule("/crowdsource/notifications/bell", view_func=bell, methods=["GET"])
bp.add_url_rule("/crowdsource/notifications/read", view_func=mark, methods=["POST"])
bp.add_url_rule("/crowdsource/notifications/settings", view_func=settings,
                methods=["GET", "POST"])
bp.add_url_rule("/crowdsource/notifications/unsubscribe/<token>", view_func=unsubscribe,
                methods=["GET", "POST"])
