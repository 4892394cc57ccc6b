"""The moderation tests' fixture: the "note" item type (``notes.py``)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from ckan import model

from ckanext.crowdsource.common import hooks
from ckanext.crowdsource.tests.moderation.notes import Notes, note


@pytest.fixture
def notes(lib: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[Notes]:
    """The "note" item type, plugged in beside the real ones, with a table of
    its own for the test (``clean_db`` empties only the tables CKAN knows)."""
    note.drop(model.Session.connection(), checkfirst=True)
    note.create(model.Session.connection())
    model.Session.commit()
    kind = Notes()
    real = hooks.moderation_item_types
    monkeypatch.setattr(hooks, "moderation_item_types", lambda: {**real(), "note": kind.item_type})
    yield kind
    model.Session.rollback()
    note.drop(model.Session.connection(), checkfirst=True)
    model.Session.commit()
