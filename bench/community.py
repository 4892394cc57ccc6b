"""Benchmark: the community pages with 1,000 communities, 100,000
memberships and 100,000 datasets, next to ``/dataset`` of the same catalogue
in the same run; and what a reader's memberships cost.

The catalogue: one dataset made through the actions and copied to
``--datasets`` rows, indexed in ``crowdsource_pgsearch``; one group made
through ``group_create`` and copied to ``--communities`` groups, each a
community (every tenth on request), each holding an equal share of the
datasets in CKAN's own group membership and in the index; ``--readers``
readers, each an active member of ``--per-reader`` communities (100,000
memberships by default), and three readers apart, members of 1, 50 and all
1,000 communities. Rows are written in bulk, as the actions write them.

Part 1, pages (in-process, CKAN's WSGI app; median and p95 of ``--runs``
requests after a warmup, the pages fetched in turn): the communities list
(``/crowdsource/communities``, a reader's own first), a community's page
(``/crowdsource/community/<name>``) and ``/dataset``, each anonymously and
as a reader who belongs to 50 communities (by API token); the ratio of each
community page to ``/dataset`` of the same caller (the goal: <= 1.5).

Part 2, the membership check: a community's page and
``crowdsource_community_show`` of the first community (all three are its
members) as the readers with 1, 50 and 1,000 memberships, their SQL
statements counted (the same number for each) and timed; the ratio of
1,000 to 1 membership (the goal: about 1.0, constant in the number of
communities a reader is in).

Usage: python bench/community.py [--datasets 100000] [--communities 1000]
       [--readers 2000] [--per-reader 50] [--runs 50]
It uses its own database, crowdsource_bench_community, created afresh each
run.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any

from common import ROOT, ckan_app, copy_rows, index_copies, seed_datasets, timed, vacuum

DB = "crowdsource_bench_community"


def seed_communities(toolkit: Any, model: Any, sa: Any, n: int) -> list[str]:
    """One group through the actions, n - 1 copies; each a community. Their names."""
    site = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    made = toolkit.get_action("group_create")({"user": site["name"], "ignore_auth": True}, {
        "name": "community-0", "title": "地方史 Local history 0",
        "description": "The town's past: maps, photographs, family trees."})
    copy_rows(model, sa, "group", made["id"], n - 1, {
        "id": "md5('community' || g)::uuid::text", "name": "'community-' || g",
        "title": "'地方史 Local history ' || g"})
    model.Session.execute(sa.text(
        "INSERT INTO crowdsource_community (id, status, join_policy, proposed_by, created, "
        "modified) SELECT id, 'active', CASE WHEN substr(name, 11)::int % 10 = 0 "
        "THEN 'request' ELSE 'open' END, :u, now() - interval '1 minute' * "
        "substr(name, 11)::int, now() FROM \"group\" WHERE name LIKE 'community-%'"),
        {"u": site["id"]})
    model.Session.commit()
    return [f"community-{i}" for i in range(n)]


def group_datasets(model: Any, sa: Any, ids: list[str], communities: int) -> None:
    """Dataset i in community i % communities, in CKAN's member table."""
    model.Session.execute(sa.text(
        "INSERT INTO member (id, table_name, table_id, capacity, group_id, state) "
        "SELECT md5('gm' || p.n)::uuid::text, 'package', p.id, 'public', g.id, 'active' "
        "FROM unnest(CAST(:ids AS text[])) WITH ORDINALITY AS p(id, n) "
        "JOIN \"group\" g ON g.name = 'community-' || ((p.n - 1) % :c)"),
        {"ids": ids, "c": communities})
    model.Session.commit()


def seed_readers(toolkit: Any, model: Any, sa: Any, n: int) -> tuple[str, list[str]]:
    """One reader through the actions and n - 1 copies; (the first's name, all ids)."""
    site = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    first = toolkit.get_action("user_create")({"user": site["name"], "ignore_auth": True}, {
        "name": "bench-reader-0", "email": "r0@example.org", "password": "bench-password-0",
        "fullname": "读者 0"})
    copy_rows(model, sa, "user", first["id"], n - 1, {
        "id": "md5('reader' || g)::uuid::text", "name": "'bench-reader-' || g",
        "email": "'r' || g || '@example.org'", "fullname": "'读者 ' || g",
        "apikey": "NULL"})
    ids = model.Session.execute(sa.text(
        "SELECT id FROM \"user\" WHERE name LIKE 'bench-reader-%' "
        "ORDER BY substr(name, 14)::int")).scalars()
    return first["name"], list(ids)


def join(model: Any, sa: Any, users: list[str], per_user: int, communities: int,
         stride: int = 7) -> None:
    """User u an active member of communities (u * stride + k) % communities,
    k < per_user (a moderator of the first of them, every twentieth)."""
    model.Session.execute(sa.text(
        "INSERT INTO crowdsource_community_member (id, community_id, user_id, role, state, "
        "created, modified) "
        "SELECT md5(u.id || ':' || k)::uuid::text, g.id, u.id, "
        "CASE WHEN k = 0 AND u.n % 20 = 0 THEN 'moderator' ELSE 'member' END, 'active', "
        "now() - interval '1 second' * (u.n * :p + k), now() "
        "FROM unnest(CAST(:users AS text[])) WITH ORDINALITY AS u(id, n), "
        "generate_series(0, :p - 1) AS k, \"group\" g "
        "WHERE g.name = 'community-' || ((u.n * :s + k) % :c)"),
        {"users": users, "p": per_user, "c": communities, "s": stride})
    model.Session.commit()


def token(toolkit: Any, user: str) -> str:
    return toolkit.get_action("api_token_create")(
        {"user": user, "ignore_auth": True}, {"user": user, "name": "bench"})["token"]


def special_readers(toolkit: Any, model: Any, sa: Any, communities: int
                    ) -> dict[int, str]:
    """Readers in 1, 50 and every community: their API tokens by that number."""
    site = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    out = {}
    for n in sorted({1, 50, communities}):
        user = toolkit.get_action("user_create")({"user": site["name"], "ignore_auth": True}, {
            "name": f"bench-in-{n}", "email": f"in{n}@example.org",
            "password": "bench-password-1"})
        join(model, sa, [user["id"]], n, communities, stride=0)
        out[n] = token(toolkit, user["name"])
    return out


class Counter:
    """SQL statements run while it is on."""

    def __init__(self, sa: Any, engine: Any) -> None:
        self.n, self.on = 0, False
        sa.event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args: Any) -> None:
        if self.on:
            self.n += 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", type=int, default=100000)
    ap.add_argument("--communities", type=int, default=1000)
    ap.add_argument("--readers", type=int, default=2000)
    ap.add_argument("--per-reader", type=int, default=50)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()

    app = ckan_app(DB)
    import sqlalchemy as sa
    from ckan import model
    from ckan.plugins import toolkit

    sys.path.insert(0, ROOT)
    client = app._wsgi_app.test_client()
    with app._wsgi_app.test_request_context():
        t0 = time.perf_counter()
        ids = seed_datasets(toolkit, model, sa, args.datasets)
        names = seed_communities(toolkit, model, sa, args.communities)
        group_datasets(model, sa, ids, args.communities)
        where = {pkg_id: i for i, pkg_id in enumerate(ids)}
        index_copies(toolkit, model, sa, ids, lambda chunk: {
            pkg_id: {"groups": [names[where[pkg_id] % args.communities]]}
            for pkg_id in chunk})
        _first, readers = seed_readers(toolkit, model, sa, args.readers)
        join(model, sa, readers, args.per_reader, args.communities)
        tokens = special_readers(toolkit, model, sa, args.communities)
        vacuum(model, sa, "crowdsource_community", "crowdsource_community_member", "member",
               '"group"', '"user"', "package", "crowdsource_search_doc")
        memberships = model.Session.execute(sa.text(
            "SELECT count(*) FROM crowdsource_community_member")).scalar()
        print(f"seeded {len(ids):,} datasets, {len(names):,} communities, "
              f"{memberships:,} memberships ({time.perf_counter() - t0:.1f}s)", flush=True)
        counter = Counter(sa, model.ensure_engine())

    # a community in the middle, its datasets on several pages of results
    name = names[len(names) // 2]

    def get(path: str, key: str | None) -> None:
        res = client.get(path, headers={"Authorization": key} if key else {})
        assert res.status_code == 200, (path, res.status_code, res.text[:300])

    def api(action: str, key: str | None, **data: Any) -> None:
        res = client.post(f"/api/3/action/{action}", json=data,
                          headers={"Authorization": key} if key else {})
        assert res.status_code == 200, (action, res.status_code, res.text[:300])

    member = tokens[50]
    pages = {
        "/crowdsource/communities": "/crowdsource/communities",
        "/crowdsource/community/<name>": f"/crowdsource/community/{name}",
        "/dataset": "/dataset/",
    }
    results: dict[tuple[str, str], tuple[float, float]] = {}
    for who, key in (("anonymous", None), ("member of 50", member)):
        for label, path in pages.items():
            results[label, who] = timed(lambda p=path, k=key: get(p, k), args.runs)

    print(f"\npart 1: pages, ms ({args.runs} runs each; {len(ids):,} datasets, "
          f"{len(names):,} communities, {memberships:,} memberships)")
    print(f"{'page':34}{'caller':16}{'median':>10}{'p95':>10}{'/ /dataset':>12}")
    for (label, who), (med, p95) in results.items():
        ratio = med / results["/dataset", who][0]
        goal = "" if label == "/dataset" else \
            f"  (goal <= 1.5: {'met' if ratio <= 1.5 else 'NOT met'})"
        print(f"{label:34}{who:16}{med:10.1f}{p95:10.1f}{ratio:12.2f}{goal}")

    # part 2: the first community, which every one of the three readers is in
    first = names[0]
    print(f"\npart 2: the membership check ({len(names):,} communities)")
    print(f"{'memberships':>12}{'page median':>14}{'statements':>12}"
          f"{'show median':>14}{'statements':>12}")
    row: dict[int, tuple[float, float]] = {}
    for n, key in sorted(tokens.items()):
        page = timed(lambda k=key: get(f"/crowdsource/community/{first}", k), args.runs)[0]
        show = timed(lambda k=key: api("crowdsource_community_show", k, id=first), args.runs)[0]
        counted = []
        for call in (lambda k=key: get(f"/crowdsource/community/{first}", k),
                     lambda k=key: api("crowdsource_community_show", k, id=first)):
            counter.n, counter.on = 0, True
            call()
            counter.on = False
            counted.append(counter.n)
        row[n] = (page, show)
        print(f"{n:12,}{page:14.1f}{counted[0]:12}{show:14.1f}{counted[1]:12}")
    few, most = min(row), max(row)
    ratios = [row[most][i] / row[few][i] for i in (0, 1)]
    print(f"{most:,} / {few} memberships: page {ratios[0]:.2f}, show {ratios[1]:.2f} "
          f"(goal about 1.0: {'met' if max(ratios) <= 1.2 else 'NOT met'})")
    print(f"(info) median of the two: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
