"""Guards before every request: CSRF protection of this extension's forms
that CKAN 2.12 can switch off, and API bodies CKAN cannot parse.

CKAN 2.12's ``ckan_before_request`` exempts a view from CSRF checks for the
rest of the worker's life once any request reaches it with an API token in
the ``Authorization`` header (``csrf.exempt(view)`` changes the shared
``CSRFProtect`` object, not the one request). After that, the same form
posted with a session cookie and no token would be accepted. This guard runs
before every request to a crowdsource blueprint and checks the token itself
for every request that does not carry an API token header.
"""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit
from flask import current_app, request


def csrf_guard(blueprints: set[str]) -> Any:
    """A ``before_request`` function for the app: CSRF for these blueprints."""

    def check_csrf_token() -> None:
        if request.blueprint not in blueprints:
            return
        if not current_app.config.get("WTF_CSRF_ENABLED", True):
            return
        view = current_app.view_functions.get(request.endpoint or "")
        if getattr(view, "crowdsource_signed", False):
            return  # a signed token in the URL authorises it (unsubscribe links)
        header = toolkit.config.get("apitoken_header_name") or "Authorization"
        if request.headers.get(header):
            return  # an API call with a token: no cookie, no cross-site risk
        from ckan.config.middleware.flask_app import csrf

        csrf.protect()  # raises CSRFError (400) on a missing or wrong token

    return check_csrf_token


def refuse_deep_json() -> Any:
    """``before_request``: an API call whose JSON body is nested too deeply
    for Python's parser gets CKAN's 400 for bad JSON instead of the 500 that
    CKAN's own ``_get_request_data`` gives (a ``RecursionError``). The body
    is parsed once: Flask keeps the result for the action."""
    if not (request.path.startswith("/api/") and request.is_json):
        return None
    try:
        request.get_json(silent=True)
    except RecursionError:
        from flask import jsonify

        response = jsonify({"success": False, "error": {
            "__type": "Bad request",
            "message": "Bad request - JSON Error: nested too deeply"}})
        response.status_code = 400
        return response
    return None
