"""The leaderboards' kept sums: they always equal the ledger's public rows
summed afresh, and follow datasets turning private, deleted or public."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.crowdsource.recognition import core
from ckanext.crowdsource.recognition.model import excluded, points, totals, windows
from ckanext.crowdsource.tests.community.calls import community
from ckanext.crowdsource.tests.helpers import as_user

from .test_ledger import ledger, question


def kept() -> dict[str, set[tuple[Any, ...]]]:
    """Every kept sum but zeros (a sum that came back to zero may stay as a row)."""
    return {"totals": {tuple(r) for r in model.Session.execute(
        sa.select(totals).where(totals.c.points != 0)).all()}} | {
        t.name: {tuple(r) for r in model.Session.execute(sa.select(t)).all()}
        for t in (excluded, windows)}


def board(**data: Any) -> list[tuple[str, int]]:
    return [(r["user"], r["points"])
            for r in as_user(None, "crowdsource_leaderboard", **data)["results"]]


def accepted(lib: dict[str, Any], package: str, asker: str, answerer: str) -> None:
    _q, answer = question(lib, asker=asker, package=package, answerer=answerer)
    as_user(lib[asker], "crowdsource_answer_accept", id=answer["id"])


def test_a_dataset_made_private_or_deleted_leaves_the_leaderboards(lib):
    accepted(lib, "ds", "reader", "reader2")
    name = lib["reader2"]["name"]
    for period in ("all", "30d", "year"):
        assert board(period=period) == [(name, 15)]
    as_user(lib["sysadmin"], "package_patch", id=lib["ds"]["id"], private=True)
    for period in ("all", "30d", "year"):
        assert board(period=period) == []
    # points earned meanwhile on the private dataset are kept out as well
    accepted(lib, "ds", "editor", "member")
    assert board() == []
    as_user(lib["sysadmin"], "package_patch", id=lib["ds"]["id"], private=False)
    assert sorted(board()) == sorted([(name, 15), (lib["member"]["name"], 15)])
    as_user(lib["sysadmin"], "package_delete", id=lib["ds"]["name"])
    assert board() == [] and board(period="30d") == []
    # the ledger is unchanged: only the leaderboards leave the rows out
    assert ledger(lib["reader2"]) == [("answer_accepted", 15)]


def test_communities_and_reasons_have_their_own_sums(lib):
    c = community(lib)
    for who, amount in (("reader2", 10), ("reader3", 25)):
        core.award(lib[who]["id"], "claim_accepted", "claim", f"claim-{who}",
                   actor_id=lib["editor"]["id"], package_id=lib["ds"]["id"],
                   community_id=c["id"], amount=amount)
    accepted(lib, "ds", "reader", "reader2")  # no community
    model.Session.commit()
    r2, r3 = lib["reader2"]["name"], lib["reader3"]["name"]
    assert board() == [(r2, 25), (r3, 25)] or board() == [(r3, 25), (r2, 25)]
    assert board(community_id=c["name"]) == [(r3, 25), (r2, 10)]
    assert board(community_id=c["id"], period="30d", reason="answer_accepted") == []
    assert board(reason="answer_accepted") == [(r2, 15)]
    assert board(reason="claim_accepted", period="year") == [(r3, 25), (r2, 10)]
    # a page past the end still says how long the board is
    for period in ("all", "30d"):
        past = as_user(None, "crowdsource_leaderboard", period=period, community_id=c["id"],
                       offset=5)
        assert (past["count"], past["results"]) == (2, [])


def test_the_kept_sums_equal_a_rebuild(lib):
    """Awards, reversals, a hidden post, a private dataset and one made
    private and public again: what was kept on the way equals the sums
    computed afresh from the ledger (its periods' windows set first, as
    the first leaderboard of a period read sets them)."""
    core.advance_windows()
    c = community(lib)
    accepted(lib, "ds", "reader", "reader2")
    accepted(lib, "private", "editor", "member")
    _q, answer = question(lib, package="ds2", answerer="reader3")
    as_user(lib["reader"], "crowdsource_answer_accept", id=answer["id"])
    as_user(lib["editor"], "crowdsource_answer_verify", id=answer["id"])
    as_user(lib["reader"], "crowdsource_answer_accept", id=answer["id"], accept=False)
    core.award(lib["reader3"]["id"], "claim_accepted", "claim", "claim-1",
               actor_id=lib["editor"]["id"], package_id=lib["ds2"]["id"],
               community_id=c["id"])
    as_user(lib["sysadmin"], "package_patch", id=lib["ds2"]["id"], private=True)
    as_user(lib["sysadmin"], "package_patch", id=lib["ds2"]["id"], private=False)
    as_user(lib["editor"], "crowdsource_points_grant", user_id=lib["reader"]["id"],
            points=7, note="Open day")
    as_user(lib["editor"], "crowdsource_moderation_decide", item_type="post",
            item_id=answer["id"], decision="hide", reason="copied")
    model.Session.commit()
    before = kept()
    assert before["totals"] and before["crowdsource_points_excluded"] == {
        (lib["private"]["id"],)}
    assert core.rebuild() == 1
    assert kept() == before


def test_points_leave_the_30_day_board_as_its_window_moves_on(lib):
    """A grant 35 days old, made while the window still held it: the
    first read of the board after moves the window on and takes it out of
    the last 30 days only."""
    core.advance_windows()
    as_user(lib["editor"], "crowdsource_points_grant", user_id=lib["reader2"]["id"],
            points=9, note="Open day")
    name = lib["reader2"]["name"]
    assert board(period="30d") == [(name, 9)]
    then = datetime.now(timezone.utc) - timedelta(days=35)
    model.Session.execute(sa.update(points).where(points.c.user_id == lib["reader2"]["id"])
                          .values(created=then))
    model.Session.execute(sa.update(windows).where(windows.c.period == "30d")
                          .values(start=then - timedelta(days=5)))
    model.Session.commit()
    assert board(period="30d") == []
    assert board() == [(name, 9)]
    assert board(period="year") == ([(name, 9)] if then.year == datetime.now(
        timezone.utc).year else [])
    # what was moved on equals the sums computed afresh
    before = kept()
    core.rebuild()
    assert kept() == before
