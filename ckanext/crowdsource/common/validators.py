"""The validators more than one capability's schemas use: choices, numbers,
dates, lists of ids, readers' text, and reader tags (which tasks ask for too).

Each raises ``toolkit.Invalid`` naming the problem; CKAN's validation turns it
into a ``ValidationError`` naming the field. CKAN runs every validator of a
field even after one has failed, so each checks its own input rather than
trusting the one before it. They are registered through ``IValidators`` as
``crowdsource_*`` (:func:`get_validators`), for schemas here and for
ckanext-scheming users.
"""
from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime, timezone
from typing import Any

from ckan.plugins import toolkit
from dateutil.parser import isoparse

from . import config

REASON_MAX = 1000
TITLE_MAX = 200
TAG_MAX = 50
_SPACES = re.compile(r"\s+")


# the most a page may skip: beyond this no list has rows, and PostgreSQL's
# OFFSET (a bigint) would fail
OFFSET_MAX = 2**31 - 1


def safe_text(value: Any) -> str:
    """Text PostgreSQL can store: a string without NUL characters or lone
    surrogates (what JSON can carry but UTF-8 cannot)."""
    if not isinstance(value, str):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        else:
            raise toolkit.Invalid(toolkit._("Must be text"))
    if "\x00" in value:
        raise toolkit.Invalid(toolkit._("Must not contain NUL characters"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise toolkit.Invalid(toolkit._("Must be valid Unicode text")) from None
    return value


_TRUE = ("true", "yes", "t", "y", "1", "on")
_FALSE = ("false", "no", "f", "n", "0", "off", "")


def boolean(value: Any) -> bool:
    """True or false, from JSON's booleans, 0 and 1, or the words forms and
    query strings send ("true", "yes", "1", "on" and their opposites);
    anything else is refused (CKAN 2.11's ``boolean_validator`` fails on a
    number or a list)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise toolkit.Invalid(toolkit._("Must be true or false"))


def page_limit(value: Any) -> int:
    """A page size: a whole number from 0 to the configured maximum."""
    limit = int_between(0, OFFSET_MAX)(value)
    maximum = config.list_limit_max()
    if limit > maximum:
        raise toolkit.Invalid(toolkit._("Must be at most {maximum}").format(maximum=maximum))
    return limit


def page_offset(value: Any) -> int:
    """How many to skip: a whole number from 0 to :data:`OFFSET_MAX`."""
    return int_between(0, OFFSET_MAX)(value)


def one_of(choices: tuple[str, ...]) -> Any:
    def validator(value: Any) -> str:
        if value not in choices:
            raise toolkit.Invalid(toolkit._("Must be one of: {choices}").format(
                choices=", ".join(choices)))
        return value
    return validator


def int_between(low: int, high: int) -> Any:
    def validator(value: Any) -> int:
        try:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            number = int(value.strip() if isinstance(value, str) else value)
        except (TypeError, ValueError, OverflowError):
            raise toolkit.Invalid(toolkit._("Must be a whole number")) from None
        if not low <= number <= high:
            raise toolkit.Invalid(toolkit._("Must be between {low} and {high}").format(
                low=low, high=high))
        return number
    return validator


def date_value(value: Any) -> datetime:
    """An ISO date, or date and time (UTC when it names no zone)."""
    if isinstance(value, datetime):
        when = value
    else:
        try:
            when = isoparse(str(value))
        except ValueError:
            raise toolkit.Invalid(toolkit._("Must be a date like 2026-12-31")) from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def future_date(value: Any) -> datetime:
    """An ISO date, or date and time, not in the past."""
    when = date_value(value)
    if when < datetime.now(timezone.utc):
        raise toolkit.Invalid(toolkit._("Must not be in the past"))
    return when


def id_list(value: Any) -> list[str]:
    """One id (or name), or a list of them: a list, its JSON text, or a
    comma-separated string; without repeats."""
    if isinstance(value, str):
        value = value.strip()
        try:
            value = json.loads(value) if value.startswith("[") else value.split(",")
        except ValueError:
            value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise toolkit.Invalid(toolkit._("Give one id or a list of ids"))
    ids = [safe_text(v).strip() for v in value if v.strip()]
    if not ids:
        raise toolkit.Invalid(toolkit._("Missing value"))
    return list(dict.fromkeys(ids))


def reason_length(value: Any) -> str:
    """A moderation reason: trimmed, at most 1000 characters."""
    value = safe_text(value)
    if len(value) > REASON_MAX:
        raise toolkit.Invalid(
            toolkit._("The reason is longer than {max} characters").format(max=REASON_MAX))
    return value.strip()


def body_text(value: Any) -> str:
    """Readers' markdown (a post, feedback, a task's result): stored as
    written, at most ``ckanext.crowdsource.discussion.body_max_length``."""
    value = safe_text(value)
    if not value.strip():
        raise toolkit.Invalid(toolkit._("Missing value"))
    maximum = config.body_max_length()
    if len(value) > maximum:
        raise toolkit.Invalid(
            toolkit._("Must be at most {max} characters").format(max=maximum))
    return value


def title_text(value: Any) -> str:
    """A one-line title: white space collapsed, at most 200 characters."""
    value = safe_text(value)
    if not value.strip():
        raise toolkit.Invalid(toolkit._("Missing value"))
    value = " ".join(value.split())
    if len(value) > TITLE_MAX:
        raise toolkit.Invalid(
            toolkit._("Must be at most {max} characters").format(max=TITLE_MAX))
    return value


def normalize_tag(raw: Any) -> str:
    """One reader tag as it is stored and compared.

    NFKC (full-width to half-width), trimmed, inner white space collapsed,
    case-folded; 1-50 characters of letters (any script), digits, spaces and
    hyphens.
    """
    if not isinstance(raw, str):
        raise toolkit.Invalid(toolkit._("Tags must be text"))
    raw = safe_text(raw)
    tag = _SPACES.sub(" ", unicodedata.normalize("NFKC", raw)).strip().casefold()
    if not tag:
        raise toolkit.Invalid(toolkit._("Tags cannot be empty"))
    if len(tag) > TAG_MAX:
        raise toolkit.Invalid(
            toolkit._("Tag {tag!r} is longer than {max} characters").format(tag=tag[:20] + "…",
                                                                          max=TAG_MAX)
        )
    for char in tag:
        if unicodedata.category(char)[0] not in "LNM" and char not in " -":
            raise toolkit.Invalid(
                toolkit._("Tag {tag!r} has a character that is not allowed: {char!r}").format(
                    tag=tag, char=char
                )
            )
    return tag


def tag_list(value: Any) -> list[str]:
    """A tag or a list of tags (or a comma-separated string), normalised, unique."""
    if isinstance(value, str):
        value = value.split(",") if "," in value else [value]
    if not isinstance(value, list) or not value:
        raise toolkit.Invalid(toolkit._("Give one tag or a list of tags"))
    tags: list[str] = []
    for raw in value:
        tag = normalize_tag(raw)
        if tag not in tags:
            tags.append(tag)
    return tags


def get_validators() -> dict[str, Any]:
    """The shared validators, as ``IValidators`` registers them."""
    return {
        "crowdsource_safe_text": safe_text,
        "crowdsource_boolean": boolean,
        "crowdsource_page_limit": page_limit,
        "crowdsource_page_offset": page_offset,
        "crowdsource_date": date_value,
        "crowdsource_future_date": future_date,
        "crowdsource_id_list": id_list,
        "crowdsource_reason": reason_length,
        "crowdsource_body_text": body_text,
        "crowdsource_title_text": title_text,
        "crowdsource_tag": normalize_tag,
        "crowdsource_tag_list": tag_list,
    }
