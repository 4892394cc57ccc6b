"""Helpers shared by the test modules."""
from typing import Any

from ckan.tests import helpers


def as_user(user: dict | None, action: str, /, **data: Any) -> Any:
    """Call an action as ``user`` (None: anonymous), with auth checked."""
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    return helpers.call_action(action, context=context, **data)


def log_in(app: Any, user: dict) -> None:
    """Make the test app's later requests come from ``user``.

    CKAN 2.12's test app keeps a session (``set_session_user``); CKAN 2.11's
    makes a new client per request, so there each request carries an API
    token of the user instead, which CKAN accepts on every page.
    """
    if hasattr(app, "set_session_user"):
        app.set_session_user(user["name"])
        return
    token = helpers.call_action("api_token_create", context={"user": user["name"]},
                                user=user["name"], name="test")["token"]
    make_client = app.test_client

    def test_client(use_cookies: bool = True) -> Any:
        client = make_client(use_cookies)
        send = client.open

        def open_with_token(*args: Any, **kwargs: Any) -> Any:
            if args and isinstance(args[0], str):  # not a redirect being followed
                headers = dict(kwargs.pop("headers", None) or {})
                headers.setdefault("Authorization", token)
                kwargs["headers"] = headers
            return send(*args, **kwargs)

        client.open = open_with_token
        return client

    app.__dict__.setdefault("_crowdsource_client", make_client)
    app.test_client = test_client


def log_out(app: Any) -> None:
    """Make the test app's later requests anonymous again."""
    if hasattr(app, "set_session_user"):
        app.set_session_user(None)
    else:
        before = app.__dict__.pop("_crowdsource_client", None)
        if before is not None:
            app.test_client = before
