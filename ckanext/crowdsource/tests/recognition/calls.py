"""A call that succeeds, for every action of the recognition capability
(as ``tests/community/calls.py`` describes)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

Lib = dict[str, Any]
Call = Callable[[Lib], tuple[dict[str, Any] | None, dict[str, Any]]]

CALLS: dict[str, Call] = {
    "crowdsource_points_list": lambda lib: (None, {
        "user_id": lib["reader2"]["name"], "reason": "grant", "limit": 5}),
    "crowdsource_points_summary": lambda lib: (lib["reader"], {"user_id": lib["reader2"]["id"]}),
    "crowdsource_leaderboard": lambda lib: (None, {"period": "30d", "reason": "grant",
                                                   "community_id": lib["community"]["name"],
                                                   "limit": 5}),
    "crowdsource_recognition_settings_show": lambda lib: (lib["reader"], {}),
    "crowdsource_recognition_settings_update": lambda lib: (lib["reader"], {
        "leaderboards": False, "public_profile": True}),
    "crowdsource_points_recent": lambda lib: (None, {"community_id": lib["community"]["id"],
                                                     "limit": 5, "offset": 0}),
    "crowdsource_badge_list": lambda lib: (None, {"badge": "first_tag", "limit": 5,
                                                  "offset": 0}),
    "crowdsource_contribution_list": lambda lib: (lib["reader"], {
        "user_id": lib["reader2"]["name"], "kind": "tag", "limit": 5}),
    "crowdsource_contribution_summary": lambda lib: (None, {"user_id": lib["reader2"]["id"]}),
    "crowdsource_points_grant": lambda lib: (lib["editor"], {
        "user_id": lib["reader2"]["name"], "points": 5, "note": "Helped at the open day"}),
}
