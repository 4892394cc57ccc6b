"""Benchmark: claiming and handing in tasks under 50 concurrent readers, and
the task board with 100,000 tasks.

Part 1 (in-process, anonymous): median and p95 of the task board's first
page (``/crowdsource/tasks``, HTML) with 100,000 open tasks on 10,000
datasets, next to the ``/dataset`` page of the same catalogue, and their
ratio from the same run.

Part 2 (over HTTP, a CKAN served by four gunicorn worker processes): 50
readers at once, each taking a task from a pool of hot tasks (capacity 3,
so most attempts find the task full) and handing in a result whenever the
claim succeeds, for a number of rounds. Prints median and p95 latency of
claim and of submit, requests per second, and checks that no task holds more
claims than its capacity (the row lock's job).

Datasets and tasks of part 1 are rows written in bulk (copies of one
dataset made through the actions; tasks by SQL, as the action writes them).

Usage: python bench/tasks.py [--datasets 10000] [--tasks 100000] [--readers 50]
       [--rounds 20] [--runs 50]
It uses its own database, crowdsource_bench_tasks, created afresh each run.
"""
from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from common import (
    ROOT,
    call_api,
    ckan_app,
    index_copies,
    readers,
    reads,
    report,
    seed_datasets,
    timed,
    vacuum,
)

DB = "crowdsource_bench_tasks"
HOT_TASKS, HOT_CAPACITY = 60, 3


def seed_tasks(model, sa, ids: list[str], n: int, creator: str) -> None:
    model.Session.execute(sa.text(
        "INSERT INTO crowdsource_task (id, package_id, kind, title, instructions, capacity, "
        "reward_points, claim_ttl_hours, due, created_by, created, modified) "
        "SELECT md5('task' || g)::uuid::text, (CAST(:ids AS text[]))[1 + g % :d], "
        "(ARRAY['tag','describe','transcribe','translate','review','verify','other'])[1 + g % 7], "
        "'请为这套地图添加标签 Task ' || g, 'Look at the scans and **tag** them.', 3, "
        "10, 72, CASE WHEN g % 3 = 0 THEN now() + interval '1 day' * (g % 30) END, :u, "
        "now() - interval '1 second' * g, now() FROM generate_series(1, :n) AS g"),
        {"ids": ids, "d": len(ids), "n": n, "u": creator})
    model.Session.commit()


def board_vs_search(app, runs: int) -> dict[str, tuple[float, float]]:
    client = app._wsgi_app.test_client()

    def get(path: str) -> None:
        res = client.get(path)
        assert res.status_code == 200, (path, res.status_code)

    return {"/crowdsource/tasks (HTML)": timed(lambda: get("/crowdsource/tasks"), runs),
            "/dataset (HTML)": timed(lambda: get("/dataset/"), runs)}


def hot_tasks(toolkit, ids: list[str], org_editor: str, n: int) -> list[str]:
    create = toolkit.get_action("crowdsource_task_create")
    return [create({"user": org_editor}, {
        "package_id": ids[i % 20], "kind": "tag", "title": f"Hot task {i}",
        "capacity": HOT_CAPACITY})["id"] for i in range(n)]


def race(base: str, tokens: list[str], tasks: list[str], rounds: int,
         pause: float = 0.0) -> dict:
    """Every reader, at once: claim a random hot task; hand in when it worked;
    ``pause`` seconds between one reader's requests (0: none, the harshest)."""
    latencies: dict[str, list[float]] = {"claim": [], "submit": []}
    codes: dict[str, dict[int, int]] = {"claim": {}, "submit": {}}
    lock = threading.Lock()
    start = threading.Barrier(len(tokens))

    def call(token: str, action: str, body: dict) -> tuple[int, dict]:
        status, out, ms = call_api(base, token, action, body)
        kind = "claim" if action == "crowdsource_task_claim" else "submit"
        with lock:
            latencies[kind].append(ms)
            codes[kind][status] = codes[kind].get(status, 0) + 1
        return status, out

    def reader(i: int) -> None:
        rnd = random.Random(i)
        start.wait()
        for _ in range(rounds):
            # a reader's think time between clicks: the load being modelled,
            # not a wait for anything
            time.sleep(rnd.uniform(0, 2 * pause))
            status, out = call(tokens[i], "crowdsource_task_claim", {"id": rnd.choice(tasks)})
            if status == 200:
                time.sleep(rnd.uniform(0, 2 * pause))  # think time, as above
                call(tokens[i], "crowdsource_claim_submit",
                     {"id": out["result"]["id"], "result": {"tags": ["古籍", f"r{i}"]}})

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        list(pool.map(reader, range(len(tokens))))
    wall = time.perf_counter() - t0
    return {"latencies": latencies, "codes": codes, "wall": wall}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", type=int, default=10000)
    ap.add_argument("--tasks", type=int, default=100000)
    ap.add_argument("--readers", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--pause", type=float, default=0.5,
                    help="mean seconds a paced reader waits between requests")
    args = ap.parse_args()

    app = ckan_app(DB)
    import sqlalchemy as sa
    from ckan import model
    from ckan.plugins import toolkit

    sys.path.insert(0, ROOT)
    from ckanext.crowdsource.tests.served import serve

    with app._wsgi_app.test_request_context():
        t0 = time.perf_counter()
        ids = seed_datasets(toolkit, model, sa, args.datasets)
        index_copies(toolkit, model, sa, ids)
        site = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
        seed_tasks(model, sa, ids, args.tasks, site["id"])
        vacuum(model, sa, "crowdsource_task", "crowdsource_search_doc", "package")
        print(f"seeded {len(ids):,} datasets, {args.tasks:,} tasks "
              f"({time.perf_counter() - t0:.1f}s)", flush=True)
        pages = board_vs_search(app, args.runs)
        tokens = readers(toolkit, args.readers, "bench-claimer")
        # a fresh pool of hot tasks for each run below
        pools = [hot_tasks(toolkit, ids, site["name"], n) for n in
                 (HOT_TASKS // 2, HOT_TASKS, HOT_TASKS)]

    url = f"postgresql://crowdsource:crowdsource@127.0.0.1:5432/{DB}"
    with serve(workers=4, **{"sqlalchemy.url": url,
                             "ckanext.crowdsource.tasks.live_claims_per_reader": "100000",
                             "ckanext.crowdsource.common.writes_per_minute": "0"}) as base:
        print(f"{args.readers} readers, {args.rounds} rounds each, against 4 workers at {base}",
              flush=True)
        alone = race(base, tokens[:1], pools[0], args.rounds)
        result = race(base, tokens, pools[1], args.rounds)
        paced = race(base, tokens, pools[2], args.rounds, pause=args.pause)
        core_read = reads(base, tokens, f"/api/3/action/package_show?id={ids[0]}",
                          args.rounds)

    with app._wsgi_app.test_request_context():
        over = model.Session.execute(sa.text(
            "SELECT count(*) FROM crowdsource_task t WHERE t.id = ANY(:ids) AND ("
            "(SELECT count(*) FROM crowdsource_claim c WHERE c.task_id = t.id AND c.state IN "
            "('claimed', 'submitted', 'accepted')) > t.capacity OR t.slots_used > t.capacity "
            "OR t.slots_used <> (SELECT count(*) FROM crowdsource_claim c WHERE "
            "c.task_id = t.id AND c.state IN ('claimed', 'submitted', 'accepted')))"),
            {"ids": [t for pool in pools for t in pool]}).scalar()

    print(f"\npages, ms (anonymous, {args.runs} runs each, {args.tasks:,} open tasks on "
          f"{len(ids):,} datasets)")
    for label, (med, p95) in pages.items():
        print(f"{label:32}{med:10.1f}{p95:10.1f}")
    board, search = pages["/crowdsource/tasks (HTML)"][0], pages["/dataset (HTML)"][0]
    print(f"task board / /dataset, median: {board / search:.2f} (goal <= 1.5: "
          f"{'met' if board / search <= 1.5 else 'NOT met'})")
    for title, run in ((f"one reader alone, {args.rounds} rounds", alone),
                       (f"{args.readers} concurrent readers, no pause", result),
                       (f"{args.readers} concurrent readers, pausing {args.pause} s on "
                        "average between requests", paced),
                       (f"(info) CKAN's own package_show, {args.readers} readers, no pause",
                        core_read)):
        report(title, run, goal_ms=300)
    print(f"tasks holding more claims than their capacity: {over} (goal 0: "
          f"{'met' if over == 0 else 'NOT met'})")


if __name__ == "__main__":
    main()
