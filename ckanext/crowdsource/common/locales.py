"""CKAN's JavaScript translations for locales with a script, such as
``zh_Hans_CN``.

CKAN writes the page's locale as ``<html lang="zh-Hans-CN">``, and its
JavaScript client asks ``/api/i18n/`` + ``lang.replace('-', '_')``, which
replaces only the first dash: ``/api/i18n/zh_Hans-CN``. That is no
configured locale, so CKAN answers 400 "Unknown locale", the translations
never load, and the JavaScript modules that wait for them (``ckan.module``)
never start on the page. This ``before_request`` function answers such a
request with the translations of the locale it stands for; every other
request goes on to CKAN untouched.
"""
from __future__ import annotations

import re
from typing import Any

from ckan.lib.i18n import get_locales_from_config
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
