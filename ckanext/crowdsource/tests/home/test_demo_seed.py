"""``make demo``'s sample catalogue: seeded through the actions as the sample
users (auth checked), and seeded again without error or doubling."""
from __future__ import annotations

import importlib.util
import os
from types import ModuleType

import pytest
from ckan.plugins import toolkit

SCRIPT = os.path.join(os.path.dirname(__file__), *[os.pardir] * 4, "scripts", "seed_demo.py")


def seed_demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("seed_demo", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.usefixtures("clean_db", "with_plugins", "with_request_context")
def test_the_demo_seeds_its_catalogue_once(capsys):
    demo = seed_demo()
    demo.seed()
    first = capsys.readouterr().out
    assert "Log-ins" in first and "Sample communities: 3" in first, first

    def count(action: str, **data: object) -> int:
        return toolkit.get_action(action)({"user": "admin"}, data)["count"]

    seen = {"communities": count("crowdsource_community_list"),
            "questions": count("crowdsource_question_list"),
            "tasks": count("crowdsource_task_list")}
    assert seen == {"communities": 3, "questions": 5, "tasks": 5}, seen
    # readers with points, and the badges they earned, on the leaderboard and profiles
    board = toolkit.get_action("crowdsource_leaderboard")({}, {})
    assert board["count"] >= 3 and board["results"][0]["points"] > 0, board
    badges = toolkit.get_action("crowdsource_badge_list")(
        {}, {"user_id": board["results"][0]["user"]})
    assert badges["count"] >= 1, badges
    local = toolkit.get_action("crowdsource_community_show")(
        {"user": "reader1"}, {"id": "local-history"})
    assert local["member_count"] == 3
    assert local["my_membership"] == {"role": "moderator", "state": "active"}
    assert count("crowdsource_task_list", community_id="local-history") == 1
    waiting = toolkit.get_action("crowdsource_community_member_list")(
        {"user": "reader2"}, {"id": "rare-books", "state": "pending"})
    assert [m["user"] for m in waiting["results"]] == ["reader3"]  # reader1 was let in

    demo.seed()
    again = capsys.readouterr().out
    assert "exist already" in again and "Log-ins" not in again, again
    assert count("crowdsource_community_list") == 3
    assert count("crowdsource_question_list") == 5
    assert toolkit.get_action("crowdsource_leaderboard")({}, {}) == board  # nothing twice
