"""What the capabilities' views share."""
from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import flask
from ckan.lib import base, i18n
from ckan.lib import helpers as h
from ckan.plugins import toolkit

from . import config


def error_text(error: toolkit.ValidationError) -> str:
    """A validation error's messages as one line, for a flash or a partial
    (errors of an inner action come as nested dicts: their messages too)."""
    return " ".join(_messages(error.error_dict))


def _messages(errors: Any) -> list[str]:
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    if isinstance(errors, list):
        return [m for value in errors for m in _messages(value)]
    return [str(errors)] if errors else []


def attempt(action: str, data: dict[str, Any],
            forbidden: str = "") -> tuple[Any, str]:
    """Run an action for a form: ``(result, "")``, or ``(None, what went
    wrong)`` for bad input or a missing object, to show the user; a refusal
    ends the request with 403."""
    try:
        return toolkit.get_action(action)({}, data), ""
    except toolkit.ValidationError as e:
        return None, error_text(e)
    except toolkit.ObjectNotFound as e:
        return None, str(e.message or toolkit._("Not found"))
    except toolkit.NotAuthorized:
        return base.abort(403, forbidden or toolkit._("You are not allowed to do this")), ""


def reason_given() -> str:
    """The reason a staff member or reader typed: the form's ``reason``, or
    the answer to an ``hx-prompt``. htmx sends a prompt answer that is not
    Latin-1 (Chinese, say) percent-encoded and says so in
    ``HX-Prompt-URI-AutoEncoded``; it is decoded here so it is stored as typed."""
    reason = toolkit.request.form.get("reason")
    if reason:
        return reason
    prompt = toolkit.request.headers.get("HX-Prompt", "")
    if toolkit.request.headers.get("HX-Prompt-URI-AutoEncoded", "").lower() == "true":
        prompt = unquote(prompt, errors="replace")
    return prompt


def dataset_page(id: str) -> dict[str, Any]:
    """The dataset a page is about, as ``package_show`` gives it to the user;
    404 when it is missing or hidden from them."""
    if "\x00" in id:  # CKAN would pass it on to PostgreSQL
        return base.abort(404, toolkit._("Dataset not found"))
    try:
        return toolkit.get_action("package_show")({}, {"id": id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return base.abort(404, toolkit._("Dataset not found"))


def listed(action: str, data: dict[str, Any]) -> Any:
    """Run a list action for a page: bad filters end the request with 400,
    a filter naming nothing (an organization, a dataset) with 404."""
    try:
        return toolkit.get_action(action)({}, data)
    except toolkit.ValidationError as e:
        return base.abort(400, error_text(e))
    except toolkit.ObjectNotFound as e:
        return base.abort(404, str(e.message or toolkit._("Not found")))


def local(url: str, fallback: str) -> str:
    """``url`` when it is a path on this site, otherwise ``fallback``: where a
    form may send the user back to, in the language of the form's page.

    A page's ``request.path`` has lost the language CKAN took from the
    address (``/zh_Hans_CN/...``): a path without one gets the request's,
    so that a reader reading in Chinese comes back to a Chinese page."""
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return fallback
    environ = flask.request.environ if flask.has_request_context() else {}
    lang = environ.get("CKAN_LANG")
    if lang and not environ.get("CKAN_LANG_IS_DEFAULT", True) \
            and url.split("/")[1] not in (lang, *i18n.get_locales()):
        url = f"/{lang}{url}"
    return url


def requested_page(value: Any, strict: bool = True) -> int:
    """The page a list page asks for (``?page=``): a whole number from 1 to
    the last page a list can have at the default page size. Anything else
    ends the request with 400 (``strict``); a form or a template helper gets
    the nearest page it can show instead."""
    from .validators import OFFSET_MAX

    most = OFFSET_MAX // max(1, config.list_limit_default()) + 1
    try:
        number = 1 if value in (None, "") else int(str(value).strip())
    except ValueError:  # not a number, or more digits than Python reads
        number = 0
    if 1 <= number <= most:
        return number
    if strict:
        return base.abort(400, toolkit._(
            "The page must be a whole number from 1 to {most}").format(most=most))
    return min(max(number, 1), most)


def page_url(page: int, **_: Any) -> str:
    """The current page's address at another page number: for ``Page(url=...)``
    (CKAN's ``h.pager_url`` drops the route's own arguments, such as ``id``)."""
    from flask import request

    args = {k: v for k, v in request.args.items() if k != "page"}
    return h.url_for(request.endpoint, **(request.view_args or {}), **args, page=page)


def count_of(action: str, **data: Any) -> int:
    """How many items a list action has for the current user (for the counts
    beside the staff's menu links)."""
    return int(toolkit.get_action(action)({}, {**data, "limit": 1})["count"])


def first_of(action: str, **data: Any) -> list[dict[str, Any]]:
    """The first items of a list action for the current user, as many as a
    home-page block shows."""
    return toolkit.get_action(action)({}, {**data, "limit": config.home_block_size()})["results"]
