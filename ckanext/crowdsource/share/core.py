"""What a share is about and where it sends people: each kind of item
found through its own show action (so whoever may not see it cannot share
it), its address with a short source code per channel, and the share
targets that make sense in China and elsewhere. No third-party script is
loaded: every target is a plain link, WeChat goes through the QR code."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import sqlalchemy as sa
from ckan import model
from ckan.lib.helpers import markdown_extract
from ckan.plugins import toolkit
from ckan.types import Context

from .model import share

ITEM_TYPES = ("dataset", "question", "task", "community")
# channel -> the source code its links carry (?src=)
CHANNELS = {"link": "ln", "qr": "qr", "weibo": "wb", "qq": "qq", "email": "em"}


@dataclass(frozen=True)
class Item:
    """A shareable item as the caller may see it."""

    item_type: str
    id: str
    package_id: str | None
    title: str
    description: str
    endpoint: str
    ref: str  # what its page's URL names

    def url(self, channel: str) -> str:
        """Its page's full address, carrying the channel's source code."""
        return toolkit.url_for(self.endpoint, id=self.ref, _external=True,
                               src=CHANNELS[channel])


def _show(action: str, context: Context, ref: str) -> dict[str, Any]:
    return toolkit.get_action(action)({"user": context.get("user")}, {"id": ref})


def item(context: Context, item_type: str, ref: str) -> Item:
    """The item, or ``ObjectNotFound``/``NotAuthorized`` as its show action
    answers the caller."""
    if item_type == "dataset":
        pkg = _show("package_show", context, ref)
        return Item("dataset", pkg["id"], pkg["id"], pkg.get("title") or pkg["name"],
                    pkg.get("notes") or "", "dataset.read", pkg["name"])
    if item_type == "question":
        thread = toolkit.get_action("crowdsource_thread_show")(
            {"user": context.get("user")}, {"id": ref, "limit": 1, "replies": 0})
        if thread["kind"] != "question":
            raise toolkit.ObjectNotFound(toolkit._("Question not found"))
        return Item("question", thread["id"], thread.get("package_id"), thread["title"],
                    (thread.get("question") or {}).get("body") or "",
                    "crowdsource_discussion.question", thread["id"])
    if item_type == "task":
        task = _show("crowdsource_task_show", context, ref)
        return Item("task", task["id"], task["package_id"], task["title"],
                    task.get("instructions") or "", "crowdsource_tasks.task_page", task["id"])
    community = _show("crowdsource_community_show", context, ref)
    return Item("community", community["id"], None, community["display_name"],
                community.get("description") or "", "crowdsource_community.read",
                community["name"])


def summary(text: str, length: int = 200) -> str:
    """Markdown as a line of plain text, for previews and share texts."""
    return markdown_extract(text, extract_length=length) if text else ""


def targets(found: Item) -> list[dict[str, str]]:
    """The share links: ``[{"channel", "href"}]``."""
    title = found.title
    return [
        {"channel": "weibo", "href": "https://service.weibo.com/share/share.php?" + urlencode(
            {"url": found.url("weibo"), "title": title})},
        {"channel": "qq", "href": "https://connect.qq.com/widget/shareqq/index.html?" + urlencode(
            {"url": found.url("qq"), "title": title, "summary": summary(found.description, 100)})},
        {"channel": "email", "href": "mailto:?" + urlencode(
            {"subject": title, "body": found.url("email")}, quote_via=_quote)},
    ]


def _quote(value: str, safe: str = "", encoding: Any = None, errors: Any = None) -> str:
    return quote(value, safe=safe)  # mailto wants %20, not "+"


def counts(item_type: str, item_ids: list[str]) -> dict[str, int]:
    """How often each item was shared (one query)."""
    if not item_ids:
        return {}
    rows = model.Session.execute(
        sa.select(share.c.item_id, sa.func.count())
        .where(share.c.item_type == item_type, share.c.item_id.in_(item_ids))
        .group_by(share.c.item_id)).all()
    return {r[0]: r[1] for r in rows}


def record(found: Item, channel: str, user_id: str | None) -> None:
    model.Session.execute(share.insert().values(
        id=str(uuid.uuid4()), item_type=found.item_type, item_id=found.id,
        package_id=found.package_id, channel=channel, user_id=user_id))


def dataset_purged(package_id: str) -> None:
    """A purged dataset's shares, and those of its questions and tasks, go."""
    model.Session.execute(share.delete().where(share.c.package_id == package_id))


def qr_svg(text: str, title: str) -> str:
    """A QR code of ``text`` as an SVG document (for WeChat and phones)."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(
        out, kind="svg", scale=4, border=2, xmldecl=False, title=title, svgclass="cs-qr",
        lineclass=None)
    return out.getvalue().decode()
