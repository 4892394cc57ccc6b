"""Benchmark: borrowing and returning under 50 concurrent readers, and what
active loans cost a reader's searches.

Part 1 (over HTTP, a CKAN served by four gunicorn worker processes): 50
readers at once, for a number of rounds each, ask to borrow a random
dataset of a pool of lendable ones (3 copies each, so many requests end in
the queue) and give back what they got: ``crowdsource_loan_return`` for a
loan, ``crowdsource_reservation_cancel`` for a place in a queue (which
passes a copy on when it was an offer). Prints median and p95 latency of
borrow and of return, requests per second, CKAN's own ``package_show``
under the same load for comparison, and checks that no dataset ever lent
more copies than it has (the lendable row lock's job).

Part 2 (the same server, one request at a time, interleaved): the API's
``package_search`` (``include_private=true``, a word most datasets hold)
for a reader with 20 active loans and for a reader with none, and their
ratio (the goal: at most 1.2): each loan adds one permission label to the
reader's search.

The catalogue: N public datasets (copies of one made through the actions,
indexed in ``crowdsource_pgsearch``) and the lendable private ones, made
through the actions.

Usage: python bench/loans.py [--datasets 10000] [--lendable 40] [--readers 50]
       [--rounds 20] [--runs 200]
It uses its own database, crowdsource_bench_loans, created afresh each run.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from common import (
    ROOT,
    call_api,
    ckan_app,
    index_copies,
    percentile,
    readers,
    reads,
    report,
    seed_datasets,
    vacuum,
)

DB = "crowdsource_bench_loans"
COPIES = 3
LOANS_OF_THE_BUSY_READER = 20


def lendables(toolkit, org_id: str, n: int) -> list[str]:
    """n private datasets with a resource, lendable with COPIES copies."""
    site = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    ctx = {"user": site}
    ids = []
    for i in range(n):
        ds = toolkit.get_action("package_create")(dict(ctx), {
            "name": f"rare-{i}", "title": f"Rare maps {i}", "owner_org": org_id,
            "private": True, "notes": "Bench dataset: rare maps, lent to readers",
            "resources": [{"url": f"http://example.org/rare-{i}.pdf"}]})
        toolkit.get_action("crowdsource_lendable_set")(dict(ctx), {
            "package_id": ds["id"], "copies": COPIES, "loan_days": 14})
        ids.append(ds["id"])
    return ids


def race(base: str, tokens: list[str], pool: list[str], rounds: int) -> dict:
    """Every reader at once: borrow a random dataset of ``pool``, give it back."""
    latencies: dict[str, list[float]] = {"borrow": [], "return": []}
    codes: dict[str, dict[int, int]] = {"borrow": {}, "return": {}}
    lock = threading.Lock()
    start = threading.Barrier(len(tokens))

    def note(kind: str, status: int, ms: float) -> None:
        with lock:
            latencies[kind].append(ms)
            codes[kind][status] = codes[kind].get(status, 0) + 1

    def reader(i: int) -> None:
        rnd = random.Random(i)
        start.wait()
        for _ in range(rounds):
            status, out, ms = call_api(base, tokens[i], "crowdsource_loan_request",
                                       {"package_id": rnd.choice(pool)})
            note("borrow", status, ms)
            if status != 200:
                continue
            got = out["result"]
            action = ("crowdsource_loan_return" if got["type"] == "loan"
                      else "crowdsource_reservation_cancel")
            status, _, ms = call_api(base, tokens[i], action, {"id": got["id"]})
            note("return", status, ms)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(tokens)) as pool_:
        list(pool_.map(reader, range(len(tokens))))
    return {"latencies": latencies, "codes": codes, "wall": time.perf_counter() - t0}


def searches(base: str, busy: str, idle: str, runs: int) -> dict[str, list[float]]:
    """``package_search`` for the busy reader and the idle one, interleaved
    (the order flips every round)."""
    path = "/api/3/action/package_search?q=bench&include_private=true&rows=20"
    times: dict[str, list[float]] = {"busy": [], "idle": []}

    def get(token: str) -> float:
        req = urllib.request.Request(base + path, headers={"Authorization": token})
        t0 = time.perf_counter()
        with urllib.request.urlopen(req, timeout=60) as res:
            res.read()
        return (time.perf_counter() - t0) * 1000

    for _ in range(20):  # warm up both
        get(busy), get(idle)
    for n in range(runs):
        order = [("busy", busy), ("idle", idle)]
        for who, token in (order if n % 2 else order[::-1]):
            times[who].append(get(token))
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", type=int, default=10000)
    ap.add_argument("--lendable", type=int, default=40)
    ap.add_argument("--readers", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--runs", type=int, default=200)
    args = ap.parse_args()
    if args.lendable < LOANS_OF_THE_BUSY_READER:
        ap.error(f"--lendable must be at least {LOANS_OF_THE_BUSY_READER}")

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
        org_id = model.Session.execute(sa.text(
            "SELECT id FROM \"group\" WHERE name = 'city-library'")).scalar()
        lent = lendables(toolkit, org_id, args.lendable)
        tokens = readers(toolkit, args.readers + 2, "bench-borrower")
        busy_name = f"bench-borrower-{args.readers}"
        # the busy reader holds more loans than a site would let them
        toolkit.config["ckanext.crowdsource.loans.per_reader_limit"] = "100000"
        toolkit.config["ckanext.crowdsource.common.writes_per_minute"] = "0"
        borrow = toolkit.get_action("crowdsource_loan_request")
        # the busy reader's 20 loans: the pool of part 1 is the other datasets
        for package_id in lent[:LOANS_OF_THE_BUSY_READER]:
            borrow({"user": busy_name}, {"package_id": package_id})
        vacuum(model, sa, "package", "crowdsource_search_doc", "crowdsource_loan")
        print(f"seeded {len(ids):,} datasets, {len(lent)} lendable ones "
              f"({time.perf_counter() - t0:.1f}s)", flush=True)
    pool = lent[LOANS_OF_THE_BUSY_READER:]
    busy, idle = tokens[args.readers], tokens[args.readers + 1]

    url = f"postgresql://crowdsource:crowdsource@127.0.0.1:5432/{DB}"
    with serve(workers=4, **{"sqlalchemy.url": url,
                             "ckanext.crowdsource.loans.per_reader_limit": "100000",
                             "ckanext.crowdsource.common.writes_per_minute": "0"}) as base:
        print(f"{args.readers} readers, {args.rounds} rounds each, {len(pool)} datasets of "
              f"{COPIES} copies, against 4 workers at {base}", flush=True)
        result = race(base, tokens[:args.readers], pool, args.rounds)
        core_read = reads(base, tokens[:args.readers],
                          f"/api/3/action/package_show?id={ids[0]}", args.rounds)
        found = searches(base, busy, idle, args.runs)

    with app._wsgi_app.test_request_context():
        over = model.Session.execute(sa.text(
            "SELECT count(*) FROM crowdsource_lendable l WHERE (SELECT count(*) FROM "
            "crowdsource_loan n WHERE n.package_id = l.package_id AND n.state = 'active') "
            "> l.copies")).scalar()

    report(f"{args.readers} concurrent readers borrowing and giving back, no pause", result)
    report(f"(info) CKAN's own package_show, {args.readers} readers, no pause", core_read)
    print(f"datasets lending more copies than they have: {over} (goal 0: "
          f"{'met' if over == 0 else 'NOT met'})")
    print(f"\npackage_search over HTTP, ms ({args.runs} runs each, interleaved, "
          f"{len(ids) + len(lent):,} datasets)")
    for who, label in (("busy", f"a reader with {LOANS_OF_THE_BUSY_READER} active loans"),
                       ("idle", "a reader with none")):
        values = found[who]
        print(f"{label:36}median {statistics.median(values):7.1f}  "
              f"p95 {percentile(values, 95):7.1f}")
    ratio = statistics.median(found["busy"]) / statistics.median(found["idle"])
    print(f"with loans / without, median: {ratio:.2f} (goal <= 1.2: "
          f"{'met' if ratio <= 1.2 else 'NOT met'})")


if __name__ == "__main__":
    main()
