"""A call that succeeds, for every action of the insight capability (as
``tests/community/calls.py`` describes)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

Lib = dict[str, Any]
Call = Callable[[Lib], tuple[dict[str, Any] | None, dict[str, Any]]]

CALLS: dict[str, Call] = {
    "crowdsource_stats_show": lambda lib: (lib["editor"], {
        "metric": "requests", "period": "7d", "granularity": "day",
        "organization": lib["org"]["name"], "community_id": lib["community"]["id"],
        "limit": 5, "offset": 0}),
}
