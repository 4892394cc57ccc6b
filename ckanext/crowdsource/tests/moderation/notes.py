"""An item type of the tests' own, so the moderation core is tested apart from
the capabilities that plug into it: a "note" on a dataset (or, without one,
about the whole site) in a table of its own, written by a user (or by nobody
known); and short ways to call the moderation actions on notes."""
from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.types import Context

from ckanext.crowdsource.common import reindex
from ckanext.crowdsource.common.roles import can_see_dataset, is_staff_for
from ckanext.crowdsource.moderation import core
from ckanext.crowdsource.moderation.core import Item, ItemType
from ckanext.crowdsource.tests.helpers import as_user

note = sa.Table(
    "moderation_test_note", sa.MetaData(),
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText),
    sa.Column("user_id", sa.UnicodeText),
    sa.Column("body", sa.UnicodeText, nullable=False),
    sa.Column("state", sa.UnicodeText, nullable=False),
    sa.Column("reason", sa.UnicodeText),
    sa.Column("modified", sa.DateTime(timezone=True), server_default=sa.func.now()),
)


class Notes:
    """The "note" item type, and what the tests ask of it."""

    def __init__(self) -> None:
        self.changes: list[tuple[str, bool, str]] = []  # after_change's calls
        self.fail = False  # make after_change fail, as a broken item type would
        self.item_type = ItemType(
            name="note", locate=self.locate, can_see=self.can_see, set_hidden=self.set_hidden,
            after_change=self.after_change, hidden_select=self.hidden_select,
            labels=self.labels, links=self.links)

    def add(self, package_id: str | None, body: str = "A note",
            state: str = "published", author: dict | None = None) -> str:
        note_id = str(uuid.uuid4())
        model.Session.execute(note.insert().values(
            id=note_id, package_id=package_id, body=body, state=state,
            user_id=author["id"] if author else None))
        model.Session.commit()
        return note_id

    def state(self, note_id: str) -> tuple[str, str | None]:
        row = model.Session.execute(
            sa.select(note.c.state, note.c.reason).where(note.c.id == note_id)).one()
        model.Session.rollback()
        return row.state, row.reason

    # the ItemType
    def locate(self, item_id: str) -> Item:
        row = model.Session.execute(
            sa.select(note, model.Package.owner_org)
            .outerjoin(model.Package, model.Package.id == note.c.package_id)
            .where(note.c.id == item_id)).first()
        if row is None:
            raise toolkit.ObjectNotFound("Note not found")
        return Item("note", row.id, row.package_id, row.owner_org, row.state == "hidden",
                    row.body, pending=row.state == "pending",
                    authors=frozenset({row.user_id}) if row.user_id else frozenset())

    def can_see(self, context: Context, item: Item) -> bool:
        """Whoever sees its dataset (a note about the site: everyone) sees a
        published note; a hidden or waiting one, its author and the staff."""
        if item.package_id and not can_see_dataset(context, item.package_id):
            return False
        return (not (item.hidden or item.pending) or core.is_author(context, item)
                or is_staff_for(context, item.owner_org))

    def set_hidden(self, item: Item, hidden: bool, reason: str) -> None:
        model.Session.execute(note.update().where(note.c.id == item.item_id).values(
            state="hidden" if hidden else "published",
            reason=(reason or None) if hidden else None, modified=sa.func.now()))

    def after_change(self, item: Item, hidden: bool, actor_id: str) -> None:
        assert model.Session().in_transaction()
        reindex.later(item.package_id)
        self.changes.append((item.item_id, hidden, actor_id))
        if self.fail:
            raise RuntimeError("after_change failed")

    def hidden_select(self) -> sa.Select:
        return (sa.select(note.c.id.label("item_id"), note.c.package_id,
                          model.Package.owner_org, note.c.reason, note.c.modified,
                          note.c.state.label("status"))
                .outerjoin(model.Package, model.Package.id == note.c.package_id)
                .where(note.c.state.in_(("hidden", "pending"))))

    def labels(self, item_ids: list[str]) -> dict[str, str]:
        return {r.id: r.body for r in model.Session.execute(
            sa.select(note.c.id, note.c.body).where(note.c.id.in_(item_ids)))}

    def links(self, item_ids: list[str]) -> dict[str, str]:
        return {i: f"/notes/{i}" for i in item_ids}


def flag(user: dict | None, note_id: str, reason: str = "advertising") -> dict[str, Any]:
    return as_user(user, "crowdsource_flag_create", item_type="note", item_id=note_id,
                   reason=reason)


def review(user: dict | None, note_id: str, decision: str, **more: Any) -> dict[str, Any]:
    return as_user(user, "crowdsource_flag_review", item_type="note", item_id=note_id,
                   decision=decision, **more)


def decide(user: dict | None, note_id: str, decision: str, **more: Any) -> dict[str, Any]:
    return as_user(user, "crowdsource_moderation_decide", item_type="note", item_id=note_id,
                   decision=decision, **more)


def rows(table: str) -> int:
    count = model.Session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    model.Session.rollback()
    return count
