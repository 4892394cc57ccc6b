"""What a page in a locale with a script, such as ``zh_Hans_CN``, needs
beyond the catalogues: CKAN's JavaScript translations, and CKAN's English
that it never marks for translation (see ``core_strings``).

CKAN writes the page's locale as ``<html lang="zh-Hans-CN">``, and its
JavaScript client asks ``/api/i18n/`` + ``lang.replace('-', '_')``, which
replaces only the first dash: ``/api/i18n/zh_Hans-CN``. That is no
configured locale, so CKAN answers 400 "Unknown locale", the translations
never load, and the JavaScript modules that wait for them (``ckan.module``)
never start on the page. The ``before_request`` function answers such a
request with the translations of the locale it stands for; every other
request goes on to CKAN untouched.
"""
from __future__ import annotations

import re
from typing import Any

from ckan.lib.i18n import get_locales_from_config
from ckan.plugins import toolkit
from flask import request

_PATH = re.compile(r"^/api/(?:(?P<ver>\d+)/)?i18n/(?P<lang>[A-Za-z0-9_-]+)$")


def js_translations_of_script_locales() -> Any:
    match = _PATH.match(request.path)
    if not match:
        return None
    lang = match["lang"]
    known = get_locales_from_config()
    if lang in known:
        return None
    meant = lang.replace("-", "_")
    if meant not in known:
        return None
    from ckan.views.api import i18n_js_translations

    return i18n_js_translations(meant, int(match["ver"] or 3))


def translated(text: Any) -> Any:
    """``text`` in the page's language when it is a plain string a catalogue
    knows (werkzeug's error descriptions, which CKAN shows untranslated);
    markup and other values as they are."""
    if isinstance(text, str) and not hasattr(text, "__html__"):
        return toolkit._(text)
    return text


# The rows CKAN's resource page leaves out of its list by their English name.
_LEFT_OUT = ("created", "metadata modified", "last modified", "format")


@toolkit.chained_helper
def format_resource_items(next_helper: Any, items: list[tuple[str, Any]]
                          ) -> list[tuple[str, Any]]:
    """CKAN's list of a resource's own fields, with the field names (which
    CKAN shows as they are named in the database, ``package id``), yes and
    no, and the state translated."""
    said = {"True": toolkit._("Yes"), "False": toolkit._("No")}
    return [(key, value) if key in _LEFT_OUT else
            (toolkit._(key), toolkit._(value) if key == "state" else
             said.get(value, value) if isinstance(value, str) else value)
            for key, value in next_helper(items)]
