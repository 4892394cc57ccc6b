"""A call that succeeds, for every action of the sharing capability (as
``tests/community/calls.py`` describes)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

Lib = dict[str, Any]
Call = Callable[[Lib], tuple[dict[str, Any] | None, dict[str, Any]]]

CALLS: dict[str, Call] = {
    "crowdsource_share_record": lambda lib: (None, {
        "item_type": "dataset", "id": lib["ds"]["name"], "channel": "qq"}),
}
