"""Benchmark: a dataset's discussion with 1,000 comments, among 10,000 and
then 1,000,000 posts on 10,000 datasets.

Prints median and p95 latency, as an anonymous reader, of the first page of
the discussion through the API (``crowdsource_thread_show``) next to
``package_show`` of the same dataset, and of the Discussion tab next to the
plain dataset page (HTML, through CKAN's WSGI app), with their ratios from the
same run; how the API page changes from the small table to the large one; and
the latency of a comment created through the action API (as a logged-in
reader with an API token) next to ``package_show`` through the same API,
interleaved in the same run. A comment's reindex runs once the response is sent: its cost is
printed too, as the time the worker stays busy after the response.

The "probe" datasets each have 1,000 comments (700 top-level, 300 replies
under the newest of them) and some votes, the same at both sizes; the other
datasets take the growth. Rows are written in bulk with SQL, as the actions
would write them: a million ``crowdsource_post_create`` calls would measure
writes, not reading.

Usage: python bench/discussion.py [--datasets 10000] [--posts 10000,1000000] [--runs 100]
It uses its own database, crowdsource_bench_discussion, created afresh each run.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time

from common import ckan_app, copy_rows, percentile, seed_datasets, timed, vacuum

DB = "crowdsource_bench_discussion"
PROBES, TOP, REPLIES, USERS = 5, 700, 300, 300


def seed_users(toolkit, model, sa) -> list[str]:
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    tmpl = toolkit.get_action("user_create")({"user": site_user["name"], "ignore_auth": True}, {
        "name": "bench-reader-0", "email": "r0@example.org", "password": "bench-password-0",
        "fullname": "读者 0"})
    copy_rows(model, sa, "user", tmpl["id"], USERS - 1, {
        "id": "md5('reader' || g)::uuid::text", "name": "'bench-reader-' || g",
        "fullname": "'读者 ' || g", "email": "'r' || g || '@example.org'",
        "apikey": "NULL"})
    return list(model.Session.execute(sa.text(
        "SELECT id FROM \"user\" WHERE name LIKE 'bench-reader-%'")).scalars())


def seed_threads(model, sa, ids: list[str], users: list[str]) -> None:
    model.Session.execute(sa.text(
        "INSERT INTO crowdsource_thread (id, kind, subject_type, subject_id, package_id, "
        "user_id, status) SELECT md5('thread' || p)::uuid::text, 'discussion', 'dataset', p, p, "
        ":u, 'open' FROM unnest(CAST(:ids AS text[])) AS p"), {"ids": ids, "u": users[0]})
    model.Session.commit()


def insert_posts(model, sa, first: int, last: int, probe: bool, ids: list[str],
                 users: list[str]) -> None:
    """Posts numbered first..last-1. Probe posts: TOP top-level comments per
    probe dataset, then REPLIES replies under its newest ones; the others:
    one top-level comment each on a non-probe dataset."""
    per = TOP + REPLIES
    if probe:
        dataset = f"(CAST(:ids AS text[]))[1 + g / {per}]"
        k = f"g % {per}"
        parent = (f"CASE WHEN {k} < {TOP} THEN NULL ELSE md5('post' || "
                  f"(g / {per} * {per} + {TOP} - 1 - ({k} - {TOP}) % 30))::uuid::text END")
        root = f"coalesce({parent}, md5('post' || g)::uuid::text)"
        created = f"now() - interval '1 minute' * ({per} - {k})"
    else:
        others = len(ids) - PROBES
        dataset = f"(CAST(:ids AS text[]))[{PROBES + 1} + g % {others}]"
        parent, root = "NULL", "md5('post' || g)::uuid::text"
        created = "now() - interval '1 second' * g"
    model.Session.execute(sa.text(
        "INSERT INTO crowdsource_post (id, thread_id, parent_id, root_id, kind, package_id, "
        "user_id, body, score, created, modified) "
        f"SELECT md5('post' || g)::uuid::text, md5('thread' || {dataset})::uuid::text, "
        f"{parent}, {root}, 'comment', {dataset}, "
        f"(CAST(:users AS text[]))[1 + g % {len(users)}], "
        "'这套地图很有用。 The **scale** is given in the legend, see page ' || g || '.', "
        f"g % 7, {created}, {created} "
        "FROM generate_series(:first, :last - 1) AS g"),
        {"ids": ids, "users": users, "first": first, "last": last})
    model.Session.commit()


def seed_votes(model, sa, users: list[str]) -> None:
    """Ten votes on each probe comment's first page candidates."""
    model.Session.execute(sa.text(
        "INSERT INTO crowdsource_vote (post_id, user_id, value) "
        "SELECT p.id, (CAST(:users AS text[]))[1 + v], 1 FROM crowdsource_post p, "
        "generate_series(1, 10) v WHERE p.package_id = ANY(CAST(:probes AS text[])) "
        "ON CONFLICT DO NOTHING"), {"users": users, "probes": PROBE_IDS})
    model.Session.commit()


PROBE_IDS: list[str] = []


def measure(app, toolkit, ids: list[str], runs: int, rnd: random.Random) -> dict[str, tuple]:
    anon = {"user": ""}
    probe = lambda: ids[rnd.randrange(PROBES)]  # noqa: E731
    # pages by name: CKAN redirects /dataset/<id> to /dataset/<name>
    named = lambda: f"bench-{rnd.randrange(PROBES)}"  # noqa: E731
    thread = toolkit.get_action("crowdsource_thread_show")
    show = toolkit.get_action("package_show")
    client = app._wsgi_app.test_client()

    def get(path: str) -> None:
        res = client.get(path)
        assert res.status_code == 200, (path, res.status_code)

    warm = 4 * PROBES
    return {
        "crowdsource_thread_show (first page)": timed(
            lambda: thread(dict(anon), {"package_id": probe(), "limit": 20}), runs, warm),
        "package_show (the same datasets)": timed(
            lambda: show(dict(anon), {"id": probe()}), runs, warm),
        "/dataset/<id>/discussion (HTML)": timed(
            lambda: get(f"/dataset/{named()}/discussion"), runs, warm),
        "/dataset/<id> (HTML)": timed(lambda: get(f"/dataset/{named()}"), runs, warm),
    }


def post_latency(app, toolkit, ids: list[str], users: list[str], runs: int) -> dict:
    """Median and p95 (ms) of creating a comment and of package_show, both
    through the action API and interleaved; and of the work after the
    response (closing it runs what the view deferred)."""
    from ckan import model

    with app._wsgi_app.test_request_context():
        name = model.User.get(users[1]).name
        token = toolkit.get_action("api_token_create")(
            {"user": name, "ignore_auth": True}, {"user": name, "name": "bench"})["token"]
    # requests outside that context: each has its own logged-in user
    client = app._wsgi_app.test_client()
    headers = {"Authorization": token}
    create, show, after = [], [], []
    for i in range(runs + 10):
        package_id = ids[PROBES + 200 + i % 100]
        t0 = time.perf_counter()
        res = client.post("/api/3/action/crowdsource_post_create", headers=headers,
                          json={"package_id": package_id, "body": f"评论 {i}"})
        t1 = time.perf_counter()
        res.close()
        t2 = time.perf_counter()
        assert res.status_code == 200, res.get_data(as_text=True)[:300]
        res = client.get(f"/api/3/action/package_show?id={package_id}", headers=headers)
        t3 = time.perf_counter()
        res.close()
        assert res.status_code == 200
        if i >= 10:
            create.append((t1 - t0) * 1000)
            after.append((t2 - t1) * 1000)
            show.append((t3 - t2) * 1000)
    out = {label: (statistics.median(v), percentile(v, 95)) for label, v in (
        ("crowdsource_post_create (API)", create), ("package_show (API)", show),
        ("  work after the response", after))}
    return out, 1000 * len(create) / (sum(create) + sum(after))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", type=int, default=10000)
    ap.add_argument("--posts", default="10000,1000000")
    ap.add_argument("--runs", type=int, default=100)
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.posts.split(","))

    app = ckan_app(DB)
    import sqlalchemy as sa
    from ckan import model
    from ckan.plugins import toolkit

    toolkit.config["ckanext.crowdsource.common.writes_per_minute"] = 0
    rnd = random.Random(42)
    results: dict[int, dict[str, tuple]] = {}
    with app._wsgi_app.test_request_context():
        t0 = time.perf_counter()
        ids = seed_datasets(toolkit, model, sa, args.datasets)
        users = seed_users(toolkit, model, sa)
        seed_threads(model, sa, ids, users)
        PROBE_IDS.extend(ids[:PROBES])
        insert_posts(model, sa, 0, PROBES * (TOP + REPLIES), True, ids, users)
        seed_votes(model, sa, users)
        print(f"seeded {len(ids):,} datasets, {len(users)} readers, {PROBES} discussions of "
              f"{TOP + REPLIES:,} comments ({time.perf_counter() - t0:.1f}s)", flush=True)
        done = PROBES * (TOP + REPLIES)
        for size in sizes:
            t0 = time.perf_counter()
            for first in range(done, size, 100_000):
                insert_posts(model, sa, first, min(size, first + 100_000), False, ids, users)
            done = max(done, size)
            vacuum(model, sa, "crowdsource_post", "crowdsource_thread", "crowdsource_vote")
            count = model.Session.execute(
                sa.text("SELECT count(*) FROM crowdsource_post")).scalar()
            print(f"{count:,} posts ({time.perf_counter() - t0:.1f}s)", flush=True)
            results[size] = measure(app, toolkit, ids, args.runs, rnd)
    writes, rate = post_latency(app, toolkit, ids, users, args.runs)

    print(f"\nlatency, ms (anonymous reader, {args.runs} runs each, {len(ids):,} datasets; "
          f"the probe discussions have {TOP + REPLIES:,} comments)")
    print(f"{'call':40}" + "".join(f"{f'{s:,} posts median':>22}{'p95':>9}" for s in sizes))
    for label in results[sizes[0]]:
        print(f"{label:40}" + "".join(f"{results[s][label][0]:22.1f}{results[s][label][1]:9.1f}"
                                      for s in sizes))
    large, small = results[sizes[-1]], results[sizes[0]]
    api, show, tab, page = (large[k][0] for k in large)
    flat = api / small["crowdsource_thread_show (first page)"][0]
    flat_share = (api / show) / (small["crowdsource_thread_show (first page)"][0]
                                 / small["package_show (the same datasets)"][0])
    print(f"\nthread page / package_show, median, {sizes[-1]:,} posts: {api / show:.2f} "
          f"(goal <= 2: {'met' if api / show <= 2 else 'NOT met'})")
    print(f"discussion tab / dataset page, median, {sizes[-1]:,} posts: {tab / page:.2f} "
          f"(goal <= 1.5: {'met' if tab / page <= 1.5 else 'NOT met'})")
    print(f"thread page median, {sizes[-1]:,} / {sizes[0]:,} posts: {flat:.2f} (goal: flat, "
          f"< 1.5: {'met' if flat < 1.5 else 'NOT met'}); as a share of package_show: "
          f"{flat_share:.2f}")
    print(f"\ncreating a comment through the API, ms ({args.runs} runs, interleaved)")
    for label, (median, p95) in writes.items():
        print(f"{label:40}{median:12.1f}{p95:9.1f}")
    ratio = writes["crowdsource_post_create (API)"][1] / writes["package_show (API)"][1]
    print(f"comment create / package_show, p95: {ratio:.2f} "
          f"(goal <= 1.5: {'met' if ratio <= 1.5 else 'NOT met'})")
    print(f"one worker, comments one after another, reindex included: {rate:.1f} posts/s")


if __name__ == "__main__":
    main()
